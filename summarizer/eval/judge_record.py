"""What a judge did in one run, as the run file keeps it (summarizer.eval.judge makes it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from summarizer.eval.judge_agreement import Agreement

__all__ = ["JudgeRecord", "JudgedPair"]


class JudgedPair(BaseModel):
    """A pair as the run file keeps it: both texts, both scores, the judge's reason."""

    model_config = ConfigDict(extra="forbid")

    fixture_id: str
    repetition: int = 0
    field: str
    item: int | None = None
    gold: list[str]
    pred: str
    token: float
    judge: float
    grade: int
    reason: str = ""


class JudgeRecord(BaseModel):
    """What the judge did in a run: who judged, every pair, cost, failures and agreement."""

    model_config = ConfigDict(extra="forbid")

    backend: str
    model: str
    rubric_version: str
    fields: list[str]
    gate: bool = False
    pairs: list[JudgedPair] = Field(default_factory=list)
    requests: int = 0
    """Requests the judge asked (answered live or from the store)."""
    replayed: int = 0
    """Of those, answered from the response store."""
    cached_pairs: int = 0
    """Pairs answered by an earlier verdict of the same run (never asked twice)."""
    tokens_in: int = 0
    tokens_out: int = 0
    latency_s: float = 0.0
    errors: list[str] = Field(default_factory=list)
    """One line per request that failed; its pairs have no judge score."""
    unjudged: int = 0
    agreement: list[Agreement] = Field(default_factory=list)

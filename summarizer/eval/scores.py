"""The scoring's thresholds and its result models: MUC counts of a field, a list, a fixture.

COR correct, PAR partial (half credit), INC incorrect, MIS missing, SPU spurious;
P = (COR + 0.5 PAR) / ACT and R = (COR + 0.5 PAR) / POS with ACT = COR+PAR+INC+SPU and
POS = COR+PAR+INC+MIS. An empty denominator scores 1.0 (nothing to find, or nothing claimed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from summarizer.eval.gold import ListName

__all__ = [
    "COR",
    "DEFAULT_CONFIG",
    "GRADE_NAMES",
    "INC",
    "MIS",
    "PAR",
    "SPU",
    "AlignStatus",
    "Counts",
    "FixtureScore",
    "ItemAlignment",
    "ListScore",
    "ScoringConfig",
    "Tally",
    "all_correct",
    "build",
    "sum_counts",
]

# Count slots. Grades of a single comparison use the same codes.
COR, PAR, INC, MIS, SPU = range(5)
GRADE_NAMES = ("correct", "partial", "incorrect", "missing", "spurious")
# Per field key: [COR, PAR, INC, MIS, SPU] counts.
Tally = dict[str, list[int]]


class ScoringConfig(BaseModel):
    """Thresholds of the comparisons. Stored with a run so a score can be reproduced."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_item_similarity: float = Field(
        default=0.4, description="Item pairs less similar than this are not matched."
    )
    text_correct: float = Field(default=0.7, description="Token F1 at or above: correct.")
    text_partial: float = Field(default=0.3, description="Token F1 at or above: partial.")
    name_fuzzy: float = Field(
        default=90.0, description="rapidfuzz ratio (0-100) at or above which names are equal."
    )
    span_correct: float = Field(
        default=0.8, description="Character IoU at or above which spans are correct."
    )
    span_partial: float = Field(
        default=1e-9, description="Character IoU above which spans are partial (any overlap)."
    )
    weights: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "meetings": {
                "participants": 2.0,
                "location": 1.0,
                "time": 1.0,
                "topics": 0.5,
                "evidence": 1.0,
            },
            "statements": {"speaker": 1.0, "content": 2.0, "quote": 1.0, "evidence": 1.0},
            "planned_events": {
                "description": 2.0,
                "participants": 1.0,
                "location": 0.5,
                "time": 1.0,
                "evidence": 1.0,
            },
        },
        description="Field weights of the item similarity used for alignment, per list.",
    )


DEFAULT_CONFIG = ScoringConfig()


# --- result models --------------------------------------------------------------------------

_M = TypeVar("_M", bound=BaseModel)


def build(cls: type[_M], values: dict[str, Any]) -> _M:
    """`cls.model_construct(**values)` without its per-call overhead, for trusted values.

    Scoring makes hundreds of thousands of these small result models; model_construct
    spends most of its time on generic bookkeeping. `values` must give every field.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


class Counts(BaseModel):
    """MUC counts of one field, list or whole fixture."""

    model_config = ConfigDict(extra="ignore")

    cor: int = 0
    par: int = 0
    inc: int = 0
    mis: int = 0
    spu: int = 0

    @classmethod
    def of(cls, slots: Sequence[int]) -> Counts:
        cor, par, inc, mis, spu = slots[COR], slots[PAR], slots[INC], slots[MIS], slots[SPU]
        return build(cls, {"cor": cor, "par": par, "inc": inc, "mis": mis, "spu": spu})

    def slots(self) -> list[int]:
        return [self.cor, self.par, self.inc, self.mis, self.spu]

    def __add__(self, other: Counts) -> Counts:
        return Counts.of([a + b for a, b in zip(self.slots(), other.slots(), strict=True)])

    @property
    def pos(self) -> int:
        return self.cor + self.par + self.inc + self.mis

    @property
    def act(self) -> int:
        return self.cor + self.par + self.inc + self.spu

    @property
    def precision(self) -> float:
        return 1.0 if self.act == 0 else (self.cor + 0.5 * self.par) / self.act

    @property
    def recall(self) -> float:
        return 1.0 if self.pos == 0 else (self.cor + 0.5 * self.par) / self.pos

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def sum_counts(items: Sequence[Counts]) -> Counts:
    cor = par = inc = mis = spu = 0
    for c in items:
        cor += c.cor
        par += c.par
        inc += c.inc
        mis += c.mis
        spu += c.spu
    return build(Counts, {"cor": cor, "par": par, "inc": inc, "mis": mis, "spu": spu})


AlignStatus = Literal["matched", "missing", "spurious", "optional", "ignored"]


class ItemAlignment(BaseModel):
    """One row of a list alignment: a gold item, a predicted item, or both."""

    gold: int | None = None
    pred: int | None = None
    status: AlignStatus
    similarity: float = 0.0
    # Per field key: [COR, PAR, INC, MIS, SPU] counts of this row.
    fields: dict[str, list[int]] = Field(default_factory=dict)

    @property
    def grade(self) -> str:
        """Item-level grade: correct, partial, missing, spurious or not counted."""
        if self.status == "matched":
            return "correct" if all_correct(self.fields) else "partial"
        return self.status


class ListScore(BaseModel):
    items: Counts = Field(default_factory=Counts)
    fields: dict[str, Counts] = Field(default_factory=dict)
    alignments: list[ItemAlignment] = Field(default_factory=list)

    @property
    def overall(self) -> Counts:
        return sum_counts(list(self.fields.values()))


class FixtureScore(BaseModel):
    """The score of one prediction against one gold."""

    fixture_id: str
    schema_valid: bool = True
    # Only the lists the gold scores (partial gold may leave some out).
    lists: dict[ListName, ListScore] = Field(default_factory=dict)
    evidence_total: int = 0
    evidence_grounded: int = 0

    @property
    def overall(self) -> Counts:
        return sum_counts([ls.overall for ls in self.lists.values()])

    @property
    def items(self) -> Counts:
        return sum_counts([ls.items for ls in self.lists.values()])

    @property
    def grounding_rate(self) -> float:
        # No predicted evidence means nothing is ungrounded.
        return 1.0 if self.evidence_total == 0 else self.evidence_grounded / self.evidence_total

    def metrics(self) -> dict[str, float]:
        """Flat metric name -> value, the currency of aggregation and comparison."""
        out: dict[str, float] = {}
        _put_prf(out, "overall", self.overall)
        _put_prf(out, "items", self.items)
        for name, ls in self.lists.items():
            _put_prf(out, name, ls.overall)
            _put_prf(out, f"{name}.items", ls.items)
            for key, counts in ls.fields.items():
                out[f"{name}.{key}.f1"] = counts.f1
        out["grounding_rate"] = self.grounding_rate
        out["schema_valid"] = 1.0 if self.schema_valid else 0.0
        return out


def _put_prf(out: dict[str, float], prefix: str, counts: Counts) -> None:
    out[f"{prefix}.precision"] = counts.precision
    out[f"{prefix}.recall"] = counts.recall
    out[f"{prefix}.f1"] = counts.f1


def all_correct(fields: Mapping[str, Sequence[int]]) -> bool:
    return all(sum(slots) == slots[COR] for slots in fields.values())

"""A judge model for free-text fields: scores each aligned gold/predicted pair with a rubric.

The token-overlap score stays the score of record (the gate uses it); the judge adds a
second opinion per pair, in the run file next to it, and how far the two agree. Which pairs:
the matched items of the alignment the scorer made (`summary` once per result;
`statements.content` and `planned_events.description` per matched item; a matched meeting's
`topics` as one list). Unmatched items are the token metrics' recall and precision, not the
judge's business.

The rubric is `prompts/judge/system.j2` + `user.j2` (not part of the extraction prompt's
version); it asks for a 1-5 grade with a one-sentence reason, mapped to 0..1. A fixture's
pairs go in requests of up to `batch_size`, each pair once per run (`Judge` caches verdicts
by pair), through `Backend.structured`, so the backend's retries and response store apply:
a recorded judge replays with no network.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from summarizer.backends.base import Backend
from summarizer.errors import ModelError, ReplayMissError
from summarizer.eval.gold import Gold, ListName, alternatives, first
from summarizer.eval.judge_agreement import agreement
from summarizer.eval.judge_config import JUDGE_FIELDS, JudgeConfig, judge_metric
from summarizer.eval.judge_record import JudgedPair, JudgeRecord
from summarizer.eval.runfile import FixtureSet, Run, aggregate, fixture_index
from summarizer.eval.texts import token_f1
from summarizer.prompts import judge_version, render_judge
from summarizer.stores.responses import content_key

__all__ = [
    "FIELD_DESCRIPTIONS",
    "FreeTextPair",
    "Judge",
    "JudgeRecord",
    "JudgedPair",
    "PairVerdict",
    "build_judge",
    "free_text_pairs",
    "judge_messages",
    "judge_run",
    "verdict_model",
]

FIELD_DESCRIPTIONS: dict[str, str] = {
    "summary": "a 1-3 sentence summary of the whole article",
    "statements.content": "one sentence saying what a speaker said",
    "meetings.topics": "the topics of a meeting, as a list",
    "planned_events.description": "a short description of a planned event",
}
_REASON_CHARS = 300
_TOPIC_SEPARATOR = "; "
_ITEM_FIELDS: dict[str, tuple[ListName, str]] = {
    "statements.content": ("statements", "content"),
    "meetings.topics": ("meetings", "topics"),
    "planned_events.description": ("planned_events", "description"),
}


class PairVerdict(BaseModel):
    """The judge's answer for one pair."""

    score: int = Field(ge=1, le=5, description="1 (unrelated or wrong) to 5 (same meaning)")
    reason: str = Field(
        description="one short sentence", json_schema_extra={"maxLength": _REASON_CHARS}
    )

    @field_validator("reason")
    @classmethod
    def _short(cls, value: str) -> str:
        # A long reason is no reason to re-ask (and pay again): keep its start.
        return value.strip()[:_REASON_CHARS]

    @property
    def value(self) -> float:
        """The grade on the token score's 0..1 scale."""
        return (self.score - 1) / 4


@functools.cache
def verdict_model(ids: tuple[str, ...]) -> type[BaseModel]:
    """The answer schema of one request: one required verdict per pair id, so a verdict cannot
    go missing and a constrained local model writes exactly these."""
    fields: dict[str, tuple[type[PairVerdict], object]] = {i: (PairVerdict, ...) for i in ids}
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        "JudgeVerdicts", __config__=ConfigDict(extra="ignore"), **fields
    )
    return model


@dataclass(frozen=True)
class FreeTextPair:
    """One gold/predicted pair of a free-text field, with its token-overlap score."""

    fixture_id: str
    repetition: int
    field: str
    item: int | None
    """The gold item's index in its list (None for `summary`)."""
    gold: tuple[str, ...]
    """The gold's acceptable alternatives."""
    pred: str
    token: float

    @property
    def key(self) -> str:
        """What decides the verdict: the same texts of the same field are judged once."""
        return content_key([self.field, list(self.gold), self.pred])


def _token(gold: Sequence[str], pred: str) -> float:
    return max(token_f1(g, pred) for g in gold)


def _pair(
    result_id: str, rep: int, field: str, item: int | None, gold: Sequence[str], pred: str
) -> FreeTextPair | None:
    gold = tuple(g for g in gold if g.strip())
    if not gold or not pred.strip():
        return None  # nothing to judge: an empty side is the token metrics' miss or spurious
    return FreeTextPair(result_id, rep, field, item, gold, pred, _token(gold, pred))


def free_text_pairs(
    run: Run, fixtures: FixtureSet, fields: Sequence[str] = JUDGE_FIELDS
) -> list[FreeTextPair]:
    """Every aligned pair of the free-text `fields` in `run`, in result order."""
    index = fixture_index(fixtures)
    pairs: list[FreeTextPair] = []
    for result in run.results:
        if result.prediction is None or result.scores is None or result.fixture_id not in index:
            continue
        gold: Gold = index[result.fixture_id][1]
        pred = result.prediction
        fid, rep = result.fixture_id, result.repetition
        if "summary" in fields:
            found = _pair(fid, rep, "summary", None, [gold.summary], pred.summary)
            if found is not None:
                pairs.append(found)
        for field in fields:
            if field not in _ITEM_FIELDS:
                continue
            list_name, key = _ITEM_FIELDS[field]
            scored = result.scores.lists.get(list_name)
            if scored is None or not gold.is_scored(list_name, key):
                continue
            for row in scored.alignments:
                if row.status != "matched" or row.gold is None or row.pred is None:
                    continue
                g_item = gold.items(list_name)[row.gold]
                p_item = getattr(pred, list_name)[row.pred]
                if field == "meetings.topics":
                    g_texts = [_TOPIC_SEPARATOR.join(first(t) for t in getattr(g_item, key))]
                    p_text = _TOPIC_SEPARATOR.join(getattr(p_item, key))
                else:
                    g_texts = list(alternatives(getattr(g_item, key)))
                    p_text = str(getattr(p_item, key) or "")
                found = _pair(fid, rep, field, row.gold, g_texts, p_text)
                if found is not None:
                    pairs.append(found)
    return pairs


def judge_messages(batch: Sequence[tuple[str, FreeTextPair]]) -> list[dict[str, str]]:
    """The rubric and the numbered pairs of one request (texts as data, never templates)."""
    groups: list[dict[str, object]] = []
    for pair_id, pair in batch:
        if not groups or groups[-1]["field"] != pair.field:
            groups.append(
                {"field": pair.field, "description": FIELD_DESCRIPTIONS[pair.field], "pairs": []}
            )
        members = groups[-1]["pairs"]
        assert isinstance(members, list)
        members.append({"id": pair_id, "gold": list(pair.gold), "pred": pair.pred})
    ids = [pair_id for pair_id, _ in batch]
    return [
        {"role": "system", "content": render_judge("system.j2", {})},
        {"role": "user", "content": render_judge("user.j2", {"groups": groups, "ids": ids})},
    ]


class Judge:
    """Asks `backend` for verdicts on pairs, each distinct pair once."""

    def __init__(
        self,
        backend: Backend,
        *,
        batch_size: int = 12,
        max_tokens: int | None = None,
        store_hint: str = "",
    ) -> None:
        self.backend = backend
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.store_hint = store_hint
        self._verdicts: dict[str, PairVerdict] = {}
        self.requests = 0
        self.replayed = 0
        self.cached_pairs = 0
        self.tokens_in = 0
        self.tokens_out = 0
        self.latency_s = 0.0
        self.errors: list[str] = []

    def batches(self, pairs: Sequence[FreeTextPair]) -> list[list[FreeTextPair]]:
        """The requests `pairs` need: one fixture's distinct unjudged pairs, `batch_size` at a
        time, in a fixed order (so a re-run asks exactly the recorded requests)."""
        by_fixture: dict[str, list[FreeTextPair]] = {}
        seen = set(self._verdicts)
        for pair in pairs:
            if pair.key in seen:
                continue
            seen.add(pair.key)
            by_fixture.setdefault(pair.fixture_id, []).append(pair)
        out: list[list[FreeTextPair]] = []
        for group in by_fixture.values():
            out.extend(group[i : i + self.batch_size] for i in range(0, len(group), self.batch_size))
        return out

    def _ask(self, batch: Sequence[FreeTextPair]) -> None:
        numbered = [(f"p{i + 1}", pair) for i, pair in enumerate(batch)]
        ids = tuple(pair_id for pair_id, _ in numbered)
        model = verdict_model(ids)
        self.requests += 1
        try:
            answer = self.backend.structured(
                model, judge_messages(numbered), max_tokens=self.max_tokens
            )
        except ReplayMissError:
            self.errors.append(
                f"{batch[0].fixture_id}: no recorded judge answer for {len(batch)} pair(s)"
                + (f" in {self.store_hint}" if self.store_hint else "")
                + ": the rubric, the pairs or the judge model changed since the recording; "
                "record again (judge mode record) and commit the store"
            )
            return
        except ModelError as exc:
            self.errors.append(f"{batch[0].fixture_id}: {exc.message}")
            return
        self.replayed += int(answer.replayed)
        self.tokens_in += answer.tokens_in
        self.tokens_out += answer.tokens_out
        self.latency_s += answer.latency_s
        for pair_id, pair in numbered:
            verdict = getattr(answer.value, pair_id)
            assert isinstance(verdict, PairVerdict)
            self._verdicts[pair.key] = verdict

    def judge(
        self, pairs: Sequence[FreeTextPair], progress: Callable[[str], None] | None = None
    ) -> list[tuple[FreeTextPair, PairVerdict | None]]:
        """Each pair with its verdict (None where its request failed)."""
        batches = self.batches(pairs)
        asked = sum(len(b) for b in batches)
        self.cached_pairs += len(pairs) - asked
        for n, batch in enumerate(batches, 1):
            self._ask(batch)
            if progress is not None:
                progress(f"judge [{n}/{len(batches)}] {batch[0].fixture_id}: {len(batch)} pair(s)")
        return [(pair, self._verdicts.get(pair.key)) for pair in pairs]


def judge_run(
    run: Run,
    fixtures: FixtureSet,
    judge: Judge,
    *,
    fields: Sequence[str] = JUDGE_FIELDS,
    gate: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Run:
    """`run` with the judge's verdicts: `run.judge` (pairs, cost, agreement) and, per result,
    the mean judge score of each field (`judge.<field>` metrics, next to the token ones)."""
    started = time.monotonic()
    pairs = free_text_pairs(run, fixtures, fields)
    verdicts = judge.judge(pairs, progress)
    judged = [
        JudgedPair(
            fixture_id=p.fixture_id,
            repetition=p.repetition,
            field=p.field,
            item=p.item,
            gold=list(p.gold),
            pred=p.pred,
            token=p.token,
            judge=v.value,
            grade=v.score,
            reason=v.reason,
        )
        for p, v in verdicts
        if v is not None
    ]
    per_result: dict[tuple[str, int], dict[str, list[float]]] = {}
    for jp in judged:
        per_result.setdefault((jp.fixture_id, jp.repetition), {}).setdefault(
            judge_metric(jp.field), []
        ).append(jp.judge)
    results = [
        r.model_copy(
            update={
                "judge": {
                    k: sum(v) / len(v)
                    for k, v in sorted(per_result.get((r.fixture_id, r.repetition), {}).items())
                }
                or None
            }
        )
        for r in run.results
    ]
    record = JudgeRecord(
        backend=judge.backend.name,
        model=judge.backend.model,
        rubric_version=judge_version(),
        fields=list(fields),
        gate=gate,
        pairs=judged,
        requests=judge.requests,
        replayed=judge.replayed,
        cached_pairs=judge.cached_pairs,
        tokens_in=judge.tokens_in,
        tokens_out=judge.tokens_out,
        latency_s=max(judge.latency_s, 0.0) or time.monotonic() - started,
        errors=list(judge.errors),
        unjudged=len(pairs) - len(judged),
        agreement=agreement([(jp.field, jp.judge, jp.token) for jp in judged]),
    )
    scored = all(r.scores is not None for r in results)
    return run.model_copy(
        update={
            "results": results,
            "judge": record,
            "aggregate": aggregate(results, run.settings) if scored else run.aggregate,
        }
    )


def build_judge(config: JudgeConfig, *, replay: bool = False) -> Judge:
    """The judge a suite's `judge:` section describes; `replay` answers from its store only."""
    from summarizer.config import resolve_settings
    from summarizer.errors import UsageError
    from summarizer.pipeline import build_backend
    from summarizer.stores.responses import ResponseStore, StoreMode

    mode: StoreMode = "replay" if replay else config.mode
    if mode == "replay" and config.store is None:
        raise UsageError(
            "the judge cannot replay without a store: name judge.store in the suite, or drop --replay"
        )
    settings = resolve_settings(
        backend=config.backend,
        model=config.model if config.backend == "openai" else None,
        base_url=config.base_url if config.backend == "openai" else None,
        model_path=config.model_path if config.backend == "local" else None,
        instructor_mode=config.instructor_mode,
        max_tokens=config.max_tokens,
        max_reasks=config.max_reasks,
    ).with_(store_path=None)
    store = None
    if config.store is not None and mode != "off":
        store = ResponseStore(
            config.store, role="the judge store", fix="give another judge.store in the suite"
        )
    backend = build_backend(settings, store=store, store_mode=mode if store is not None else "off")
    return Judge(
        backend,
        batch_size=config.batch_size,
        max_tokens=config.max_tokens,
        store_hint=str(config.store) if config.store else "",
    )

"""RUN.json: what an eval run did (settings), what the model returned per fixture, and scores.

Stored predictions plus gold are the source of truth; the scores in a run file are a
convenience that `rescore` recomputes at any time (e.g. after a scoring fix).
"""

from __future__ import annotations

import math
import os
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    field_validator,
    model_validator,
)

from summarizer.errors import InputError, UsageError
from summarizer.eval.gold import FIELD_KEYS, LIST_NAMES, Gold
from summarizer.eval.judge_record import JudgeRecord
from summarizer.eval.scoring import (
    DEFAULT_CONFIG,
    Counts,
    FixtureScore,
    Price,
    ScoringConfig,
    estimate_cost,
    score_summary,
    sum_counts,
)
from summarizer.extra_fields import import_summary_type
from summarizer.schemas import Article, ArticleSummary

_SECRET_HINTS = ("key", "token", "secret", "password", "sig", "auth")


def redact_url(url: str | None) -> str | None:
    """The URL without credentials: no user:password, secret-looking query values masked."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    query = urlencode(
        [
            (k, "REDACTED" if any(h in k.lower() for h in _SECRET_HINTS) else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
    )
    return urlunsplit((parts.scheme, host, parts.path, query, parts.fragment))


class _RunModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorInfo(_RunModel):
    type: str
    message: str

    @classmethod
    def from_exception(cls, exc: BaseException) -> ErrorInfo:
        return cls(type=type(exc).__name__, message=str(exc))


class RunSettings(_RunModel):
    suite: str
    # How the suite's fixtures are built from `suite` (e.g. "meantime"); None: gold files.
    adapter: str | None = None
    model: str = ""
    backend: str = ""
    base_url: str | None = None
    prompt_version: str = ""
    # The user's prompts folder the run used (None: the packaged templates and examples).
    prompts: str | None = None
    # A user's extended summary type as module:Class (None: ArticleSummary); predictions and
    # gold are read with it (summarizer.extra_fields, summarizer.eval.extras).
    summary_type: str | None = None
    library_version: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)
    repetitions: int = Field(default=1, ge=1)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    scoring: ScoringConfig = DEFAULT_CONFIG
    # USD per 1M tokens per model name; models not listed cost 0 on local backends.
    prices: dict[str, Price] = Field(default_factory=dict)

    @field_validator("base_url")
    @classmethod
    def _no_secrets(cls, value: str | None) -> str | None:
        return redact_url(value)


class FixtureResult(_RunModel):
    fixture_id: str
    repetition: int = Field(default=0, ge=0)
    # SerializeAsAny: an extended summary type's extra fields are saved too.
    prediction: SerializeAsAny[ArticleSummary] | None = None
    error: ErrorInfo | None = None
    scores: FixtureScore | None = None
    latency_s: float = 0.0
    tokens_in: int = 0
    tokens_out: int = 0
    # Mean judge score per judged field (`judge.<field>`), when a judge ran (eval.judge).
    judge: dict[str, float] | None = None


class MetricStat(_RunModel):
    """A metric over repetitions: each repetition aggregates all fixtures once."""

    mean: float
    std: float = 0.0
    n: int = 1
    values: list[float] = Field(default_factory=list)


class RunAggregate(_RunModel):
    n_fixtures: int = 0
    n_results: int = 0
    n_errors: int = 0
    # Quality and cost metrics, mean and standard deviation over repetitions.
    metrics: dict[str, MetricStat] = Field(default_factory=dict)
    # Counts pooled over every result (all repetitions), for the report tables.
    overall: Counts = Field(default_factory=Counts)
    items: Counts = Field(default_factory=Counts)
    lists: dict[str, Counts] = Field(default_factory=dict)
    list_items: dict[str, Counts] = Field(default_factory=dict)
    fields: dict[str, Counts] = Field(default_factory=dict)
    evidence_total: int = 0
    evidence_grounded: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = 0.0


class Run(_RunModel):
    settings: RunSettings
    results: list[FixtureResult] = Field(default_factory=list)
    aggregate: RunAggregate | None = None
    # The judge's pairs, cost and agreement with the token scores, when a judge ran.
    judge: JudgeRecord | None = None

    @model_validator(mode="before")
    @classmethod
    def _typed_predictions(cls, data: Any) -> Any:
        """Predictions of an extended summary type are read as that type (its extra fields
        would be unknown to ArticleSummary)."""
        settings = data.get("settings") if isinstance(data, dict) else None
        spec = settings.get("summary_type") if isinstance(settings, dict) else None
        if not spec:
            return data
        summary_type = import_summary_type(str(spec))
        results = []
        for result in data.get("results") or []:
            if isinstance(result, dict) and isinstance(result.get("prediction"), dict):
                result = {**result, "prediction": summary_type.model_validate(result["prediction"])}
            results.append(result)
        return {**data, "results": results}

    def save(self, path: str | Path) -> None:
        """Write the run; its suite path is stored relative to the file, so that a baseline
        committed with the suite still finds its fixtures in another checkout."""
        target = Path(path)
        run = self.relative_to(target.resolve().parent)
        target.write_text(run.model_dump_json(indent=2), encoding="utf-8")

    def relative_to(self, folder: Path) -> Run:
        """The run with an absolute suite path made relative to `folder` (where it is saved)."""
        suite = Path(self.settings.suite)
        if not suite.is_absolute():
            return self
        try:
            relative = os.path.relpath(suite, folder)
        except ValueError:  # another drive (Windows): keep it absolute
            relative = str(suite)
        return self.model_copy(update={"settings": self.settings.model_copy(update={"suite": relative})})

    def resolved_from(self, folder: Path) -> Run:
        """The run with a relative suite path read from `folder` (where it was saved)."""
        suite = Path(self.settings.suite)
        if self.settings.suite and not suite.is_absolute():
            resolved = (folder / suite).resolve()
            if resolved.exists():  # a name that is no folder here stays as the run gave it
                return self.model_copy(
                    update={"settings": self.settings.model_copy(update={"suite": str(resolved)})}
                )
        return self

    @classmethod
    def load(cls, path: str | Path) -> Run:
        file = Path(path)
        if not file.is_file():
            raise InputError(f"run file {file} does not exist; pass a RUN.json from `eval run`.")
        try:
            run = cls.model_validate_json(file.read_text(encoding="utf-8"))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise InputError(
                f"{file} is not a valid run file ({exc.error_count()} problems, first: "
                f"{first['loc']}: {first['msg']}); re-create it with `eval run`."
            ) from exc
        return run.resolved_from(file.resolve().parent)


# --- scoring and aggregation -----------------------------------------------------------------


def _pooled(scores: Sequence[FixtureScore]) -> dict[str, Counts]:
    """Counts summed over fixtures, keyed like FixtureScore.metrics() prefixes."""
    out: dict[str, Counts] = {
        "overall": sum_counts([s.overall for s in scores]),
        "items": sum_counts([s.items for s in scores]),
    }
    for name in LIST_NAMES:
        present = [s.lists[name] for s in scores if name in s.lists]
        if not present:
            continue
        out[name] = sum_counts([ls.overall for ls in present])
        out[f"{name}.items"] = sum_counts([ls.items for ls in present])
        # The built-in field keys, then a user's extra fields (summarizer.eval.extras).
        keys = dict.fromkeys([*FIELD_KEYS[name], *(k for ls in present for k in ls.fields)])
        for key in keys:
            field_counts = [ls.fields[key] for ls in present if key in ls.fields]
            if field_counts:
                out[f"{name}.{key}"] = sum_counts(field_counts)
    return out


def _repetition_metrics(
    results: Sequence[FixtureResult], settings: RunSettings
) -> dict[str, float]:
    scores = [r.scores for r in results if r.scores is not None]
    metrics: dict[str, float] = {}
    for prefix, counts in _pooled(scores).items():
        if prefix.count(".") >= 1 and not prefix.endswith(".items"):
            metrics[f"{prefix}.f1"] = counts.f1  # per-field keys: F1 only
            continue
        metrics[f"{prefix}.precision"] = counts.precision
        metrics[f"{prefix}.recall"] = counts.recall
        metrics[f"{prefix}.f1"] = counts.f1
    total = sum(s.evidence_total for s in scores)
    grounded = sum(s.evidence_grounded for s in scores)
    metrics["grounding_rate"] = 1.0 if total == 0 else grounded / total
    metrics["schema_valid"] = sum(1.0 for s in scores if s.schema_valid) / max(len(scores), 1)
    judged: dict[str, list[float]] = {}
    for r in results:
        for name, value in (r.judge or {}).items():
            judged.setdefault(name, []).append(value)
    for name, values in judged.items():
        metrics[name] = statistics.fmean(values)  # a mean over the results the judge scored
    metrics["latency_s"] = statistics.fmean([r.latency_s for r in results]) if results else 0.0
    metrics["tokens_in"] = float(sum(r.tokens_in for r in results))
    metrics["tokens_out"] = float(sum(r.tokens_out for r in results))
    cost = _cost(results, settings)
    if cost is not None:
        metrics["cost_usd"] = cost
    return metrics


def _cost(results: Sequence[FixtureResult], settings: RunSettings) -> float | None:
    total = 0.0
    for r in results:
        c = estimate_cost(
            settings.model,
            r.tokens_in,
            r.tokens_out,
            backend=settings.backend,
            prices=settings.prices or None,
        )
        if c is None:
            return None
        total += c
    return total


def _stat(values: list[float]) -> MetricStat:
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return MetricStat(mean=statistics.fmean(values), std=std, n=len(values), values=values)


def aggregate(results: Sequence[FixtureResult], settings: RunSettings) -> RunAggregate:
    """Aggregate scored results: per-repetition micro metrics, then mean/std over repetitions."""
    unscored = [r.fixture_id for r in results if r.scores is None]
    if unscored:
        raise UsageError(
            f"results for {unscored[:5]} have no scores; call rescore(run, fixtures) first."
        )
    by_rep: dict[int, list[FixtureResult]] = {}
    for r in results:
        by_rep.setdefault(r.repetition, []).append(r)
    per_rep = [_repetition_metrics(by_rep[k], settings) for k in sorted(by_rep)]
    names = sorted({k for m in per_rep for k in m})
    metrics = {
        name: _stat([m[name] for m in per_rep if name in m and not math.isnan(m[name])])
        for name in names
    }
    scores = [r.scores for r in results if r.scores is not None]
    pooled = _pooled(scores)
    return RunAggregate(
        n_fixtures=len({r.fixture_id for r in results}),
        n_results=len(results),
        n_errors=sum(1 for r in results if r.error is not None or r.prediction is None),
        metrics=metrics,
        overall=pooled.get("overall", Counts()),
        items=pooled.get("items", Counts()),
        lists={n: pooled[n] for n in LIST_NAMES if n in pooled},
        list_items={n: pooled[f"{n}.items"] for n in LIST_NAMES if f"{n}.items" in pooled},
        fields={
            k: v
            for k, v in pooled.items()
            if k.split(".")[0] in LIST_NAMES and k.count(".") >= 1 and not k.endswith(".items")
        },
        evidence_total=sum(s.evidence_total for s in scores),
        evidence_grounded=sum(s.evidence_grounded for s in scores),
        tokens_in=sum(r.tokens_in for r in results),
        tokens_out=sum(r.tokens_out for r in results),
        cost_usd=_cost(results, settings),
    )


FixtureSet = Mapping[str, tuple[Article, Gold]] | Iterable[tuple[Article, Gold]]


def fixture_index(fixtures: FixtureSet) -> dict[str, tuple[Article, Gold]]:
    """Fixtures keyed by id, from a mapping or from `load_suite_dir`'s list of pairs."""
    if isinstance(fixtures, Mapping):
        return dict(fixtures)
    return {article.id: (article, gold) for article, gold in fixtures}


def score_result(
    result: FixtureResult,
    article: Article,
    gold: Gold,
    *,
    config: ScoringConfig = DEFAULT_CONFIG,
) -> FixtureResult:
    """A copy of `result` with scores recomputed from its prediction and the gold."""
    scores = score_summary(result.prediction, gold, article, config=config)
    return result.model_copy(update={"scores": scores})


def rescore(run: Run, fixtures: FixtureSet) -> Run:
    """Recompute every score of `run` from its stored predictions and the fixtures' gold."""
    index = fixture_index(fixtures)
    missing = sorted({r.fixture_id for r in run.results} - set(index))
    if missing:
        raise UsageError(
            f"the run has results for fixtures not in the suite: {missing[:5]}; "
            f"pass the suite the run was made with ({run.settings.suite!r})."
        )
    results = [
        score_result(r, *index[r.fixture_id], config=run.settings.scoring) for r in run.results
    ]
    return run.model_copy(
        update={"results": results, "aggregate": aggregate(results, run.settings)}
    )


def rescore_available(run: Run, fixtures: FixtureSet) -> Run:
    """`rescore` for the fixtures given; a result whose fixture is not among them keeps the
    run file's scores (a report over a suite with a fixture file missing still renders)."""
    index = fixture_index(fixtures)
    if all(r.fixture_id in index for r in run.results):
        return rescore(run, index)
    unscored = sorted({r.fixture_id for r in run.results if r.fixture_id not in index and r.scores is None})
    if unscored:
        raise UsageError(
            f"the run has unscored results for fixtures not in the suite: {unscored[:5]}; "
            f"pass the suite the run was made with ({run.settings.suite!r})."
        )
    results = [
        score_result(r, *index[r.fixture_id], config=run.settings.scoring) if r.fixture_id in index else r
        for r in run.results
    ]
    return run.model_copy(update={"results": results, "aggregate": aggregate(results, run.settings)})

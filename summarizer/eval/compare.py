"""Compare two runs of the same suite: paired per-fixture deltas with bootstrap CIs, and a gate.

Fixtures are paired by id; repetitions of a fixture are averaged first. A metric's delta is
the mean over paired fixtures of (new - base); its 95% confidence interval comes from a
paired bootstrap over fixtures (seeded, so the same inputs always give the same interval).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field

from summarizer.errors import UsageError
from summarizer.eval.runfile import Run

DEFAULT_METRICS: tuple[str, ...] = (
    "overall.f1",
    "overall.precision",
    "overall.recall",
    "items.f1",
    "meetings.f1",
    "statements.f1",
    "planned_events.f1",
    "grounding_rate",
    "schema_valid",
    "latency_s",
)
DEFAULT_GATED: tuple[str, ...] = ("overall.f1", "items.f1", "grounding_rate", "schema_valid")
LOWER_IS_BETTER = frozenset({"latency_s", "tokens_in", "tokens_out", "cost_usd"})
PRIMARY_METRIC = "overall.f1"
_EPS = 1e-9


class MetricDelta(BaseModel):
    metric: str
    base: float
    new: float
    delta: float
    ci_low: float
    ci_high: float
    n: int
    higher_is_better: bool = True


class FieldChange(BaseModel):
    metric: str
    base: float
    new: float


class FixtureChange(BaseModel):
    fixture_id: str
    base: float
    new: float
    delta: float
    fields: list[FieldChange] = Field(default_factory=list)


class Comparison(BaseModel):
    base_label: str = ""
    new_label: str = ""
    n_fixtures: int
    only_in_base: list[str] = Field(default_factory=list)
    only_in_new: list[str] = Field(default_factory=list)
    metrics: dict[str, MetricDelta] = Field(default_factory=dict)
    primary_metric: str = PRIMARY_METRIC
    worse: list[FixtureChange] = Field(default_factory=list)
    better: list[FixtureChange] = Field(default_factory=list)
    n_boot: int = 2000
    seed: int = 0


class GateResult(BaseModel):
    passed: bool
    threshold: float
    failures: list[str] = Field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed


def fixture_metrics(run: Run) -> dict[str, dict[str, float]]:
    """Per fixture id, every metric averaged over the fixture's repetitions."""
    sums: dict[str, dict[str, list[float]]] = {}
    for r in run.results:
        if r.scores is None:
            raise UsageError(
                f"result {r.fixture_id!r} has no scores; rescore the run against its suite first."
            )
        values = r.scores.metrics()
        values["latency_s"] = r.latency_s
        values["tokens_in"] = float(r.tokens_in)
        values["tokens_out"] = float(r.tokens_out)
        bucket = sums.setdefault(r.fixture_id, {})
        for name, value in values.items():
            bucket.setdefault(name, []).append(value)
    return {fid: {k: float(np.mean(v)) for k, v in m.items()} for fid, m in sums.items()}


def _bootstrap_ci(deltas: np.ndarray, n_boot: int, seed: int) -> tuple[float, float]:
    # A fresh generator per metric: every metric sees the same resamples of the fixtures.
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(deltas), size=(n_boot, len(deltas)))
    means = deltas[idx].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def _label(run: Run) -> str:
    s = run.settings
    return f"{s.model or s.backend or 'run'} @ {s.created_at:%Y-%m-%d %H:%M}"


def _field_changes(base: dict[str, float], new: dict[str, float]) -> list[FieldChange]:
    keys = sorted(k for k in base.keys() & new.keys() if k.count(".") >= 2 and k.endswith(".f1"))
    return [
        FieldChange(metric=k, base=base[k], new=new[k])
        for k in keys
        if abs(new[k] - base[k]) > _EPS and k.split(".")[1] != "items"
    ]


def compare(
    base_run: Run,
    new_run: Run,
    *,
    metrics: Sequence[str] = DEFAULT_METRICS,
    n_boot: int = 2000,
    seed: int = 0,
) -> Comparison:
    """Paired comparison of `new_run` against `base_run` (deltas are new - base)."""
    if n_boot < 1:
        raise UsageError(f"n_boot must be at least 1 (got {n_boot}).")
    base = fixture_metrics(base_run)
    new = fixture_metrics(new_run)
    common = sorted(base.keys() & new.keys())
    if not common:
        raise UsageError("the two runs share no fixture ids; compare runs of the same suite.")
    deltas: dict[str, MetricDelta] = {}
    for metric in metrics:
        ids = [f for f in common if metric in base[f] and metric in new[f]]
        if not ids:
            continue
        b = np.array([base[f][metric] for f in ids])
        n = np.array([new[f][metric] for f in ids])
        low, high = _bootstrap_ci(n - b, n_boot, seed)
        deltas[metric] = MetricDelta(
            metric=metric,
            base=float(b.mean()),
            new=float(n.mean()),
            delta=float((n - b).mean()),
            ci_low=low,
            ci_high=high,
            n=len(ids),
            higher_is_better=metric not in LOWER_IS_BETTER,
        )
    changes = [
        FixtureChange(
            fixture_id=f,
            base=base[f][PRIMARY_METRIC],
            new=new[f][PRIMARY_METRIC],
            delta=new[f][PRIMARY_METRIC] - base[f][PRIMARY_METRIC],
            fields=_field_changes(base[f], new[f]),
        )
        for f in common
        if PRIMARY_METRIC in base[f] and PRIMARY_METRIC in new[f]
    ]
    return Comparison(
        base_label=_label(base_run),
        new_label=_label(new_run),
        n_fixtures=len(common),
        only_in_base=sorted(base.keys() - new.keys()),
        only_in_new=sorted(new.keys() - base.keys()),
        metrics=deltas,
        worse=sorted((c for c in changes if c.delta < -_EPS), key=lambda c: c.delta),
        better=sorted((c for c in changes if c.delta > _EPS), key=lambda c: -c.delta),
        n_boot=n_boot,
        seed=seed,
    )


def gate(
    comparison: Comparison,
    threshold: float = 0.02,
    *,
    metrics: Sequence[str] = DEFAULT_GATED,
) -> GateResult:
    """Fail when a gated metric's whole 95% CI lies beyond -threshold (a clear regression).

    For lower-is-better metrics (latency, tokens, cost) the CI must lie above +threshold.
    """
    failures: list[str] = []
    for name in metrics:
        d = comparison.metrics.get(name)
        if d is None:
            continue
        if d.higher_is_better and d.ci_high < -threshold:
            failures.append(
                f"{name}: {d.base:.3f} -> {d.new:.3f} (delta {d.delta:+.3f}, "
                f"95% CI [{d.ci_low:+.3f}, {d.ci_high:+.3f}] below -{threshold})"
            )
        elif not d.higher_is_better and d.ci_low > threshold:
            failures.append(
                f"{name}: {d.base:.3f} -> {d.new:.3f} (delta {d.delta:+.3f}, "
                f"95% CI [{d.ci_low:+.3f}, {d.ci_high:+.3f}] above +{threshold})"
            )
    return GateResult(passed=not failures, threshold=threshold, failures=failures)

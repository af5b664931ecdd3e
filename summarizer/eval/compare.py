"""Compare two runs of the same suite: paired per-fixture deltas with bootstrap CIs, and a gate.

Fixtures are paired by id; repetitions of a fixture are averaged first. A metric's delta is
the mean over paired fixtures of (new - base); its 95% confidence interval comes from a
paired bootstrap over fixtures (seeded, so the same inputs always give the same interval).
Every metric here is a mean over fixtures (each fixture counts once, whatever its size);
`eval run` also prints the micro average over all fields of all fixtures, which weighs long
articles more: the two are named apart everywhere they are shown.

The gate's rules and its test (Holm-Bonferroni over the gated metrics, detectable drops)
live in `summarizer.eval.gating`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, Field

from summarizer.errors import UsageError
from summarizer.eval.gating import (
    DEFAULT_GATED,
    GateConfig,
    MetricRule,
    MetricVerdict,
    bootstrap_p_value,
    detectable_drop,
    holm,
)
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
    base_sd: float = 0.0
    """Spread of the baseline's per-fixture values (what `detectable_drop` needs)."""
    base_values: list[float] = Field(default_factory=list)
    """The baseline's per-fixture values, in `fixture_ids` order."""
    deltas: list[float] = Field(default_factory=list)
    """Per-fixture paired changes (new - base), in `fixture_ids` order."""
    fixture_ids: list[str] = Field(default_factory=list)


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
    base_prompt_version: str = ""
    new_prompt_version: str = ""
    flaky: list[str] = Field(default_factory=list)
    """Fixtures whose repetitions disagree (in either run)."""
    excluded: list[str] = Field(default_factory=list)
    """Fixtures left out of every metric (flaky ones, when asked)."""


class GateResult(BaseModel):
    passed: bool
    threshold: float
    failures: list[str] = Field(default_factory=list)
    verdicts: list[MetricVerdict] = Field(default_factory=list)
    alpha: float = 0.05
    fixture_regressions: list[FixtureChange] = Field(default_factory=list)
    """Fixtures whose primary metric dropped by more than the suite's `fixture_max_drop`."""
    fixture_max_drop: float = 0.25
    warnings: list[str] = Field(default_factory=list)
    """Gated metrics this baseline cannot watch (missing, or blind to drops as large as itself)."""

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
        values.update(r.judge or {})  # judge.<field>: compared (and gated) only when named
        bucket = sums.setdefault(r.fixture_id, {})
        for name, value in values.items():
            bucket.setdefault(name, []).append(value)
    return {fid: {k: float(np.mean(v)) for k, v in m.items()} for fid, m in sums.items()}


def flaky_fixtures(run: Run, metric: str = PRIMARY_METRIC) -> list[str]:
    """Fixtures whose repetitions disagree on `metric` (or where some failed and some did not)."""
    seen: dict[str, list[float]] = {}
    for r in run.results:
        if r.scores is None:
            continue
        value = r.scores.metrics().get(metric)
        seen.setdefault(r.fixture_id, []).append(float("nan") if value is None else value)
        if r.error is not None:
            seen[r.fixture_id].append(-1.0)
    flaky = []
    for fid, values in seen.items():
        finite = [v for v in values if not np.isnan(v)]
        if len(values) > 1 and (len(finite) != len(values) or max(finite) - min(finite) > _EPS):
            flaky.append(fid)
    return sorted(flaky)


def _bootstrap_ci(deltas: np.ndarray, n_boot: int, seed: int) -> tuple[float, float]:
    # A fresh generator per metric: every metric sees the same resamples of the fixtures.
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(deltas), size=(n_boot, len(deltas)))
    means = deltas[idx].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def _label(run: Run) -> str:
    s = run.settings
    version = f" prompt {s.prompt_version[:12]}" if s.prompt_version else ""
    return f"{s.model or s.backend or 'run'} ({s.backend or '?'}){version} @ {s.created_at:%Y-%m-%d %H:%M}"


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
    exclude_flaky: bool = False,
) -> Comparison:
    """Paired comparison of `new_run` against `base_run` (deltas are new - base).

    `metrics` are compared in that order; gated metrics not among them are added by `gate`'s
    callers through `metrics=`. With `exclude_flaky`, fixtures whose repetitions disagree in
    either run are left out of every metric.
    """
    if n_boot < 1:
        raise UsageError(f"n_boot must be at least 1 (got {n_boot}).")
    base = fixture_metrics(base_run)
    new = fixture_metrics(new_run)
    flaky = sorted(set(flaky_fixtures(base_run)) | set(flaky_fixtures(new_run)))
    excluded = flaky if exclude_flaky else []
    common = sorted((base.keys() & new.keys()) - set(excluded))
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
            base_sd=float(b.std(ddof=1)) if len(ids) > 1 else 0.0,
            base_values=[float(v) for v in b],
            deltas=[float(v) for v in n - b],
            fixture_ids=ids,
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
        base_prompt_version=base_run.settings.prompt_version,
        new_prompt_version=new_run.settings.prompt_version,
        flaky=flaky,
        excluded=excluded,
    )


def gate(
    comparison: Comparison,
    threshold: float = 0.02,
    *,
    metrics: Sequence[str] = DEFAULT_GATED,
    config: GateConfig | None = None,
) -> GateResult:
    """Fail when a gated metric got worse by more than its tolerance, with Holm-Bonferroni
    holding the family-wise false-alarm rate at `config.alpha` (see `summarizer.eval.gating`).

    Without `config`, every metric in `metrics` may drop by `threshold`. For lower-is-better
    metrics (latency, tokens, cost) the change must stay below +tolerance instead.
    """
    if config is None:
        config = GateConfig(metrics={m: MetricRule(max_drop=threshold) for m in metrics})
    present = {name: comparison.metrics[name] for name in config.metrics if name in comparison.metrics}
    warnings = [
        f"{name} is gated but neither run has it: check the metric's name (see `eval score`)"
        for name in config.metrics
        if name not in comparison.metrics
    ]
    p_values: dict[str, float] = {}
    tolerances: dict[str, float] = {}
    for name, d in present.items():
        tolerances[name] = config.metrics[name].tolerance(d.base)
        p_values[name] = bootstrap_p_value(
            d.deltas or [d.delta],
            tolerances[name],
            higher_is_better=d.higher_is_better,
            n_boot=comparison.n_boot,
            seed=comparison.seed,
        )
    decisions = holm(p_values, config.alpha)
    verdicts: list[MetricVerdict] = []
    failures: list[str] = []
    for name, d in present.items():
        rejected, level = decisions[name]
        verdict = MetricVerdict(
            metric=name,
            base=d.base,
            new=d.new,
            delta=d.delta,
            tolerance=tolerances[name],
            rule=config.metrics[name].describe(),
            n=d.n,
            p_value=p_values[name],
            holm_level=level,
            failed=rejected,
            detectable_drop=detectable_drop(
                d.base_values or [d.base], tolerances[name], alpha=config.alpha, n_metrics=len(present)
            ),
            higher_is_better=d.higher_is_better,
        )
        verdicts.append(verdict)
        if rejected:
            worse = "below -" if d.higher_is_better else "above +"
            failures.append(
                f"{name}: {d.base:.3f} → {d.new:.3f} (delta {d.delta:+.3f}, "
                f"95% CI [{d.ci_low:+.3f}, {d.ci_high:+.3f}]; {worse}{tolerances[name]:.3g} "
                f"with p={p_values[name]:.4f} <= {level:.4f})"
            )
        elif verdict.blind:
            seen = "no drop at all" if verdict.detectable_drop is None else f"drops under {verdict.detectable_drop:.3f}"
            warnings.append(
                f"{name}: this baseline ({d.base:.3f} over {d.n} fixtures) cannot detect {seen}, "
                "not even one as large as its own value: the gate cannot catch its regressions"
            )
    regressions = [c for c in comparison.worse if -c.delta > config.fixture_max_drop + _EPS]
    return GateResult(
        passed=not failures,
        threshold=threshold,
        failures=failures,
        verdicts=verdicts,
        alpha=config.alpha,
        fixture_regressions=regressions,
        fixture_max_drop=config.fixture_max_drop,
        warnings=warnings,
    )

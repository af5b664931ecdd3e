"""The regression gate: which metrics gate, by how much each may drop, and the test that decides.

A suite names its rules under `gate:` (all keys optional):

```yaml
gate:
  alpha: 0.05                 # family-wise error rate over the gated metrics (Holm-Bonferroni)
  exclude_flaky: false        # leave out fixtures whose repetitions disagree
  fixture_max_drop: 0.25      # a fixture whose overall.f1 drops more is listed as a regression
  metrics:                    # metric: allowed drop (absolute), or a mapping
    overall.f1: 0.02
    statements.speaker.f1: {max_drop: 0.05, max_relative_drop: 0.10}
```

For each gated metric the tolerance is `max_drop`, or `max_relative_drop` times the baseline's
value, or the smaller of the two when both are given. The question asked of the data is one-sided:
is the mean paired change worse than -tolerance? Its p-value comes from the same seeded paired
bootstrap over fixtures as `compare`'s intervals (the share of resampled means that are not worse
than -tolerance). Holm-Bonferroni then holds the chance of a false alarm anywhere among the gated
metrics at `alpha`, however many are gated.

`detectable_drop` answers the question a gate's owner should ask first: how large a drop can
this baseline see? For a regression that takes the same fraction off every fixture's score, the
per-fixture changes spread like the baseline's own scores, and the smallest mean drop found with
power 0.8 is `r * mean` where `r = tolerance / (mean - (z_a + z_0.8) * sd / sqrt(n))`, with `z_a`
the one-sided quantile at Holm's strictest level `alpha / m`. (This is the normal approximation of
the paired bootstrap; `tests/test_eval_gating.py` checks it against simulation.) When the
denominator is not positive no drop, not even to zero, would be seen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from scipy.stats import norm

from summarizer.errors import UsageError

DEFAULT_GATED: tuple[str, ...] = ("overall.f1", "items.f1", "grounding_rate", "schema_valid")
DEFAULT_MAX_DROP = 0.02
DEFAULT_ALPHA = 0.05
POWER = 0.8
_EPS = 1e-9


class MetricRule(BaseModel):
    """How far one metric may move the wrong way before the gate fails."""

    model_config = ConfigDict(extra="forbid")

    max_drop: float | None = Field(default=None, ge=0)
    """Allowed change in the metric's own units (0.02 = two points of F1)."""
    max_relative_drop: float | None = Field(default=None, ge=0, le=1)
    """Allowed change as a fraction of the baseline's value (0.05 = 5% of it)."""

    @model_validator(mode="after")
    def _one_given(self) -> MetricRule:
        if self.max_drop is None and self.max_relative_drop is None:
            self.max_drop = DEFAULT_MAX_DROP
        return self

    def tolerance(self, base_value: float) -> float:
        allowed = [t for t in (self.max_drop,) if t is not None]
        if self.max_relative_drop is not None:
            allowed.append(self.max_relative_drop * abs(base_value))
        return min(allowed)

    def describe(self) -> str:
        parts = []
        if self.max_drop is not None:
            parts.append(f"{self.max_drop:g}")
        if self.max_relative_drop is not None:
            parts.append(f"{self.max_relative_drop:.0%} of base")
        return " or ".join(parts)


class GateConfig(BaseModel):
    """A suite's gate rules (the `gate:` mapping of its YAML file)."""

    model_config = ConfigDict(extra="forbid")

    metrics: dict[str, MetricRule] = Field(
        default_factory=lambda: {m: MetricRule(max_drop=DEFAULT_MAX_DROP) for m in DEFAULT_GATED}
    )
    """Gated metrics and their rules; a bare number is an absolute `max_drop`."""
    alpha: float = Field(default=DEFAULT_ALPHA, gt=0, lt=1)
    """Family-wise false-alarm rate over all gated metrics (Holm-Bonferroni)."""
    exclude_flaky: bool = False
    """Leave fixtures whose repetitions disagree out of the comparison."""
    fixture_max_drop: float = Field(default=0.25, ge=0)
    """A fixture whose primary metric drops by more is a per-fixture regression."""

    @field_validator("metrics", mode="before")
    @classmethod
    def _numbers_are_drops(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {
                str(k): {"max_drop": v} if isinstance(v, int | float) and not isinstance(v, bool) else v
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return {str(k): {"max_drop": DEFAULT_MAX_DROP} for k in value}
        return value

    def restricted(self, metrics: Sequence[str] | None, max_drop: float | None = None) -> GateConfig:
        """The same rules for only `metrics` (new ones get the default), `max_drop` overriding."""
        chosen = dict(self.metrics)
        if metrics:
            chosen = {m: self.metrics.get(m, MetricRule(max_drop=DEFAULT_MAX_DROP)) for m in metrics}
        if max_drop is not None:
            chosen = {m: MetricRule(max_drop=max_drop) for m in chosen}
        return self.model_copy(update={"metrics": chosen})


def gate_config(raw: Any, source: str = "the suite") -> GateConfig:
    """Parse a suite's `gate:` value; a mistake is a UsageError naming the key."""
    if raw is None:
        return GateConfig()
    if not isinstance(raw, Mapping):
        raise UsageError(f"{source}: `gate:` must be a mapping (metrics, alpha, exclude_flaky, fixture_max_drop)")
    try:
        return GateConfig.model_validate(dict(raw))
    except ValueError as exc:
        first = exc.errors()[0] if hasattr(exc, "errors") else {"loc": (), "msg": str(exc)}
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(f"{source}: gate.{where}: {first['msg']}: fix the suite's `gate:` rules") from None


class MetricVerdict(BaseModel):
    """One gated metric's test."""

    metric: str
    base: float
    new: float
    delta: float
    tolerance: float
    rule: str
    n: int
    p_value: float
    """One-sided bootstrap p-value for "worse than -tolerance"."""
    holm_level: float = 0.0
    """The level Holm's step-down compared this p-value with."""
    failed: bool = False
    detectable_drop: float | None = None
    """Smallest drop found with power 0.8 (None: not even a drop to zero)."""
    higher_is_better: bool = True

    @property
    def blind(self) -> bool:
        """The baseline cannot see a drop as large as its own value."""
        if not self.higher_is_better:
            return False
        return self.detectable_drop is None or self.detectable_drop > abs(self.base) + _EPS


def bootstrap_p_value(
    deltas: Sequence[float], tolerance: float, *, higher_is_better: bool, n_boot: int, seed: int
) -> float:
    """Share of paired-bootstrap means that do not show a change worse than the tolerance."""
    values = np.asarray(deltas, dtype=float)
    if not higher_is_better:
        values = -values
    if len(values) == 0:
        return 1.0
    rng = np.random.default_rng(seed)  # the same resamples as compare's intervals
    idx = rng.integers(0, len(values), size=(n_boot, len(values)))
    means = values[idx].mean(axis=1)
    not_worse = int(np.count_nonzero(means >= -tolerance - _EPS))
    return (1 + not_worse) / (1 + n_boot)


def holm(p_values: Mapping[str, float], alpha: float) -> dict[str, tuple[bool, float]]:
    """Holm-Bonferroni step-down: name -> (rejected, the level it was compared with)."""
    order = sorted(p_values, key=lambda k: (p_values[k], k))
    m = len(order)
    out: dict[str, tuple[bool, float]] = {}
    still_rejecting = True
    for i, name in enumerate(order):
        level = alpha / (m - i)
        still_rejecting = still_rejecting and p_values[name] <= level
        out[name] = (still_rejecting, level)
    return out


def detectable_drop(
    base_values: Sequence[float], tolerance: float, *, alpha: float, n_metrics: int, power: float = POWER
) -> float | None:
    """Smallest mean drop a gate sees with `power` (see the module docstring); None: none."""
    values = np.asarray(base_values, dtype=float)
    n = len(values)
    if n == 0:
        return None
    mean = float(abs(values.mean()))
    sd = float(values.std(ddof=1)) if n > 1 else 0.0
    z = float(norm.ppf(1 - alpha / max(n_metrics, 1)) + norm.ppf(power))
    room = mean - z * sd / math.sqrt(n)
    if room <= _EPS:
        return None
    return tolerance * mean / room if mean > _EPS else tolerance

"""The eval report's pictures, built from runs and comparisons (drawn by `summarizer.eval.svg`).

Each function takes one or several labelled runs (a run report draws one series, a matrix
report one per cell), so the single-run and the matrix report show the same pictures.
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.eval.compare import LOWER_IS_BETTER, Comparison
from summarizer.eval.gold import LIST_NAMES
from summarizer.eval.runfile import Run, RunAggregate
from summarizer.eval.svg import bar_chart, forest_plot, histogram

Labelled = Sequence[tuple[str, Run, RunAggregate]]


def field_f1_bars(runs: Labelled) -> str:
    """Micro F1 per list and per field (fields nobody filled are left out), one bar per run."""
    keys: list[str] = ["overall", "items"]
    for name in LIST_NAMES:
        keys.append(name)
        for key in dict.fromkeys(k for _l, _r, agg in runs for k in agg.fields if k.startswith(f"{name}.")):
            if any(key in agg.fields and agg.fields[key].pos + agg.fields[key].act > 0 for _l, _r, agg in runs):
                keys.append(key)

    def value(agg: RunAggregate, key: str) -> float | None:
        if key == "overall":
            return agg.overall.f1
        if key == "items":
            return agg.items.f1
        counts = agg.lists.get(key) or agg.fields.get(key)
        return counts.f1 if counts is not None and counts.pos + counts.act > 0 else None

    series = [(label, [value(agg, k) for k in keys]) for label, _r, agg in runs]
    shown = [k for i, k in enumerate(keys) if any(vals[i] is not None for _l, vals in series)]
    kept = [i for i, k in enumerate(keys) if k in shown]
    return bar_chart(
        "F1 per list and field (micro)",
        shown,
        [(label, [vals[i] for i in kept]) for label, vals in series],
    )


def delta_forest(comparison: Comparison, title: str | None = None) -> str:
    """A forest plot of the comparison's quality deltas (new - base) with 95% intervals; the
    cost metrics (seconds, tokens) are on other scales and stay in the tables."""
    rows = [
        (d.metric, d.delta, d.ci_low, d.ci_high)
        for d in comparison.metrics.values()
        if d.metric not in LOWER_IS_BETTER
    ]
    return forest_plot(title or "Change against the baseline (mean over fixtures, 95% CI)", rows)


def latency_histogram(runs: Labelled) -> str:
    return histogram(
        "Latency per fixture", [(label, [r.latency_s for r in run.results]) for label, run, _a in runs], unit=" s"
    )


def token_histogram(runs: Labelled) -> str:
    series: list[tuple[str, list[float]]] = []
    for label, run, _agg in runs:
        prefix = f"{label}: " if len(runs) > 1 else ""
        series.append((f"{prefix}tokens in", [float(r.tokens_in) for r in run.results]))
        series.append((f"{prefix}tokens out", [float(r.tokens_out) for r in run.results]))
    return histogram("Tokens per fixture", series, unit=" tokens")

"""Inline SVG charts for the HTML eval report: bars, a forest plot, histograms.

Every chart is a plain `<svg>` of rects, lines and text: no script, no external resource, no
URL attribute. Labels come from run files and fixture ids, so every text and attribute value
goes through `esc`; numbers are formatted here, never taken as text from input. Charts scale
with their data's length only (a 1,000-fixture run draws 1,000 values into a fixed number of
histogram bins, not 1,000 shapes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from summarizer.render import esc

PALETTE = ("#457b9d", "#e76f51", "#2a9d8f", "#e9c46a", "#8d99ae", "#9b5de5", "#f15bb5", "#00bbf9")
_FONT = 'font-family="system-ui,sans-serif" font-size="11"'


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (
        f'<svg width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{esc(label)}" {_FONT}>'
        f"<title>{esc(label)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{esc(text)}</text>'


def _legend(series: Sequence[str], x: float, y: float) -> list[str]:
    out: list[str] = []
    for k, name in enumerate(series):
        yy = y + 14 * k
        out.append(f'<rect x="{x:.1f}" y="{yy - 9:.1f}" width="10" height="10" fill="{PALETTE[k % len(PALETTE)]}"/>')
        out.append(_text(x + 14, yy, name))
    return out


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> str:
    """Horizontal bars in [0, 1], one group per label and one bar per series (e.g. per-field F1
    of one run, or of every matrix cell). A missing value (None) draws no bar."""
    n_series = max(1, len(series))
    bar_h = 10 if n_series > 1 else 12
    group_h = bar_h * n_series + 6
    left, plot_w = 190.0, 320.0
    legend_w = 170.0 if n_series > 1 else 0.0
    height = 28 + group_h * len(labels) + 24
    width = left + plot_w + 50 + legend_w
    body = [_text(4, 14, title, extra=' font-weight="600"')]
    top = 24.0
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + tick * plot_w
        body.append(f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{height - 20:.1f}" stroke="#ddd"/>')
        body.append(_text(x, height - 6, f"{tick:g}", "middle"))
    for i, label in enumerate(labels):
        y0 = top + i * group_h
        body.append(_text(left - 6, y0 + group_h / 2 + 3, label, "end"))
        for k, (name, values) in enumerate(series):
            value = values[i] if i < len(values) else None
            if value is None or math.isnan(value):
                continue
            v = min(max(value, 0.0), 1.0)
            y = y0 + 3 + k * bar_h
            body.append(
                f'<rect x="{left:.1f}" y="{y:.1f}" width="{v * plot_w:.1f}" height="{bar_h - 1}" '
                f'fill="{PALETTE[k % len(PALETTE)]}"><title>{esc(f"{name}: {label} {value:.3f}")}</title></rect>'
            )
            body.append(_text(left + v * plot_w + 3, y + bar_h - 2, f"{value:.2f}"))
    if n_series > 1:
        body += _legend([name for name, _ in series], left + plot_w + 50, top + 10)
    return _svg(width, height, title, body)


def forest_plot(title: str, rows: Sequence[tuple[str, float, float, float]]) -> str:
    """One row per (label, delta, ci_low, ci_high): a point at the delta, a line over the 95%
    interval, and the zero line. Rows whose interval excludes zero are coloured."""
    left, plot_w = 230.0, 300.0
    row_h = 18
    height = 28 + row_h * max(1, len(rows)) + 24
    width = left + plot_w + 150
    span = max([abs(v) for _l, d, lo, hi in rows for v in (d, lo, hi) if math.isfinite(v)] + [0.01])
    span = span * 1.1

    def x_of(v: float) -> float:
        return left + (v + span) / (2 * span) * plot_w

    body = [_text(4, 14, title, extra=' font-weight="600"')]
    top = 24.0
    zero = x_of(0.0)
    body.append(f'<line x1="{zero:.1f}" y1="{top:.1f}" x2="{zero:.1f}" y2="{height - 20:.1f}" stroke="#888"/>')
    for tick in (-span, -span / 2, span / 2, span):
        body.append(_text(x_of(tick), height - 6, f"{tick:+.2f}", "middle"))
    body.append(_text(zero, height - 6, "0", "middle"))
    for i, (label, delta, low, high) in enumerate(rows):
        y = top + i * row_h + row_h / 2
        colour = "#2a9d8f" if low > 0 else ("#e76f51" if high < 0 else "#457b9d")
        body.append(_text(left - 6, y + 4, label, "end"))
        body.append(
            f'<line x1="{x_of(low):.1f}" y1="{y:.1f}" x2="{x_of(high):.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        body.append(
            f'<circle cx="{x_of(delta):.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
            f"<title>{esc(f'{label}: {delta:+.3f} [{low:+.3f}, {high:+.3f}]')}</title></circle>"
        )
        body.append(_text(left + plot_w + 8, y + 4, f"{delta:+.3f} [{low:+.3f}, {high:+.3f}]"))
    return _svg(width, height, title, body)


def histogram(title: str, series: Sequence[tuple[str, Sequence[float]]], bins: int = 20, unit: str = "") -> str:
    """Counts of values in `bins` equal-width bins over the range of every series together;
    several series are drawn as outlined steps over the same bins."""
    values = [v for _name, vs in series for v in vs if math.isfinite(v)]
    left, plot_w, plot_h = 50.0, 420.0, 120.0
    legend_w = 170.0 if len(series) > 1 else 0.0
    width, height = left + plot_w + 20 + legend_w, 24 + plot_h + 34
    body = [_text(4, 14, title, extra=' font-weight="600"')]
    if not values:
        body.append(_text(left, 60, "no values"))
        return _svg(width, height, title, body)
    lo, hi = min(values), max(values)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    step = (hi - lo) / bins
    counts = []
    for _name, vs in series:
        c = [0] * bins
        for v in vs:
            if math.isfinite(v):
                c[min(bins - 1, int((v - lo) / step))] += 1
        counts.append(c)
    peak = max(max(c) for c in counts) or 1
    top = 24.0
    base = top + plot_h
    bw = plot_w / bins
    body.append(f'<line x1="{left:.1f}" y1="{base:.1f}" x2="{left + plot_w:.1f}" y2="{base:.1f}" stroke="#888"/>')
    body.append(_text(left - 4, top + 8, str(peak), "end"))
    body.append(_text(left - 4, base, "0", "end"))
    for k, c in enumerate(counts):
        colour = PALETTE[k % len(PALETTE)]
        for b, n in enumerate(c):
            if not n:
                continue
            h = n / peak * plot_h
            x = left + b * bw
            fill = f'fill="{colour}" fill-opacity="{0.8 if len(series) == 1 else 0.35}"'
            edge = f'{fill} stroke="{colour}"'
            tip = f"{series[k][0]}: {n} in [{lo + b * step:.3g}, {lo + (b + 1) * step:.3g}){unit}"
            body.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bw:.1f}" height="{h:.1f}" {edge}>'
                f"<title>{esc(tip)}</title></rect>"
            )
    for tick in range(0, bins + 1, max(1, bins // 4)):
        body.append(_text(left + tick * bw, base + 14, f"{lo + tick * step:.3g}", "middle"))
    body.append(_text(left + plot_w / 2, base + 28, unit.strip() or "value", "middle"))
    if len(series) > 1:
        body += _legend([name for name, _ in series], left + plot_w + 20, top + 10)
    return _svg(width, height, title, body)

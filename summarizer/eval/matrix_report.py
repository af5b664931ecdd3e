"""A matrix's report: every cell side by side, and each cell's paired changes against the
baseline column (Markdown, or one self-contained HTML page with the same pictures as a run's).

Quality metrics in the side-by-side table are means over fixtures (what `compare` pairs);
per-field F1s are micro (pooled), as in a run's report; latency and tokens are per fixture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from summarizer.eval import matrix_fixtures
from summarizer.eval.compare import DEFAULT_METRICS, Comparison, fixture_metrics
from summarizer.eval.matrix import AXES, MatrixRun, matrix_comparisons
from summarizer.eval.report import html_pictures, html_table, prepare_run
from summarizer.eval.runfile import FixtureSet, Run, RunAggregate, fixture_index
from summarizer.render import esc, html_page, md_escape, md_table

_SIDE_BY_SIDE = (
    "overall.f1", "overall.precision", "overall.recall", "items.f1", "meetings.f1",
    "statements.f1", "planned_events.f1", "grounding_rate", "schema_valid",
    "latency_s", "tokens_in", "tokens_out",
)


def _num(x: float | None, metric: str = "") -> str:
    if x is None or math.isnan(x):
        return "n/a"
    return f"{x:.0f}" if metric.startswith("tokens") else f"{x:.3f}"


def _mean_over_fixtures(run: Run, metric: str) -> float | None:
    values = [m[metric] for m in fixture_metrics(run).values() if metric in m]
    return sum(values) / len(values) if values else None


def _prepared(
    matrix: MatrixRun, fixtures: FixtureSet | None
) -> list[tuple[str, Run, RunAggregate]]:
    index = fixture_index(fixtures) if fixtures is not None else None
    out = []
    for cell in matrix.cells:
        run, agg, _index = prepare_run(cell.run, index or None)
        out.append((cell.label, run, agg))
    return out


def _cell_rows(matrix: MatrixRun, runs: Sequence[tuple[str, Run, RunAggregate]], baseline: str) -> list[list[str]]:
    axes = [a for a in AXES if any(a in c.axes for c in matrix.cells)]
    rows = []
    for cell, (_label, run, _agg) in zip(matrix.cells, runs, strict=True):
        s = run.settings
        mark = " (baseline)" if cell.label == baseline else ""
        rows.append(
            [cell.label + mark, *(cell.axes.get(a, "") for a in axes), s.model, s.backend, s.prompt_version[:12]]
        )
    return [["cell", *axes, "model", "backend", "prompt version"], *rows]


def _side_rows(runs: Sequence[tuple[str, Run, RunAggregate]]) -> list[list[str]]:
    rows = [[m, *(_num(_mean_over_fixtures(run, m), m) for _l, run, _a in runs)] for m in _SIDE_BY_SIDE]
    rows.append(["failures / results", *(f"{agg.n_errors} / {agg.n_results}" for _l, _r, agg in runs)])
    fields = dict.fromkeys(
        k for _l, _r, agg in runs for k, c in agg.fields.items() if c.pos + c.act > 0
    )
    for key in fields:
        values = []
        for _l, _r, agg in runs:
            counts = agg.fields.get(key)
            values.append(_num(counts.f1) if counts is not None and counts.pos + counts.act > 0 else "n/a")
        rows.append([f"{key}.f1 (micro)", *values])
    return rows


def _delta_rows(comparisons: Sequence[tuple[str, Comparison]]) -> list[list[str]]:
    rows = []
    for metric in DEFAULT_METRICS:
        cells = []
        for _label, c in comparisons:
            d = c.metrics.get(metric)
            cells.append("n/a" if d is None else f"{d.delta:+.3f} [{d.ci_low:+.3f}, {d.ci_high:+.3f}]")
        rows.append([metric, *cells])
    return rows


def _fixture_rows(runs: Sequence[tuple[str, Run, RunAggregate]]) -> list[list[str]]:
    per = [fixture_metrics(run) for _l, run, _a in runs]
    ids = sorted({f for m in per for f in m})
    return [[f, *(_num(m.get(f, {}).get("overall.f1")) for m in per)] for f in ids]


def _md_rows(rows: Sequence[Sequence[str]]) -> list[list[str]]:
    """The label column escaped; the others are numbers this module formatted."""
    return [[md_escape(r[0]), *r[1:]] for r in rows]


def _header(comparisons: Sequence[tuple[str, Comparison]], baseline: str) -> str:
    n = comparisons[0][1] if comparisons else None
    resamples = f"{n.n_boot} resamples, seed {n.seed}" if n else "no other cell"
    return (
        f"Deltas are cell − baseline ({baseline}), means over paired fixtures, with 95% paired "
        f"bootstrap intervals ({resamples})."
    )


def matrix_markdown(matrix: MatrixRun, fixtures: FixtureSet | None = None, *, baseline: str | None = None) -> str:
    """The matrix as Markdown: cells, metrics side by side, deltas against the baseline."""
    chosen = matrix.cell(baseline or matrix.baseline).label
    runs = _prepared(matrix, fixtures)
    comparisons = matrix_comparisons(_with_runs(matrix, runs), chosen)
    cells = _cell_rows(matrix, runs, chosen)
    labels = [label for label, _r, _a in runs]
    parts = [
        f"# Matrix report: {md_escape(matrix.name)}",
        md_table(cells[0], [[md_escape(c) for c in row] for row in cells[1:]]),
        "## Side by side",
        md_table(["metric", *(md_escape(x) for x in labels)], _md_rows(_side_rows(runs))),
        f"## Against the baseline: {md_escape(chosen)}",
        _header(comparisons, chosen),
        md_table(
            ["metric", *(md_escape(label) for label, _c in comparisons)],
            _md_rows(_delta_rows(comparisons)),
        ),
        "## Per fixture (overall.f1)",
        md_table(["fixture", *(md_escape(x) for x in labels)], _md_rows(_fixture_rows(runs))),
    ]
    return "\n\n".join(parts) + "\n"


def matrix_html(matrix: MatrixRun, fixtures: FixtureSet | None = None, *, baseline: str | None = None) -> str:
    """The matrix as one self-contained HTML page: tables and inline SVG pictures."""
    chosen = matrix.cell(baseline or matrix.baseline).label
    runs = _prepared(matrix, fixtures)
    comparisons = matrix_comparisons(_with_runs(matrix, runs), chosen)
    cells = _cell_rows(matrix, runs, chosen)
    labels = [label for label, _r, _a in runs]
    title = f"Matrix report: {matrix.name}"
    body = [
        f"<h1>{esc(title)}</h1>",
        html_table(cells[0], cells[1:], num_from=99),
        "<h2>Side by side</h2>",
        html_table(["metric", *labels], _side_rows(runs)),
        "<h2>Pictures</h2>",
        html_pictures(runs, comparisons),
        f"<h2>Against the baseline: {esc(chosen)}</h2>",
        f"<p>{esc(_header(comparisons, chosen))}</p>",
        html_table(["metric", *(label for label, _c in comparisons)], _delta_rows(comparisons)),
        "<h2>Per fixture (overall.f1)</h2>",
        matrix_fixtures.fixture_table(runs, linked=True),
        "<h2>Fixtures</h2>",
    ]
    index = fixture_index(fixtures) if fixtures is not None else {}
    if not index:
        body.append('<p class="muted">Pass the suite\'s fixtures to show articles and gold.</p>')
    body.append(matrix_fixtures.fixture_sections(runs, index))
    return html_page(title, "\n".join(body))


def _with_runs(matrix: MatrixRun, runs: Sequence[tuple[str, Run, RunAggregate]]) -> MatrixRun:
    """The matrix with each cell's run rescored (as the tables show it)."""
    return matrix.model_copy(
        update={"cells": [c.model_copy(update={"run": run}) for c, (_l, run, _a) in zip(matrix.cells, runs, strict=True)]}
    )

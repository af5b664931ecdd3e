"""A matrix report's fixtures: a table of each fixture's F1 per cell, each id linking to the
fixture's section, where every cell's prediction is shown in turn (the first one open) over
the article with that cell's and the gold's evidence marked. Static HTML, no script."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from summarizer.eval import evidence_view
from summarizer.eval.compare import fixture_metrics
from summarizer.eval.gold import Gold
from summarizer.eval.runfile import FixtureResult, Run, RunAggregate
from summarizer.render import esc, items_html
from summarizer.schemas import Article

Cells = Sequence[tuple[str, Run, RunAggregate]]


def _num(x: float | None) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{x:.3f}"


def fixture_ids(runs: Cells) -> list[str]:
    return sorted({r.fixture_id for _l, run, _a in runs for r in run.results})


def fixture_table(runs: Cells, linked: bool) -> str:
    """Overall F1 per fixture and cell; with `linked`, each id links to its section."""
    per = [fixture_metrics(run) for _l, run, _a in runs]
    head = "".join(f"<th>{esc(h)}</th>" for h in ("fixture", *(label for label, _r, _a in runs)))
    rows = []
    for n, fixture_id in enumerate(fixture_ids(runs)):
        first = f'<a href="#f{n}-fixture">{esc(fixture_id)}</a>' if linked else esc(fixture_id)
        cells = "".join(
            f'<td class="num">{esc(_num(m.get(fixture_id, {}).get("overall.f1")))}</td>' for m in per
        )
        rows.append(f"<tr><td>{first}</td>{cells}</tr>")
    return f'<table id="fixtures-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _first_result(run: Run, fixture_id: str) -> FixtureResult | None:
    return next((r for r in run.results if r.fixture_id == fixture_id), None)


def _cell_view(
    label: str, result: FixtureResult | None, fixture: tuple[Article, Gold] | None,
    prefix: str, section_id: str, is_open: bool,
) -> str:
    if result is None:
        return f'<p class="muted">{esc(label)}: no result for this fixture.</p>'
    score = _num(result.scores.overall.f1) if result.scores is not None else "n/a"
    summary = f"{label}: field F1 {score}" + (f"; {result.error.type}: {result.error.message}" if result.error else "")
    parts = [f'<details{" open" if is_open else ""}><summary>{esc(summary)}</summary>']
    pred = result.prediction
    if fixture is not None:
        article, gold = fixture
        marked = evidence_view.article_view(article, pred, gold, prefix, gold_target=section_id)
        items = items_html(pred, prefix, len(article.text)) if pred is not None else ""
        parts.append(f'<div class="cols"><div>{marked}</div><div>{items}</div></div>')
    elif pred is not None:
        parts.append(items_html(pred, prefix, None))
    parts.append("</details>")
    return "".join(parts)


def fixture_sections(runs: Cells, index: Mapping[str, tuple[Article, Gold]]) -> str:
    """One section per fixture; inside, one collapsible view per cell, in the cells' order."""
    out = []
    for n, fixture_id in enumerate(fixture_ids(runs)):
        section_id = f"f{n}-fixture"
        fixture = index.get(fixture_id)
        parts = [f'<section class="fixture" id="{section_id}"><h3>{esc(fixture_id)}</h3>']
        if fixture is None and index:
            parts.append(evidence_view.missing_fixture_note(fixture_id))
        for j, (label, run, _agg) in enumerate(runs):
            parts.append(
                _cell_view(label, _first_result(run, fixture_id), fixture, f"f{n}c{j}-", section_id, j == 0)
            )
        parts.append('<p><a href="#fixtures-table">back to the fixture table</a></p></section>')
        out.append("\n".join(parts))
    return "\n".join(out)

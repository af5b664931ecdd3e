"""Reports of an eval run: Markdown and one self-contained HTML file.

Both show the settings, headline metrics (mean ± std over repetitions), per-list and
per-field tables (MUC counts, P/R/F1) and, per fixture, gold versus predicted item by item.
Given the suite's fixtures, gold values and (in HTML) the article with highlighted evidence
are shown too; without them the report uses only what the run file holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from summarizer.errors import UsageError
from summarizer.eval import evidence_view, pictures
from summarizer.eval.compare import Comparison, GateResult, compare
from summarizer.eval.gold import LIST_NAMES, AnyOf, Gold, GoldActor, GoldEvidence, GoldTime
from summarizer.eval.runfile import (
    FixtureResult,
    FixtureSet,
    Run,
    RunAggregate,
    aggregate,
    fixture_index,
    rescore_available,
)
from summarizer.eval.scoring import GRADE_NAMES, Counts, ItemAlignment
from summarizer.render import (
    LISTS,
    esc,
    html_page,
    item_id,
    items_html,
    md_escape,
    md_table,
)
from summarizer.schemas import Actor, Article, ArticleSummary, Evidence, TimeExpr

_SHORT = {attr: short for attr, _heading, short in LISTS}
_HEADING = {attr: heading for attr, heading, _short in LISTS}
_HEADLINE = (
    ("overall.f1", "Field F1 (overall)"),
    ("overall.precision", "Field precision"),
    ("overall.recall", "Field recall"),
    ("items.f1", "Item F1"),
    ("grounding_rate", "Grounding rate"),
    ("schema_valid", "Schema-valid rate"),
    ("latency_s", "Latency per fixture (s)"),
    ("tokens_in", "Tokens in"),
    ("tokens_out", "Tokens out"),
    ("cost_usd", "Estimated cost (USD)"),
)


# --- values and grades -----------------------------------------------------------------------


def _show(value: object) -> str:
    """Display text of a gold or predicted value; alternatives joined with ' | '."""
    if value is None:
        return ""
    if isinstance(value, AnyOf):
        return " | ".join(value.any_of)
    if isinstance(value, Actor | GoldActor):
        return _show(value.name)
    if isinstance(value, TimeExpr | GoldTime):
        if value.start is None:
            resolved = "unresolved"
        elif value.end is None or value.end == value.start:
            resolved = value.start.isoformat()
        else:
            resolved = f"{value.start.isoformat()} to {value.end.isoformat()}"
        return f"{_show(value.text)} [{resolved}]"
    if isinstance(value, Evidence | GoldEvidence):
        return f"“{value.quote}”"
    if isinstance(value, list):
        return "; ".join(_show(v) for v in value)
    return str(value)


def field_value(item: object | None, key: str) -> str:
    """Display text of field `key` (e.g. 'speaker.role', 'participants') of an item."""
    if item is None:
        return ""
    head, _, sub = key.partition(".")
    value = getattr(item, head, None)
    if sub:
        if isinstance(value, list):
            return "; ".join(_show(getattr(a, sub, None)) or "–" for a in value)
        return _show(getattr(value, sub, None))
    if head == "format" and value == "unknown":
        return ""
    return _show(value)


def grade_label(slots: Sequence[int]) -> str:
    """'correct' for one count, '2 correct, 1 missing' for several."""
    parts = [(n, GRADE_NAMES[i]) for i, n in enumerate(slots) if n]
    if len(parts) == 1 and parts[0][0] == 1:
        return parts[0][1]
    return ", ".join(f"{n} {name}" for n, name in parts)


def _grade_class(slots: Sequence[int]) -> str:
    worst = max((i for i, n in enumerate(slots) if n), default=0)
    return GRADE_NAMES[worst]


def _fmt(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _counts_row(label: str, c: Counts) -> list[str]:
    return [
        label,
        str(c.cor),
        str(c.par),
        str(c.inc),
        str(c.mis),
        str(c.spu),
        _fmt(c.precision),
        _fmt(c.recall),
        _fmt(c.f1),
    ]


_COUNT_HEADERS = ("", "COR", "PAR", "INC", "MIS", "SPU", "P", "R", "F1")


def _field_rows(agg: RunAggregate) -> list[list[str]]:
    # Fields no gold or prediction ever filled (e.g. roles in a suite without any) are noise.
    return [_counts_row(k, c) for k, c in agg.fields.items() if c.pos + c.act > 0]


# --- shared preparation ----------------------------------------------------------------------


def prepare_run(
    run: Run, fixtures: FixtureSet | None
) -> tuple[Run, RunAggregate, dict[str, tuple[Article, Gold]]]:
    index = fixture_index(fixtures) if fixtures is not None else {}
    if index:
        run = rescore_available(run, index)
    if run.aggregate is not None:
        return run, run.aggregate, index
    if all(r.scores is not None for r in run.results):
        return run, aggregate(run.results, run.settings), index
    raise UsageError("the run has unscored results; pass the suite's fixtures to score them.")


def report_title(run: Run) -> str:
    """The suite's name, else its folder's name: a report's title never shows a local path."""
    name = run.settings.parameters.get("suite_name")
    return str(name) if name else (Path(run.settings.suite).name or "run")


def _settings_rows(run: Run) -> list[list[str]]:
    s = run.settings
    rows = [
        ("suite", s.suite),
        ("model", s.model),
        ("backend", s.backend),
        ("base_url", s.base_url or ""),
        ("prompt_version", s.prompt_version),
        ("library_version", s.library_version),
        ("repetitions", str(s.repetitions)),
        ("created_at", s.created_at.isoformat(timespec="seconds")),
    ]
    rows += [(f"parameters.{k}", str(v)) for k, v in sorted(s.parameters.items())]
    return [[k, v] for k, v in rows if v]


def _headline_rows(agg: RunAggregate) -> list[list[str]]:
    rows: list[list[str]] = []
    for key, label in _HEADLINE:
        stat = agg.metrics.get(key)
        if stat is None:
            if key == "cost_usd":
                rows.append([label, "n/a (no price for this model)"])
            continue
        digits = 0 if key.startswith("tokens") else (4 if key == "cost_usd" else 3)
        value = _fmt(stat.mean, digits)
        if stat.n > 1:
            value += f" ± {_fmt(stat.std, digits)} (n={stat.n})"
        rows.append([label, value])
    rows.append(["Results / errors", f"{agg.n_results} / {agg.n_errors}"])
    return rows


def _list_rows(agg: RunAggregate) -> list[list[str]]:
    rows: list[list[str]] = []
    for name in LIST_NAMES:
        if name in agg.list_items:
            rows.append(_counts_row(f"{_HEADING[name]}: items", agg.list_items[name]))
        if name in agg.lists:
            rows.append(_counts_row(f"{_HEADING[name]}: fields", agg.lists[name]))
    rows.append(_counts_row("All items", agg.items))
    rows.append(_counts_row("All fields", agg.overall))
    return rows


def _fixture_rows(run: Run) -> list[list[str]]:
    rows: list[list[str]] = []
    for r in run.results:
        s = r.scores
        rows.append(
            [
                r.fixture_id,
                str(r.repetition),
                _fmt(s.overall.f1) if s else "",
                _fmt(s.items.f1) if s else "",
                _fmt(s.grounding_rate) if s else "",
                f"{r.latency_s:.2f}",
                f"{r.error.type}: {r.error.message}" if r.error else "",
            ]
        )
    return rows


_FIXTURE_HEADERS = ("fixture", "rep", "field F1", "item F1", "grounding", "latency s", "error")


def _row_items(
    row: ItemAlignment, list_name: str, gold: Gold | None, pred: ArticleSummary | None
) -> tuple[object | None, object | None]:
    g = gold.items(list_name) if gold is not None else []  # type: ignore[arg-type]
    p = getattr(pred, list_name) if pred is not None else []
    return (
        g[row.gold] if row.gold is not None and row.gold < len(g) else None,
        p[row.pred] if row.pred is not None and row.pred < len(p) else None,
    )


def _row_title(row: ItemAlignment, list_name: str) -> str:
    short = _SHORT[list_name]
    g = f"gold {short}{row.gold + 1}" if row.gold is not None else "no gold"
    p = f"predicted {short}{row.pred + 1}" if row.pred is not None else "no prediction"
    sim = f", similarity {row.similarity:.2f}" if row.status in ("matched", "optional") else ""
    return f"{row.grade}: {g} / {p}{sim}"


# --- Markdown --------------------------------------------------------------------------------


def _md_details(result: FixtureResult, gold: Gold | None) -> str:
    parts = [f"### {md_escape(result.fixture_id)} (repetition {result.repetition})"]
    if result.error is not None:
        parts.append(f"Error: `{md_escape(result.error.type)}`: {md_escape(result.error.message)}")
    if result.scores is None:
        return "\n\n".join(parts)
    if gold is None:
        parts.append("_Gold values not shown: pass the suite's fixtures to the report._")
    for list_name, ls in result.scores.lists.items():
        if not ls.alignments:
            continue
        lines = [f"**{_HEADING[list_name]}**", ""]
        for row in ls.alignments:
            lines.append(f"- {md_escape(_row_title(row, list_name))}")
            g_item, p_item = _row_items(row, list_name, gold, result.prediction)
            for key, slots in row.fields.items():
                if sum(slots) == slots[0]:
                    continue  # all correct: not worth a line
                lines.append(
                    f"  - {key}: **{grade_label(slots)}**; gold: "
                    f"{md_escape(field_value(g_item, key)) or '–'}; predicted: "
                    f"{md_escape(field_value(p_item, key)) or '–'}"
                )
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def to_markdown(
    run: Run, fixtures: FixtureSet | None = None, *, details: bool = True, baseline: Run | None = None
) -> str:
    """The run as Markdown; pass the suite's fixtures to rescore and show gold values, and a
    baseline run for the paired changes against it."""
    run, agg, index = prepare_run(run, fixtures)
    parts = [
        f"# Eval report: {md_escape(report_title(run))}",
        md_table(["setting", "value"], [[k, md_escape(v)] for k, v in _settings_rows(run)]),
        "## Headline",
        md_table(["metric", "value"], _headline_rows(agg)),
        "## Per list",
        md_table(_COUNT_HEADERS, _list_rows(agg)),
        "## Per field",
        md_table(
            ("field", *_COUNT_HEADERS[1:]),
            _field_rows(agg),
        ),
        "## Per fixture",
        md_table(_FIXTURE_HEADERS, [[md_escape(c) for c in row] for row in _fixture_rows(run)]),
    ]
    if baseline is not None:
        base, _agg, _index = prepare_run(baseline, index or None)
        parts.append(comparison_markdown(compare(base, run)).replace("# Comparison", "## Comparison", 1))
    parts += _judge_section(run, "md")
    if details:
        parts.append("## Gold vs predicted")
        for r in run.results:
            gold = index[r.fixture_id][1] if r.fixture_id in index else None
            parts.append(_md_details(r, gold))
    return "\n\n".join(parts) + "\n"


# --- HTML ------------------------------------------------------------------------------------


def html_table(headers: Sequence[str], rows: Sequence[Sequence[str]], num_from: int = 1) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{esc(c)}</td>' if i >= num_from else f"<td>{esc(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_alignment(
    result: FixtureResult, gold: Gold | None, prefix: str, has_article: bool
) -> str:
    assert result.scores is not None
    parts: list[str] = []
    for list_name, ls in result.scores.lists.items():
        if not ls.alignments:
            continue
        short = _SHORT[list_name]
        parts.append(f"<h4>{esc(_HEADING[list_name])}: gold vs predicted</h4>")
        rows: list[str] = []
        for row in ls.alignments:
            g_item, p_item = _row_items(row, list_name, gold, result.prediction)
            title = esc(_row_title(row, list_name))
            if row.pred is not None and has_article:
                title = f'<a href="#{esc(item_id(prefix, short, row.pred))}">{title}</a>'
            rows.append(f'<tr class="{esc(row.grade)}"><th colspan="4">{title}</th></tr>')
            rows.append(_all_correct_row(row))
            for key, slots in row.fields.items():
                if sum(slots) == slots[0]:
                    continue  # in the all-correct row
                rows.append(
                    f'<tr><td>{esc(key)}</td><td class="{_grade_class(slots)}">'
                    f"{esc(grade_label(slots))}</td><td>{esc(field_value(g_item, key))}</td>"
                    f"<td>{esc(field_value(p_item, key))}</td></tr>"
                )
        parts.append(
            "<table><thead><tr><th>field</th><th>grade</th><th>gold</th><th>predicted</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    return "\n".join(parts)


def _all_correct_row(row: ItemAlignment) -> str:
    """One row naming the fields graded correct: their values are in the item list beside,
    and a row each would make a long report's page several times larger."""
    keys = [key for key, slots in row.fields.items() if slots[0] and sum(slots) == slots[0]]
    if not keys:
        return ""
    return f'<tr><td colspan="4" class="correct">correct: {esc(", ".join(keys))}</td></tr>'


def _html_fixture(
    n: int, result: FixtureResult, fixture: tuple[Article, Gold] | None, has_fixtures: bool
) -> str:
    prefix = f"r{n}-"
    article, gold = fixture if fixture is not None else (None, None)
    head = f"{result.fixture_id} (repetition {result.repetition})"
    parts = [f'<section class="fixture" id="{prefix}fixture"><h3>{esc(head)}</h3>']
    if result.error is not None:
        parts.append(
            f'<p class="incorrect">{esc(result.error.type)}: {esc(result.error.message)}</p>'
        )
    pred = result.prediction
    if article is not None:
        marked = evidence_view.article_view(article, pred, gold, prefix, gold_target=f"{prefix}fixture")
        items = items_html(pred, prefix, len(article.text)) if pred is not None else ""
        parts.append(f'<div class="cols"><div><h4>Article</h4>{marked}</div><div>{items}</div></div>')
    elif pred is not None:
        if has_fixtures:
            parts.append(evidence_view.missing_fixture_note(result.fixture_id))
        parts.append(items_html(pred, prefix, None))
    if result.scores is not None:
        parts.append(_html_alignment(result, gold, prefix, pred is not None))
    parts.append('<p><a href="#fixtures-table">back to the fixture table</a></p></section>')
    return "\n".join(parts)


def _html_fixture_table(run: Run, linked: bool) -> str:
    """The per-fixture table; each fixture id links to its section (article, gold, predicted)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in _FIXTURE_HEADERS)
    rows = []
    for n, row in enumerate(_fixture_rows(run)):
        first = f'<a href="#r{n}-fixture">{esc(row[0])}</a>' if linked else esc(row[0])
        cells = "".join(f'<td class="num">{esc(c)}</td>' for c in row[1:])
        rows.append(f"<tr><td>{first}</td>{cells}</tr>")
    return (
        f'<table id="fixtures-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def html_pictures(runs: pictures.Labelled, comparisons: Sequence[tuple[str, Comparison]] = ()) -> str:
    """The report's charts: F1 per field, forest plots of the comparisons, latency and tokens."""
    charts = [pictures.field_f1_bars(runs)]
    charts += [pictures.delta_forest(c, f"{label}: change against the baseline (95% CI)") for label, c in comparisons]
    charts += [pictures.latency_histogram(runs), pictures.token_histogram(runs)]
    return '<div class="charts">' + "".join(f"<div>{c}</div>" for c in charts) + "</div>"


def to_html(
    run: Run, fixtures: FixtureSet | None = None, *, details: bool = True, baseline: Run | None = None
) -> str:
    """The run as one self-contained HTML file (inline CSS and SVG, no scripts, nothing
    external); with `baseline`, a forest plot and table of the paired changes against it."""
    run, agg, index = prepare_run(run, fixtures)
    comparisons: list[tuple[str, Comparison]] = []
    if baseline is not None:
        base, _agg, _index = prepare_run(baseline, index or None)
        comparisons.append(("this run", compare(base, run)))
    title = f"Eval report: {report_title(run)}"
    body = [
        f"<h1>{esc(title)}</h1>",
        html_table(["setting", "value"], _settings_rows(run), num_from=9),
        "<h2>Headline</h2>",
        html_table(["metric", "value"], _headline_rows(agg)),
        "<h2>Pictures</h2>",
        html_pictures([("run", run, agg)], comparisons),
    ]
    if comparisons:
        body += ["<h2>Against the baseline</h2>", comparison_table(comparisons[0][1])]
    body += [
        "<h2>Per list</h2>",
        html_table(_COUNT_HEADERS, _list_rows(agg)),
        "<h2>Per field</h2>",
        html_table(("field", *_COUNT_HEADERS[1:]), _field_rows(agg)),
        "<h2>Per fixture</h2>",
        _html_fixture_table(run, details),
    ]
    body += _judge_section(run, "html")
    if details:
        body.append("<h2>Fixtures</h2>")
        if not index:
            body.append(
                '<p class="muted">Pass the suite\'s fixtures to show articles and gold.</p>'
            )
        body += [
            _html_fixture(n, r, index.get(r.fixture_id), bool(index)) for n, r in enumerate(run.results)
        ]
    return html_page(title, "\n".join(body))


def _judge_section(run: Run, fmt: str) -> list[str]:
    """The judge's agreement section (summarizer.eval.judge_report), when a judge ran."""
    if run.judge is None:
        return []
    from summarizer.eval.judge_report import judge_html, judge_markdown

    return [judge_html(run) if fmt == "html" else judge_markdown(run)]


def comparison_table(comparison: Comparison) -> str:
    """A comparison's metric deltas with their 95% intervals, as an HTML table."""
    rows = [
        [d.metric, _fmt(d.base), _fmt(d.new), f"{d.delta:+.3f}", f"[{d.ci_low:+.3f}, {d.ci_high:+.3f}]", str(d.n)]
        for d in comparison.metrics.values()
    ]
    return html_table(["metric (mean over fixtures)", "base", "new", "delta", "95% CI", "n"], rows)


# --- comparison ------------------------------------------------------------------------------


def comparison_markdown(comparison: Comparison, gate_result: GateResult | None = None) -> str:
    """A comparison as Markdown: metric deltas with CIs, worse fixtures, the gate's rules and verdict.

    Every metric is a mean over fixtures (`eval run` also prints the micro average over fields).
    """
    rows = [
        [
            md_escape(d.metric),
            _fmt(d.base),
            _fmt(d.new),
            f"{d.delta:+.3f}",
            f"[{d.ci_low:+.3f}, {d.ci_high:+.3f}]",
            str(d.n),
        ]
        for d in comparison.metrics.values()
    ]
    parts = [
        f"# Comparison: base {md_escape(comparison.base_label)} → new {md_escape(comparison.new_label)}",
        f"{comparison.n_fixtures} paired fixtures; metrics are means over fixtures; deltas are "
        f"new − base; paired bootstrap, {comparison.n_boot} resamples, seed {comparison.seed}.",
        md_table(["metric (mean over fixtures)", "base", "new", "delta", "95% CI", "n"], rows),
    ]
    if comparison.base_prompt_version != comparison.new_prompt_version:
        parts.append(
            f"Prompt versions differ: base {md_escape(comparison.base_prompt_version[:12])}, "
            f"new {md_escape(comparison.new_prompt_version[:12])}."
        )
    if comparison.only_in_base or comparison.only_in_new:
        parts.append(
            f"Unpaired fixtures: only in base {md_escape(str(comparison.only_in_base))}, "
            f"only in new {md_escape(str(comparison.only_in_new))}."
        )
    if comparison.flaky:
        left_out = " (left out of the comparison)" if comparison.excluded else ""
        parts.append(
            f"Flaky fixtures (repetitions disagree){left_out}: "
            + ", ".join(md_escape(f) for f in comparison.flaky)
        )
    if comparison.worse:
        lines = [f"## Fixtures that got worse ({comparison.primary_metric})"]
        for c in comparison.worse:
            changed = ", ".join(
                f"{f.metric} {f.base:.2f} → {f.new:.2f}" for f in c.fields if f.new < f.base
            )
            lines.append(
                f"- {md_escape(c.fixture_id)}: {c.base:.3f} → {c.new:.3f} ({c.delta:+.3f})"
                + (f"; {md_escape(changed)}" if changed else "")
            )
        parts.append("\n".join(lines))
    if gate_result is not None:
        parts.append(_gate_markdown(gate_result))
    return "\n\n".join(parts) + "\n"


def _gate_markdown(gate_result: GateResult) -> str:
    verdict = "PASSED" if gate_result.passed else "FAILED"
    lines = [
        f"## Gate: {verdict}",
        f"A gated metric fails when its mean change is worse than its tolerance, tested one-sided "
        f"on the paired bootstrap with Holm–Bonferroni at family-wise α = {gate_result.alpha:g}. "
        "The detectable drop is the smallest drop this baseline finds with power 0.8.",
    ]
    if gate_result.verdicts:
        rows = [
            [
                md_escape(v.metric),
                md_escape(v.rule),
                f"{v.delta:+.3f}",
                f"{v.p_value:.4f}",
                f"{v.holm_level:.4f}",
                "—" if v.detectable_drop is None else f"{v.detectable_drop:.3f}",
                "**fail**" if v.failed else "pass",
            ]
            for v in gate_result.verdicts
        ]
        lines.append(
            md_table(
                ["gated metric", "may drop by", "delta", "p", "Holm level", "detectable drop", "verdict"],
                rows,
            )
        )
    lines += [f"- {md_escape(f)}" for f in gate_result.failures]
    if gate_result.fixture_regressions:
        lines.append(
            f"Fixtures whose overall.f1 dropped by more than {gate_result.fixture_max_drop:g}: "
            + ", ".join(
                f"{md_escape(c.fixture_id)} ({c.base:.3f} → {c.new:.3f})"
                for c in gate_result.fixture_regressions
            )
        )
    lines += [f"- warning: {md_escape(w)}" for w in gate_result.warnings]
    return "\n".join(lines)

"""Render one `ArticleSummary` as JSON, Markdown or a self-contained HTML page.

The HTML page shows the article with every evidence span highlighted (`<mark>` with an id)
and linked both ways with the item it supports. All article text and model output is
escaped: nothing from either can become markup. Pages are Jinja2 templates shipped in
`summarizer/templates/` (HTML autoescaped; Markdown through `md_escape`), so adding a field
is a template edit. The pieces (highlighting, item blocks, page shell, Markdown tables) are
reused by `summarizer.eval.report`.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from summarizer.schemas import (
    Actor,
    Article,
    ArticleSummary,
    Evidence,
    Meeting,
    PlannedEvent,
    Statement,
    TimeExpr,
)

Item = Meeting | Statement | PlannedEvent
LISTS: tuple[tuple[str, str, str], ...] = (
    # (attribute, heading, short label used in ids and tags)
    ("meetings", "Meetings", "M"),
    ("statements", "Statements", "S"),
    ("planned_events", "Planned events", "P"),
)


def to_json(summary: ArticleSummary) -> str:
    return summary.model_dump_json(indent=2)


# --- plain-text pieces (shared by Markdown and HTML) -----------------------------------------


def actor_text(actor: Actor) -> str:
    extra = ", ".join(x for x in (actor.role, actor.affiliation) if x)
    return f"{actor.name} ({extra})" if extra else actor.name


def time_text(time: TimeExpr | None) -> str:
    if time is None:
        return ""
    if time.start is None:
        resolved = "unresolved"
    elif time.end is None or time.end == time.start:
        resolved = time.start.isoformat()
    else:
        resolved = f"{time.start.isoformat()} to {time.end.isoformat()}"
    return f"{time.text} [{resolved}]"


def item_fields(item: Item) -> list[tuple[str, str]]:
    """(field, display text) pairs of an item, in reading order, empty values left out."""
    rows: list[tuple[str, str]]
    if isinstance(item, Statement):
        rows = [
            ("speaker", actor_text(item.speaker)),
            ("content", item.content),
            ("quote", item.quote or ""),
            ("kind", item.kind or ""),
            ("cue", item.cue.quote if item.cue is not None else ""),
        ]
    elif isinstance(item, Meeting):
        rows = [
            ("participants", "; ".join(actor_text(a) for a in item.participants)),
            ("location", item.location or ""),
            ("time", time_text(item.time)),
            ("topics", "; ".join(item.topics)),
            ("format", "" if item.format == "unknown" else item.format),
        ]
    else:
        rows = [
            ("description", item.description),
            ("participants", "; ".join(actor_text(a) for a in item.participants)),
            ("location", item.location or ""),
            ("time", time_text(item.time)),
            ("status", item.status),
        ]
    return [(k, v) for k, v in rows if v]


def evidence_text(ev: Evidence) -> str:
    where = (
        f"chars {ev.start}-{ev.end}, {ev.match or 'unchecked'}"
        if ev.start is not None and ev.end is not None
        else "not found in the article"
    )
    return f"“{ev.quote}” ({where})"


def summary_items(summary: ArticleSummary) -> list[tuple[str, str, str, list[Item]]]:
    return [(attr, heading, short, list(getattr(summary, attr))) for attr, heading, short in LISTS]


# --- Markdown --------------------------------------------------------------------------------


_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def md_escape(text: str) -> str:
    """Text safe inside Markdown (tables included): no raw HTML, no accidental formatting.

    Only what Markdown would read as markup is escaped: `<` (a tag can only open with it),
    `&` before an entity name, and the formatting characters; "->" and "R&D" stay as written.
    """
    out = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    for ch in "\\`*_[]|#":
        out = out.replace(ch, "\\" + ch)
    out = " ".join(out.split())
    # A leading ">" would open a blockquote, a leading "-", "+" or "1." a list.
    out = re.sub(r"^(>|[-+](?=\s))", r"\\\1", out)
    return re.sub(r"^(\d+)([.)])(?=\s)", r"\1\\\2", out)


def _md_finalize(value: Any) -> str:
    """Every `{{ }}` of a Markdown template is escaped: a field cannot forget it."""
    return "" if value is None else md_escape(str(value))


@functools.cache
def _environment(kind: str) -> Environment:
    if kind == "html":
        return Environment(
            loader=PackageLoader("summarizer", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
    return Environment(
        loader=PackageLoader("summarizer", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        finalize=_md_finalize,
        keep_trailing_newline=True,
    )


def _render(template: str, **context: Any) -> str:
    kind = "html" if template.endswith(".html.j2") else "md"
    return _environment(kind).get_template(template).render(**context)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _meta(article: Article | None) -> list[tuple[str, str]]:
    if article is None:
        return []
    fields = (("published", article.published), ("source", article.source), ("url", article.url))
    return [(label, str(value)) for label, value in fields if value]


def _sections(
    summary: ArticleSummary, prefix: str = "", text_length: int | None = None
) -> list[dict[str, Any]]:
    """The item lists as plain data for the templates: ids, fields and evidence entries."""
    sections: list[dict[str, Any]] = []
    for _attr, heading, short, items in summary_items(summary):
        rows = []
        for i, item in enumerate(items):
            evidence = [
                {
                    "text": evidence_text(ev),
                    "href": mark_id(prefix, short, i, k)
                    if text_length is not None and _usable(ev, text_length)
                    else None,
                }
                for k, ev in enumerate(item.evidence)
            ]
            rows.append(
                {
                    "id": item_id(prefix, short, i),
                    "label": f"{short}{i + 1}",
                    "fields": item_fields(item),
                    "evidence": evidence,
                }
            )
        sections.append({"heading": heading, "short": short, "entries": rows})
    return sections


def to_markdown(summary: ArticleSummary, article: Article | None = None) -> str:
    title = summary.title or (article.title if article else None) or summary.article_id
    text = _render(
        "summary.md.j2",
        title=title,
        meta=_meta(article),
        summary=summary,
        sections=_sections(summary),
        run=summary.run,
    )
    return text.rstrip("\n") + "\n"


# --- HTML ------------------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;line-height:1.45}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.6rem}h3{font-size:1rem}
.cols{display:flex;gap:1.5rem;align-items:flex-start}
.cols>*{flex:1;min-width:0}
.article{white-space:pre-wrap;background:#fafafa;border:1px solid #ddd;padding:1rem}
mark{background:#fff3a8;padding:0 1px}
mark mark{background:#ffd166}mark mark mark{background:#f4a261}
mark:target{outline:2px solid #e76f51}
mark.gold,mark mark.gold{background:none;border-bottom:3px solid #2a9d8f}
mark.part{background:none;text-decoration:underline dotted #9a6b00 2px}
mark.gold.part{border-bottom:0;text-decoration:overline solid #2a9d8f 2px}
/* A long report lays out only the fixture sections in view: a 1,000-fixture page opens in
   seconds, not tens of seconds (benchmarks/bench_report.py). */
section.fixture{content-visibility:auto;contain-intrinsic-size:auto 1800px}
.legend mark{padding:0 .3rem}svg{display:block;margin:.5rem 0;max-width:100%}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
a.tag{font-size:.7em;vertical-align:super;text-decoration:none;color:#1d3557;margin-right:2px}
.item{border:1px solid #ddd;padding:.5rem .75rem;margin:.5rem 0}
.item:target{border-color:#e76f51;box-shadow:0 0 0 2px #e76f51}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem;margin:.25rem 0}
dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.correct{background:#d8f3dc}.partial{background:#fff3bf}.incorrect{background:#ffd6d6}
.missing{background:#ffe0cc}.spurious{background:#e0d7ff}.muted{color:#777}
""".strip()


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def html_page(title: str, body: str) -> str:
    """A complete, self-contained page: inline CSS, no scripts, no external resources.

    `body` is markup already escaped by its maker.
    """
    return _render("page.html.j2", title=title, css=Markup(CSS), body=Markup(body))


@dataclass(frozen=True)
class Highlight:
    """One span of the article to mark; `mark_id` and `target_id` are generated, never input."""

    start: int
    end: int
    mark_id: str
    target_id: str
    label: str
    # A CSS class: "gold" marks a gold span in the eval report, drawn apart from predictions.
    kind: str = ""
    # Hover text (the mark's `title`); empty: the label.
    title: str = ""
    # False: no tag link at the span's start (a short span inside a tagged one, e.g. a cue).
    tagged: bool = True


def item_id(prefix: str, short: str, index: int) -> str:
    return f"{prefix}item-{short}{index + 1}"


def mark_id(prefix: str, short: str, index: int, k: int) -> str:
    return f"{prefix}ev-{short}{index + 1}-{k + 1}"


def evidence_highlights(summary: ArticleSummary, text: str, prefix: str = "") -> list[Highlight]:
    """Highlights of every evidence span with usable offsets (null or out-of-range skipped)."""
    out: list[Highlight] = []
    for _attr, _heading, short, items in summary_items(summary):
        for i, item in enumerate(items):
            for k, ev in enumerate(item.evidence):
                if ev.start is not None and ev.end is not None and _usable(ev, len(text)):
                    out.append(
                        Highlight(
                            start=ev.start,
                            end=ev.end,
                            mark_id=mark_id(prefix, short, i, k),
                            target_id=item_id(prefix, short, i),
                            label=f"{short}{i + 1}",
                        )
                    )
    return out


def _usable(ev: Evidence, length: int) -> bool:
    return ev.start is not None and ev.end is not None and 0 <= ev.start < ev.end <= length


def highlight_html(text: str, highlights: Sequence[Highlight]) -> str:
    """Escaped `text` with each highlight wrapped in `<mark>`.

    A span inside another is a mark nested inside the other's (darker the deeper); only where
    two spans cross is the one left open split, closed and reopened after the other ends.
    Each span's first stretch carries its id and, unless untagged, a small tag linking to the
    item it supports. Nesting rather than splitting at every boundary keeps a long report's
    markup small (a 1,000-fixture report is ~40% fewer marks).
    """
    valid = sorted(
        (h for h in highlights if 0 <= h.start < h.end <= len(text)),
        key=lambda h: (h.start, -h.end, h.mark_id),
    )
    starting: dict[int, list[Highlight]] = {}
    for h in valid:
        starting.setdefault(h.start, []).append(h)
    cuts = sorted({0, len(text), *(h.start for h in valid), *(h.end for h in valid)})
    out: list[str] = []
    stack: list[Highlight] = []

    def open_mark(h: Highlight, first: bool) -> None:
        kind = f' class="{esc(h.kind)}"' if h.kind else ""
        title = esc(h.title or h.label)
        if first:
            tag = f'<a class="tag" href="#{esc(h.target_id)}">{esc(h.label)}</a>' if h.tagged else ""
            out.append(f'<mark id="{esc(h.mark_id)}"{kind} title="{title}">{tag}')
        else:
            out.append(f'<mark{kind} title="{title}">')
        stack.append(h)

    def close_at(position: int) -> None:
        while any(h.end == position for h in stack):
            reopen: list[Highlight] = []
            while stack:
                h = stack.pop()
                out.append("</mark>")
                if h.end == position:
                    break
                reopen.append(h)  # crosses the one closing: split it
            for h in reversed(reopen):
                open_mark(h, first=False)

    for a, b in pairwise(cuts):
        close_at(a)
        for h in starting.get(a, ()):
            open_mark(h, first=True)
        out.append(esc(text[a:b]))
    out.append("</mark>" * len(stack))
    return "".join(out)


def items_html(summary: ArticleSummary, prefix: str = "", text_length: int | None = None) -> str:
    """Every item with its fields and evidence, each evidence linking to its highlight when
    the article shown has the span (`text_length`)."""
    return _render(
        "items.html.j2", sections=_sections(summary, prefix, text_length)
    ).strip("\n")


def article_html(article: Article, summary: ArticleSummary, prefix: str = "") -> str:
    marks = highlight_html(article.text, evidence_highlights(summary, article.text, prefix))
    return f'<div class="article">{marks}</div>'


def to_html(summary: ArticleSummary, article: Article) -> str:
    title = summary.title or article.title or summary.article_id
    marks = highlight_html(article.text, evidence_highlights(summary, article.text))
    return _render(
        "summary.html.j2",
        title=title,
        css=Markup(CSS),
        meta=_meta(article),
        summary=summary,
        article_marks=Markup(marks),
        items=Markup(items_html(summary, text_length=len(article.text))),
        run=summary.run,
    )

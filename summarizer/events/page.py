"""The HTML page of one event: its facts, then each reporting article with its evidence
highlighted. Built from `summarizer.render`'s pieces (escaping, highlighting, the page shell):
every value from an article or a model is escaped; no script, no external resource, and
links only to anchors in the page (an article's url is shown as text)."""

from __future__ import annotations

from summarizer.events.show import EventView
from summarizer.render import Highlight, esc, highlight_html, html_page

__all__ = ["event_page"]


def _dl(rows: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows if v) + "</dl>"


def event_page(view: EventView) -> str:
    e = view.event
    start, end = e["time_start"], e["time_end"]
    when = "" if start is None else start.isoformat() if end in (None, start) else f"{start} to {end}"
    facts = _dl([
        ("kind", f"{e['kind']} ({e['status']})"),
        ("participants", "; ".join(p["name"] for p in e["participants"])),
        ("place", e["place"] or ""),
        ("time", when + (" (assumed)" if e["time_inferred"] and when else "")),
        ("reported by", f"{e['n_articles']} article(s), {e['n_sources']} source(s)"),
        ("first seen", str(e["first_seen"] or "")),
        ("last seen", str(e["last_seen"] or "")),
    ])
    parts = [f"<h1>{esc(e['description'] or e['event_id'])}</h1>", f"<p class=\"muted\">{esc(e['event_id'])}</p>", facts]
    if view.follow_ups:
        items = "".join(
            f"<li>{esc(f['planned'])} {esc(f['relation'])} → {esc(f['later'])}: {esc(f['description'])}</li>"
            for f in view.follow_ups
        )
        parts.append(f"<h2>Follow-ups</h2><ul>{items}</ul>")
    parts.append("<h2>Reported by</h2>")
    for n, r in enumerate(view.reports, start=1):
        prefix = f"r{n}-"
        anchor = f"{prefix}item"
        meta = _dl([
            ("source", r.source or ""), ("published", str(r.published or "")), ("url", r.url or ""),
            ("mention", r.mention_id),
            ("joined", f"matched {r.reason['with']}, score {r.score:.2f}" if r.reason.get("rule") == "matched" else str(r.reason.get("rule"))),
        ])
        quotes = "".join(
            f"<li><a href=\"#{esc(prefix)}ev-{k}\">“{esc(ev['quote'])}”</a></li>"
            if r.text and _usable(ev, len(r.text)) else f"<li>“{esc(ev['quote'])}”</li>"
            for k, ev in enumerate(r.evidence, start=1)
        )
        body = ""
        if r.text:
            marks = [
                Highlight(ev["start"], ev["end"], f"{prefix}ev-{k}", anchor, f"E{k}")
                for k, ev in enumerate(r.evidence, start=1) if _usable(ev, len(r.text))
            ]
            body = f'<div class="article">{highlight_html(r.text, marks)}</div>'
        parts.append(
            f'<section class="item" id="{esc(anchor)}"><h3>{esc(r.title or r.article_id)}</h3>'
            f"{meta}<ul>{quotes}</ul>{body}</section>"
        )
    return html_page(f"Event {e['event_id']}", "".join(parts))


def _usable(ev: dict[str, object], length: int) -> bool:
    start, end = ev.get("start"), ev.get("end")
    return isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length

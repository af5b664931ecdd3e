"""One event as the reader sees it: its row, the articles that report it with their evidence,
why each mention joined it, and the follow-up links in and out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from summarizer.errors import UsageError
from summarizer.events.store import EventStore

__all__ = ["EventView", "Reported", "event_text", "load_event"]


@dataclass(frozen=True)
class Reported:
    """One mention of the event in one article."""

    mention_id: str
    article_id: str
    title: str | None
    source: str | None
    published: date | None
    url: str | None
    text: str | None
    description: str
    evidence: list[dict[str, Any]]
    score: float | None
    reason: dict[str, Any]


@dataclass(frozen=True)
class EventView:
    event: dict[str, Any]
    reports: list[Reported]
    follow_ups: list[dict[str, Any]]


def load_event(store: EventStore, event_id: str) -> EventView:
    cursor = store.con.execute("SELECT * FROM events WHERE event_id = ?", [event_id])
    row = cursor.fetchone()
    if row is None:
        raise UsageError(
            f"no event {event_id} in {store.path}: list the ids with "
            "`SELECT event_id, description FROM events`"
        )
    names = [d[0] for d in cursor.description]
    event = dict(zip(names, row, strict=True))
    event["participants"] = json.loads(event["participants"])
    reports = [
        Reported(
            mention_id=r[0], article_id=r[1], title=r[2], source=r[3], published=r[4], url=r[5],
            text=r[6], description=r[7], evidence=json.loads(r[8]),
            score=r[9], reason=json.loads(r[10]),
        )
        for r in store.con.execute(
            "SELECT m.mention_id, a.article_id, a.title, a.source, a.published, a.url, a.text, "
            "m.description, m.evidence, l.score, l.reason FROM links l "
            "JOIN mentions m ON m.mention_id = l.from_id JOIN articles a ON a.article_id = m.article_id "
            "WHERE l.kind = 'mention' AND l.to_id = ? ORDER BY a.published NULLS LAST, m.mention_id",
            [event_id],
        ).fetchall()
    ]
    follow = [
        {"relation": kind, "planned": a, "later": b, "score": s, "reason": json.loads(r),
         "other": b if a == event_id else a, "description": d}
        for kind, a, b, s, r, d in store.con.execute(
            "SELECT l.kind, l.from_id, l.to_id, l.score, l.reason, e.description FROM links l "
            "JOIN events e ON e.event_id = CASE WHEN l.from_id = ? THEN l.to_id ELSE l.from_id END "
            "WHERE l.kind IN ('fulfils', 'postpones', 'cancels') AND (l.from_id = ? OR l.to_id = ?) "
            "ORDER BY l.kind, l.from_id, l.to_id",
            [event_id, event_id, event_id],
        ).fetchall()
    ]
    return EventView(event, reports, follow)


def _interval(event: dict[str, Any]) -> str:
    start, end = event["time_start"], event["time_end"]
    if start is None:
        return "unknown"
    text = start.isoformat() if end in (None, start) else f"{start.isoformat()} to {end.isoformat()}"
    return text + (" (assumed from publication dates)" if event["time_inferred"] else "")


def event_text(view: EventView) -> str:
    e = view.event
    people = "; ".join(p["name"] for p in e["participants"]) or "none named"
    lines = [
        f"{e['event_id']}  {e['kind']} ({e['status']})",
        f"  what:         {e['description'] or '-'}",
        f"  participants: {people}",
        f"  place:        {e['place'] or '-'}",
        f"  time:         {_interval(e)}",
        f"  reported:     {e['n_articles']} article(s) from {e['n_sources']} source(s), "
        f"first {e['first_seen'] or '?'}, last {e['last_seen'] or '?'}",
    ]
    for f in view.follow_ups:
        arrow = f"{f['relation']} {f['later']}" if f["planned"] == e["event_id"] else f"{f['relation']} <- {f['planned']}"
        lines.append(f"  follow-up:    {arrow} ({f['description']}; score {f['score']:.2f})")
    lines.append("")
    for r in view.reports:
        when = r.published.isoformat() if r.published else "undated"
        lines.append(f"[{r.mention_id}] {r.title or r.article_id} ({r.source or 'unknown source'}, {when})")
        for ev in r.evidence:
            where = f"chars {ev['start']}-{ev['end']}" if ev.get("start") is not None else "not located"
            lines.append(f"    “{ev['quote']}” ({where})")
        if r.reason.get("rule") == "matched":
            lines.append(f"    joined: matched {r.reason['with']} with score {r.score:.2f} {json.dumps(r.reason['parts'])}")
        else:
            lines.append(f"    joined: {r.reason.get('rule')} ({r.reason.get('why')})")
    return "\n".join(lines) + "\n"

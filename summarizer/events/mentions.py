"""Every meeting, statement and planned event of one summary as a `Mention`.

Intervals: a meeting reported without a time is taken to have happened in the week up to
publication, and a planned event without one in the half-year after it; such intervals are
marked `time_inferred` and weigh less when scored. With no publication date either, the
mention has no interval and is compared only with others that share its actors.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from summarizer.events.model import ArticleRow, ClusterKind, Mention
from summarizer.events.normalize import actor_key, content_tokens, place_key
from summarizer.schemas import Actor, ArticleSummary, Evidence, PlannedEvent, TimeExpr

__all__ = ["extract_mentions", "mention_id"]

MEETING_WINDOW = timedelta(days=7)
PLANNED_WINDOW = timedelta(days=183)
_STATUS_KIND: dict[str, ClusterKind] = {"postponed": "postponed", "cancelled": "cancelled"}
# A model often keeps status "planned" and says the change in words: the description or the
# evidence then decides.
_POSTPONED = re.compile(r"\b(postpon\w*|delay\w*|put off|reschedul\w*|pushed back)\b", re.I)
_CANCELLED = re.compile(r"\b(cancel\w*|called off|call off|scrapped|abandoned)\b", re.I)


def _planned_kind(planned: PlannedEvent) -> ClusterKind:
    if planned.status in _STATUS_KIND:
        return _STATUS_KIND[planned.status]
    words = " ".join([planned.description, *(ev.quote for ev in planned.evidence)])
    if _CANCELLED.search(words):
        return "cancelled"
    if _POSTPONED.search(words):
        return "postponed"
    return "planned"


def mention_id(article_id: str, short: str, index: int) -> str:
    return f"{article_id}#{short}{index + 1}"


def _participants(actors: list[Actor]) -> tuple[tuple[str, str], ...]:
    named: dict[str, str] = {}
    for actor in actors:
        key = actor_key(actor)
        if key is None:
            continue
        # The fullest form seen names the actor (ties: the first in alphabetical order).
        best = named.get(key)
        if best is None or (len(actor.name), best) > (len(best), actor.name):
            named[key] = actor.name
    return tuple(sorted(named.items()))


def _interval(
    time: TimeExpr | None, published: date | None, window: timedelta, after: bool
) -> tuple[date | None, date | None, bool]:
    if time is not None and time.start is not None:
        return time.start, time.end or time.start, False
    if published is None:
        return None, None, False
    if after:
        return published, published + window, True
    return published - window, published, True


def _evidence(items: list[Evidence]) -> tuple[dict[str, object], ...]:
    return tuple(
        {"quote": ev.quote, "start": ev.start, "end": ev.end, "match": ev.match} for ev in items
    )


def extract_mentions(article: ArticleRow, summary: ArticleSummary) -> list[Mention]:
    """The mentions of one article, in the summary's order (meetings, statements, planned)."""
    out: list[Mention] = []
    published = article.published
    for i, meeting in enumerate(summary.meetings):
        start, end, inferred = _interval(meeting.time, published, MEETING_WINDOW, after=False)
        description = "; ".join(meeting.topics)
        out.append(
            Mention(
                mention_id=mention_id(article.article_id, "M", i),
                article_id=article.article_id,
                kind="meeting",
                index=i,
                cluster_kind="meeting",
                description=description,
                participants=_participants(meeting.participants),
                place=meeting.location,
                place_key=place_key(meeting.location),
                time_text=meeting.time.text if meeting.time else None,
                start=start,
                end=end,
                time_inferred=inferred,
                status="held",
                tokens=content_tokens(description),
                evidence=_evidence(meeting.evidence),
                published=published,
                source=article.source,
            )
        )
    for i, statement in enumerate(summary.statements):
        out.append(
            Mention(
                mention_id=mention_id(article.article_id, "S", i),
                article_id=article.article_id,
                kind="statement",
                index=i,
                cluster_kind="statement",
                description=statement.content,
                participants=_participants([statement.speaker]),
                place=None,
                place_key=None,
                time_text=None,
                start=published,
                end=published,
                time_inferred=published is not None,
                status="said",
                tokens=content_tokens(statement.content),
                evidence=_evidence(statement.evidence),
                published=published,
                source=article.source,
            )
        )
    for i, planned in enumerate(summary.planned_events):
        start, end, inferred = _interval(planned.time, published, PLANNED_WINDOW, after=True)
        out.append(
            Mention(
                mention_id=mention_id(article.article_id, "P", i),
                article_id=article.article_id,
                kind="planned",
                index=i,
                cluster_kind=_planned_kind(planned),
                description=planned.description,
                participants=_participants(planned.participants),
                place=planned.location,
                place_key=place_key(planned.location),
                time_text=planned.time.text if planned.time else None,
                start=start,
                end=end,
                time_inferred=inferred,
                status=planned.status,
                tokens=content_tokens(planned.description),
                evidence=_evidence(planned.evidence),
                published=published,
                source=article.source,
            )
        )
    return out

"""`events build`: batch outputs into the event database, incrementally.

    read outputs ─ mentions ─ [blocking ─ scoring] ─ components ─ events ─ follow-ups ─ DuckDB
                               (local, or a Ray Data pipeline)

Articles already in the database are skipped. New mentions are compared with each other and
with the stored ones (never stored with stored: those pairs were decided before); the new
matches join the stored components, and only the events they touch are rebuilt. As matches
depend on the two mentions alone and events on their members alone, building A then B gives
the database that building A and B at once gives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.events.cluster import UnionFind, make_event, mention_reason
from summarizer.events.followups import follow_ups
from summarizer.events.matching import find_matches
from summarizer.events.mentions import extract_mentions
from summarizer.events.model import ArticleRow, Event, Match, Mention, Problem
from summarizer.events.reader import read_articles, read_outputs
from summarizer.events.store import EventStore, open_store

__all__ = ["BuildStats", "Matcher", "build", "merge"]

Matcher = Callable[[Sequence[Mention], set[str]], list[Match]]


@dataclass
class BuildStats:
    articles: int = 0
    skipped: int = 0
    mentions: int = 0
    matches: int = 0
    events_written: int = 0
    events_total: int = 0
    follow_ups: int = 0
    problems: list[Problem] = field(default_factory=list)


def _local(mentions: Sequence[Mention], new: set[str]) -> list[Match]:
    return find_matches(mentions, new)


def build(
    outputs: Sequence[Path],
    db: Path,
    *,
    articles: Sequence[str] = (),
    matcher: Matcher | None = None,
) -> BuildStats:
    """Add the articles of `outputs` to the database at `db` (created when absent)."""
    stats = BuildStats()
    meta = read_articles(articles)
    store = open_store(db)
    try:
        known = store.article_ids()
        rows: list[ArticleRow] = []
        new_mentions: list[Mention] = []
        for record in read_outputs(outputs, meta, stats.problems):
            if record.article.article_id in known:
                stats.skipped += 1
                continue
            rows.append(record.article)
            new_mentions.extend(extract_mentions(record.article, record.summary))
        stats.articles, stats.mentions = len(rows), len(new_mentions)
        with store.transaction():
            # merge() before the new mentions are stored: it reads the stored ones, and would
            # otherwise hold every new mention twice.
            merge(store, new_mentions, matcher or _local, stats)
            store.add_articles(rows)
            store.add_mentions(new_mentions)
            store.add_problems(stats.problems)
        stats.events_total = int(store.con.execute("SELECT count(*) FROM events").fetchone()[0])  # type: ignore[index]
    finally:
        store.close()
    return stats


def merge(store: EventStore, new_mentions: Sequence[Mention], matcher: Matcher, stats: BuildStats) -> None:
    """Match the new mentions, join them to the stored events, rewrite the events touched.

    Call it before the new mentions are stored: the stored ones are read from `store`."""
    fresh = [m for m in new_mentions if m.clustered]
    new_ids = {m.mention_id for m in fresh}
    stored = store.clustered_mentions()
    everything = {m.mention_id: m for m in stored}
    everything.update((m.mention_id, m) for m in fresh)
    matches = matcher(list(everything.values()), new_ids)
    stats.matches = len(matches)
    store.add_matches(matches)

    membership = store.membership()
    groups = UnionFind()
    by_event: dict[str, list[str]] = defaultdict(list)
    for mention_id, event in membership.items():
        by_event[event].append(mention_id)
    for members in by_event.values():
        for mention_id in members:
            groups.add(mention_id)
            groups.union(members[0], mention_id)
    for mention_id in new_ids:
        groups.add(mention_id)
    for m in matches:
        groups.union(m.a, m.b)

    touched_roots = {groups.find(i) for i in new_ids}
    touched = [i for i in everything if groups.find(i) in touched_roots]
    components = groups.groups(touched)
    removed = {membership[i] for i in touched if i in membership}
    events = [make_event([everything[i] for i in members]) for members in components.values()]
    events.sort(key=lambda e: e.event_id)
    store.replace_events(removed, events)
    stats.events_written = len(events)

    own: dict[str, list[Match]] = defaultdict(list)
    for m in store.matches_of(touched):
        own[m.a].append(m)
        own[m.b].append(m)
    store.add_links(_mention_links(events, own))
    links = follow_ups(store.events())
    stats.follow_ups = store.replace_follow_ups(links)


def _mention_links(
    events: Iterable[Event], own: dict[str, list[Match]]
) -> Iterator[tuple[str, str, str, float | None, dict[str, Any]]]:
    for event in events:
        for mention_id in event.members:
            score, reason = mention_reason(mention_id, own)
            yield "mention", mention_id, event.event_id, score, reason

"""From accepted matches to events: connected components, then one row per component.

Components of the match graph do not depend on the order in which mentions or matches
arrive, so an incremental build (old components plus new matches) gives the same events as
a build from scratch. Everything an event shows is computed from its members alone, with
ties broken by fixed rules, and its id is a hash of its smallest member id.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from summarizer.events.model import Event, Match, Mention

__all__ = ["UnionFind", "event_id", "make_event", "mention_reason"]


class UnionFind:
    """Disjoint sets of mention ids; the representative is the smallest id of its set."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def add(self, item: str) -> None:
        self._parent.setdefault(item, item)

    def find(self, item: str) -> str:
        parent = self._parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:  # path compression
            parent[item], item = root, parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self._parent[high] = low

    def groups(self, items: Iterable[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for item in items:
            out.setdefault(self.find(item), []).append(item)
        return {root: sorted(members) for root, members in out.items()}


def event_id(members: Sequence[str]) -> str:
    return "ev_" + hashlib.sha256(min(members).encode("utf-8")).hexdigest()[:12]


def _most_common(values: Iterable[str]) -> str | None:
    counts = Counter(values)
    if not counts:
        return None
    return min(counts, key=lambda v: (-counts[v], v))


def _interval(ms: Sequence[Mention]) -> tuple[date | None, date | None, bool]:
    """The most precise interval given (shortest, then earliest); inferred ones only when
    no member gives a time."""
    given = [m for m in ms if m.start is not None and not m.time_inferred]
    pool = given or [m for m in ms if m.start is not None]
    if not pool:
        return None, None, False
    best = min(pool, key=lambda m: ((m.end or m.start) - m.start, m.start, m.mention_id))  # type: ignore[operator]
    return best.start, best.end, not given


def make_event(members: Sequence[Mention]) -> Event:
    ms = sorted(members, key=lambda m: m.mention_id)
    names: dict[str, str] = {}
    for m in ms:
        for key, name in m.participants:
            best = names.get(key)
            if best is None or (len(name), best) > (len(best), name):
                names[key] = name
    place_key = _most_common(m.place_key for m in ms if m.place_key)
    place = _most_common(m.place for m in ms if m.place_key == place_key and m.place) if place_key else None
    start, end, inferred = _interval(ms)
    dated = sorted((m.published, m.mention_id) for m in ms if m.published is not None)
    latest = ms[-1] if not dated else next(m for m in ms if m.mention_id == dated[-1][1])
    description = _most_common(m.description for m in ms if m.description) or ""
    kind = ms[0].cluster_kind
    status = "held" if kind == "meeting" else kind if kind in ("postponed", "cancelled") else latest.status
    return Event(
        event_id=event_id([m.mention_id for m in ms]),
        kind=kind,
        description=description,
        participants=tuple(sorted(names.items())),
        place=place,
        start=start,
        end=end,
        time_inferred=inferred,
        status=status,
        first_seen=dated[0][0] if dated else None,
        last_seen=dated[-1][0] if dated else None,
        n_articles=len({m.article_id for m in ms}),
        n_sources=len({m.source for m in ms if m.source}),
        members=tuple(m.mention_id for m in ms),
    )


def mention_reason(
    mention_id: str, matches: Mapping[str, Sequence[Match]]
) -> tuple[float | None, dict[str, Any]]:
    """Why a mention is in its event: its best match (highest score, then smallest other id),
    or that it founded the event."""
    own = matches.get(mention_id, ())
    if not own:
        return None, {"rule": "new event", "why": "no mention in its blocks scored at least the threshold"}
    best = min(own, key=lambda m: (-m.score, m.b if m.a == mention_id else m.a))
    other = best.b if best.a == mention_id else best.a
    return best.score, {"rule": "matched", "with": other, **best.reason}

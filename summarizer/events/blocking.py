"""Blocking: which mentions are worth comparing at all.

A mention's block keys are (cluster kind, canonical actor, month) for every actor and every
month its interval touches (at most `MAX_MONTHS`), and (kind, place, month) when it names
no actor. Two mentions are candidates when they share a key, so the work grows with the
size of the blocks, not with the square of the corpus. A pair sharing several keys is
scored once: in the block of the smallest key they share (its `owner`), which needs no
global set of pairs and so works the same in one process and across Ray workers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date

from summarizer.events.model import Mention

__all__ = ["MAX_MONTHS", "block_keys", "blocks", "candidate_pairs", "owner"]

MAX_MONTHS = 13


def _months(start: date | None, end: date | None) -> list[str]:
    if start is None:
        return ["undated"]
    last = end or start
    index = start.year * 12 + start.month - 1
    stop = min(last.year * 12 + last.month - 1, index + MAX_MONTHS - 1)
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index, stop + 1)]


def block_keys(m: Mention) -> tuple[str, ...]:
    """The sorted block keys of a mention; none for statements."""
    if not m.clustered:
        return ()
    anchors = [f"a:{key}" for key in sorted(m.actor_keys)]
    if not anchors and m.place_key:
        anchors = [f"p:{m.place_key}"]
    months = _months(m.start, m.end)
    return tuple(sorted(f"{m.cluster_kind}|{anchor}|{month}" for anchor in anchors for month in months))


def owner(a: tuple[str, ...], b: tuple[str, ...]) -> str | None:
    """The smallest key two sorted key tuples share, or None."""
    shared = set(a).intersection(b)
    return min(shared) if shared else None


def blocks(
    mentions: Iterable[Mention], keys: dict[str, tuple[str, ...]] | None = None
) -> dict[str, list[Mention]]:
    """Mentions by block key; each mention's keys are also put in `keys` when given."""
    found: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        own = block_keys(m)
        if keys is not None:
            keys[m.mention_id] = own
        for key in own:
            found[key].append(m)
    return found


def pairs_in_block(
    key: str,
    members: list[Mention],
    new: set[str] | None,
    keys: dict[str, tuple[str, ...]] | None = None,
) -> Iterator[tuple[Mention, Mention]]:
    """Each pair of the block that this block owns, with at least one new mention (all pairs
    when `new` is None), as (smaller id, larger id). `keys`: the members' block keys, when
    already known."""
    ordered = sorted(members, key=lambda m: m.mention_id)
    if keys is None:
        keys = {m.mention_id: block_keys(m) for m in ordered}
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if a.article_id == b.article_id:
                continue  # one article reports an event once; its items are apart on purpose
            if new is not None and a.mention_id not in new and b.mention_id not in new:
                continue
            if owner(keys[a.mention_id], keys[b.mention_id]) == key:
                yield a, b


def candidate_pairs(
    mentions: Iterable[Mention], new: set[str] | None = None
) -> Iterator[tuple[Mention, Mention]]:
    """Every candidate pair once, block by block in key order."""
    keys: dict[str, tuple[str, ...]] = {}
    found = blocks(mentions, keys)
    for key in sorted(found):
        if len(found[key]) > 1:
            yield from pairs_in_block(key, found[key], new, keys)

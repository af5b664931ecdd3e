"""Gold-side values the alignment needs, built once per gold list and owned by a scorer.

A suite scores many predictions (repetitions, runs) against the same gold, so token indexes,
merged spans, speaker keys and similarity columns are kept with the gold list they were built
from. Gold is treated as read-only once it is being scored.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

__all__ = ["GoldCache"]

_T = TypeVar("_T")
_V = TypeVar("_V")


class GoldCache:
    """Values keyed by (gold list, tag), in bounded memory.

    An entry is found by the list's identity and holds the list itself, so the identity of a
    list that is still cached is never reused by another one; an entry whose list changed
    length is rebuilt. `max_columns` bounds the per-value caches held inside entries (see
    `keep`), all lists together: a bound on memory, not a tuning knob.
    """

    def __init__(self, *, max_entries: int = 1 << 15, max_columns: int = 1 << 17) -> None:
        self.max_entries = max_entries
        self.max_columns = max_columns
        self._entries: dict[tuple[int, Hashable], tuple[object, int, Any]] = {}
        self._columns = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._columns = 0

    def get(self, owner: Sequence[object], tag: Hashable, build: Callable[[], _T]) -> _T:
        """The value built for (`owner`, `tag`), building it with `build()` the first time."""
        key = (id(owner), tag)
        hit = self._entries.get(key)
        if hit is not None and hit[0] is owner and hit[1] == len(owner):
            value: _T = hit[2]
            return value
        if len(self._entries) >= self.max_entries:
            self.clear()
        value = build()
        self._entries[key] = (owner, len(owner), value)
        return value

    def keep(self, cache: dict[Hashable, _V], key: Hashable, value: _V) -> _V:
        """cache[key] = value, for a cache held in an entry, within `max_columns`.

        Values should be tuples of atoms, which the garbage collector stops tracking.
        """
        if self._columns >= self.max_columns:
            self.clear()  # `cache` is dropped with it, after this one insertion
        cache[key] = value
        self._columns += 1
        return value

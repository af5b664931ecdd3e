"""The local engine of the merge step: candidate pairs by blocking, each scored once."""

from __future__ import annotations

from collections.abc import Iterable

from summarizer.events.blocking import candidate_pairs
from summarizer.events.model import Match, Mention
from summarizer.events.scoring import match

__all__ = ["find_matches"]


def find_matches(mentions: Iterable[Mention], new: set[str] | None = None) -> list[Match]:
    """Accepted pairs among `mentions` with at least one mention in `new` (all when None),
    sorted by ids."""
    found = [m for a, b in candidate_pairs(mentions, new) if (m := match(a, b)) is not None]
    return sorted(found, key=lambda m: (m.a, m.b))

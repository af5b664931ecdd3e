"""Whether two mentions report the same real-world event: a score from 0 to 1 and its parts.

    score = 0.45 participants + 0.20 place + 0.20 time + 0.15 description

- participants: Jaccard of canonical actor keys;
- place: 1 same place, 0.5 when either is not given, 0 different places;
- time: intervals that do not overlap rule the pair out; otherwise the overlap over the
  shorter interval, capped at 0.6 when either interval was inferred from a publication date;
- description: Jaccard of content words (topics for meetings), 0.5 when either has none.

A pair is a match at `THRESHOLD` or more, and only if it shares an actor or a place. Each
part is kept in the match's reason, so that every merge can be explained.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from summarizer.events.model import Match, Mention

__all__ = ["THRESHOLD", "WEIGHTS", "match", "score_pair"]

WEIGHTS = {"participants": 0.45, "place": 0.20, "time": 0.20, "description": 0.15}
THRESHOLD = 0.6
INFERRED_TIME_CAP = 0.6


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _days(start: date, end: date) -> int:
    return (end - start).days + 1


def _time(a: Mention, b: Mention) -> float | None:
    """The time part, or None when the intervals are apart."""
    if a.start is None or b.start is None or a.end is None or b.end is None:
        return 0.5
    overlap = _days(max(a.start, b.start), min(a.end, b.end))
    if overlap <= 0:
        return None
    shorter = min(_days(a.start, a.end), _days(b.start, b.end))
    part = overlap / shorter
    # Two long intervals that overlap say less than two matching days.
    part *= float(min(1.0, 2 / max(2, shorter)) ** 0.25)
    if a.time_inferred or b.time_inferred:
        part = min(part, INFERRED_TIME_CAP)
    return part


def _place(a: Mention, b: Mention) -> float:
    if a.place_key is None or b.place_key is None:
        return 0.5
    return 1.0 if a.place_key == b.place_key else 0.0


def score_pair(a: Mention, b: Mention) -> tuple[float, dict[str, Any]] | None:
    """The score and its parts, or None when the pair is ruled out before scoring."""
    if a.cluster_kind != b.cluster_kind:
        return None
    time = _time(a, b)
    if time is None:
        return None
    shared = sorted(a.actor_keys & b.actor_keys)
    same_place = a.place_key is not None and a.place_key == b.place_key
    if not shared and not same_place:
        return None
    desc = 0.5 if not a.tokens or not b.tokens else _jaccard(a.tokens, b.tokens)
    parts = {
        "participants": _jaccard(a.actor_keys, b.actor_keys),
        "place": _place(a, b),
        "time": time,
        "description": desc,
    }
    score = sum(WEIGHTS[name] * value for name, value in parts.items())
    reason: dict[str, Any] = {
        "score": round(score, 4),
        "parts": {name: round(value, 4) for name, value in parts.items()},
        "shared_actors": shared,
        "place": a.place_key if same_place else None,
        "threshold": THRESHOLD,
    }
    return score, reason


def match(a: Mention, b: Mention) -> Match | None:
    """A Match (ids in order) when the pair scores at least THRESHOLD."""
    scored = score_pair(a, b)
    if scored is None or scored[0] < THRESHOLD:
        return None
    first, second = sorted((a.mention_id, b.mention_id))
    return Match(first, second, round(scored[0], 6), scored[1])

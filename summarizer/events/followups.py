"""Planned events linked to the later events that fulfil, postpone or cancel them.

A candidate shares an actor with the planned event (the index is by actor, so the work
stays near-linear), was first reported no earlier than it, and:

- `postpones`: a postponement event, its interval not ending before the plan's starts;
- `cancels`: a cancellation event, likewise;
- `fulfils`: a meeting whose interval overlaps the plan's, or a postponement's new interval.

Candidates are scored like mentions (participants, place, description; time is the
condition above) and the best one for each relation is kept, with the reason. Links are
recomputed from the events on every build: they are few, and a new article can change
which event is the best follow-up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from summarizer.events.model import Event, FollowUp
from summarizer.events.normalize import content_tokens

__all__ = ["FOLLOW_UP_THRESHOLD", "follow_ups"]

FOLLOW_UP_THRESHOLD = 0.35
_RELATION: dict[str, Literal["postpones", "cancels"]] = {
    "postponed": "postpones",
    "cancelled": "cancels",
}


def _keys(e: Event) -> frozenset[str]:
    return frozenset(k for k, _ in e.participants)


def _overlaps(a: tuple[date | None, date | None], b: tuple[date | None, date | None]) -> bool:
    if a[0] is None or b[0] is None:
        return True  # unknown time neither confirms nor rules out
    return max(a[0], b[0]) <= min(a[1] or a[0], b[1] or b[0])


def _words(e: Event) -> frozenset[str]:
    return content_tokens(e.description)


def _score(plan: Event, later: Event) -> tuple[float, dict[str, Any]]:
    a, b = _keys(plan), _keys(later)
    shared = sorted(a & b)
    participants = len(shared) / len(a | b) if a | b else 0.0
    place = 0.5 if plan.place is None or later.place is None else float(
        plan.place.casefold() == later.place.casefold()
    )
    wa, wb = _words(plan), _words(later)
    description = 0.5 if not wa or not wb else len(wa & wb) / len(wa | wb)
    score = 0.6 * participants + 0.25 * place + 0.15 * description
    parts = {"participants": round(participants, 4), "place": place, "description": round(description, 4)}
    return score, {"score": round(score, 4), "parts": parts, "shared_actors": shared}


def follow_ups(events: Sequence[Event]) -> list[FollowUp]:
    by_actor: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        if e.kind in ("meeting", "postponed", "cancelled"):
            for key in _keys(e):
                by_actor[key].append(e)
    links: list[FollowUp] = []
    for plan in sorted((e for e in events if e.kind == "planned"), key=lambda e: e.event_id):
        candidates = {c.event_id: c for key in _keys(plan) for c in by_actor.get(key, ())}
        best: dict[str, tuple[float, str, dict[str, Any]]] = {}
        window = (plan.start, plan.end)
        later = [
            c for _, c in sorted(candidates.items())
            if plan.first_seen is None or c.first_seen is None or c.first_seen >= plan.first_seen
        ]
        for change in (c for c in later if c.kind in _RELATION):
            if change.start is not None and plan.start is not None and (change.end or change.start) < plan.start:
                continue
            _keep(best, _RELATION[change.kind], plan, change, {"time": "after the planned date"})
        windows = [window]
        if "postpones" in best:
            moved = next(c for c in later if c.event_id == best["postpones"][1])
            windows.append((moved.start, moved.end))
        for meeting in (c for c in later if c.kind == "meeting"):
            if any(_overlaps(w, (meeting.start, meeting.end)) for w in windows):
                _keep(best, "fulfils", plan, meeting, {"time": "overlaps the planned interval"})
        for relation, (score, later_id, reason) in sorted(best.items()):
            links.append(FollowUp(plan.event_id, later_id, relation, round(score, 6), reason))  # type: ignore[arg-type]
    return links


def _keep(
    best: dict[str, tuple[float, str, dict[str, Any]]],
    relation: str,
    plan: Event,
    later: Event,
    why: dict[str, Any],
) -> None:
    score, reason = _score(plan, later)
    if score < FOLLOW_UP_THRESHOLD:
        return
    current = best.get(relation)
    if current is None or (-score, later.event_id) < (-current[0], current[1]):
        best[relation] = (score, later.event_id, {"relation": relation, **reason, **why})

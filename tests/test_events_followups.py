"""Follow-ups: a plan and the later event that fulfils, postpones or cancels it."""

from __future__ import annotations

from datetime import date

from summarizer.events.followups import follow_ups
from summarizer.events.model import Event


def event(event_id: str, kind: str, start: str, seen: str, actors: tuple[str, ...] = ("roth", "brekke"), place: str | None = "Lindholm") -> Event:
    return Event(
        event_id=event_id, kind=kind, description="fisheries accord signing",  # type: ignore[arg-type]
        participants=tuple((a, a.title()) for a in sorted(actors)), place=place,
        start=date.fromisoformat(start), end=date.fromisoformat(start), time_inferred=False,
        status="planned", first_seen=date.fromisoformat(seen), last_seen=date.fromisoformat(seen),
        n_articles=1, n_sources=1,
    )


def test_a_later_meeting_at_the_planned_time_fulfils_the_plan() -> None:
    plan = event("p", "planned", "2025-04-14", "2025-03-10")
    held = event("m", "meeting", "2025-04-14", "2025-04-15")
    earlier = event("m0", "meeting", "2025-03-10", "2025-03-10")  # before the plan: no
    other = event("m2", "meeting", "2025-04-14", "2025-04-15", ("ferro",))  # nobody shared
    links = follow_ups([plan, held, earlier, other])
    assert [(f.planned, f.later, f.relation) for f in links] == [("p", "m", "fulfils")]
    assert links[0].reason["shared_actors"] == ["brekke", "roth"]


def test_a_postponed_plan_is_fulfilled_at_its_new_date() -> None:
    plan = event("p", "planned", "2025-05-20", "2025-04-02")
    moved = event("q", "postponed", "2025-06-10", "2025-05-12")
    held = event("m", "meeting", "2025-06-10", "2025-06-11")
    gone = event("c", "cancelled", "2025-05-20", "2025-05-13")
    links = follow_ups([plan, moved, held, gone])
    assert sorted((f.relation, f.later) for f in links) == [
        ("cancels", "c"), ("fulfils", "m"), ("postpones", "q"),
    ]

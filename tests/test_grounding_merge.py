"""Tests for summarizer.grounding.merge: items seen in two chunks merged, canonical actors."""

from __future__ import annotations

from datetime import date

from helpers_grounding import ARTICLE, BRANDT_QUOTE, MEETING_QUOTE, SESSION_QUOTE

from summarizer.grounding.grounder import Items
from summarizer.grounding.merge import canonicalise_actors, merge
from summarizer.schemas import Actor, Evidence, Meeting, PlannedEvent, Statement, TimeExpr


def _ev(quote: str) -> Evidence:
    start = ARTICLE.index(quote)
    return Evidence(quote=quote, start=start, end=start + len(quote), match="exact")


def _time(text: str, day: date) -> TimeExpr:
    return TimeExpr(text=text, start=day, end=day)


def test_merge_joins_the_same_items_seen_in_two_overlapping_chunks() -> None:
    brandt, qadri = Actor(name="Ilse Brandt"), Actor(name="Omar Qadri")
    first = Items(
        meetings=[
            Meeting(participants=[brandt], topics=["fishing rights"], evidence=[_ev(MEETING_QUOTE)])
        ],
        statements=[
            Statement(
                speaker=Actor(name="Ilse Brandt"),
                content="She agreed.",
                evidence=[_ev(BRANDT_QUOTE)],
            )
        ],
        planned_events=[
            PlannedEvent(description="joint cabinet session", evidence=[_ev(SESSION_QUOTE)])
        ],
        summaries=["first"],
    )
    second = Items(
        meetings=[
            Meeting(
                participants=[brandt, qadri],
                location="Vell",
                topics=["fishing rights", "rail link"],
                evidence=[_ev("met her Tarsen counterpart"), _ev("on Wednesday")],
            )
        ],
        # The next chunk names the speaker by surname only.
        statements=[
            Statement(
                speaker=Actor(name="Brandt"),
                content="Treaty this spring.",
                quote=BRANDT_QUOTE,
                evidence=[_ev(BRANDT_QUOTE)],
            )
        ],
        planned_events=[
            PlannedEvent(
                description="a joint cabinet session of both governments",
                time=_time("on April 12", date(2021, 4, 12)),
                evidence=[_ev("joint cabinet session in Vell")],
            )
        ],
        summaries=["second"],
    )
    merged = merge([first, second])
    assert len(merged.meetings) == len(merged.statements) == len(merged.planned_events) == 1
    meeting = merged.meetings[0]
    assert meeting.topics == ["fishing rights", "rail link"]
    assert meeting.location == "Vell"
    assert [p.name for p in meeting.participants] == ["Ilse Brandt", "Omar Qadri"]
    assert [e.quote for e in meeting.evidence] == [
        MEETING_QUOTE,
        "met her Tarsen counterpart",
        "on Wednesday",
    ]
    assert merged.statements[0].quote == BRANDT_QUOTE
    assert merged.planned_events[0].time is not None
    assert merged.summaries == ["first", "second"]


def test_merge_keeps_distinct_items() -> None:
    brandt, qadri = Actor(name="Ilse Brandt"), Actor(name="Omar Qadri")
    first = Items(
        meetings=[
            Meeting(
                participants=[brandt, qadri],
                time=_time("on Wednesday", date(2021, 3, 3)),
                evidence=[_ev(MEETING_QUOTE)],
            )
        ],
        statements=[
            Statement(
                speaker=brandt,
                content="The treaty will be finished this spring.",
                evidence=[_ev(BRANDT_QUOTE)],
            )
        ],
        planned_events=[
            PlannedEvent(
                description="joint cabinet session",
                time=_time("on April 12", date(2021, 4, 12)),
                evidence=[_ev(SESSION_QUOTE)],
            )
        ],
    )
    second = Items(
        # Same people, another day: another meeting.
        meetings=[
            Meeting(
                participants=[brandt, qadri],
                time=_time("on Friday", date(2021, 3, 5)),
                evidence=[_ev("Nordvik and Tarsen ministers meet in Vell")],
            )
        ],
        # Same evidence, another speaker: another statement.
        statements=[
            Statement(
                speaker=qadri, content="Qadri doubted the treaty.", evidence=[_ev(BRANDT_QUOTE)]
            )
        ],
        planned_events=[
            PlannedEvent(
                description="fishing treaty signing",
                time=_time("this spring", date(2021, 3, 20)),
                evidence=[_ev("finish the fishing treaty")],
            )
        ],
    )
    merged = merge([first, second])
    assert len(merged.meetings) == 2
    assert [s.speaker.name for s in merged.statements] == ["Ilse Brandt", "Omar Qadri"]
    assert len(merged.planned_events) == 2


def test_merge_of_nothing_and_of_one_part() -> None:
    assert merge([]) == Items()
    part = Items(meetings=[Meeting(evidence=[_ev(MEETING_QUOTE)])], summaries=["s"])
    assert merge([part]) == part


# --- canonical actors ----------------------------------------------------------------------


def test_canonicalise_actors_across_items() -> None:
    items = Items(
        meetings=[
            Meeting(
                participants=[
                    Actor(name="Brandt"),
                    Actor(name="Ilse Brandt"),
                    Actor(name="the Tarsen minister"),
                ],
                evidence=[_ev(MEETING_QUOTE)],
            )
        ],
        statements=[
            Statement(speaker=Actor(name="Brandt"), content="x", evidence=[_ev(BRANDT_QUOTE)])
        ],
        planned_events=[
            PlannedEvent(
                description="session",
                participants=[
                    Actor(name="Omar Qadri", role="foreign minister", affiliation="Tarsen"),
                    Actor(name="Ilse Brandt", role="foreign minister", affiliation="Nordvik"),
                ],
            )
        ],
    )
    canonicalise_actors(items)
    brandt = Actor(name="Ilse Brandt", role="foreign minister", affiliation="Nordvik")
    qadri = Actor(name="Omar Qadri", role="foreign minister", affiliation="Tarsen")
    assert items.meetings[0].participants == [brandt, qadri]  # no actor twice in one item
    assert items.statements[0].speaker == brandt
    assert items.planned_events[0].participants == [qadri, brandt]

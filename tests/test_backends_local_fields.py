"""Evidence-first fields: every field comes from the item's own sentence (invented articles)."""

from __future__ import annotations

from datetime import date

from summarizer.backends.local_fields import Candidate, build, find_candidates, reported_sentences
from summarizer.prompts import load_examples

PUBLISHED = date(2023, 2, 14)  # a Tuesday
ARTICLE = (
    "Kestria and Dalmor agree on crossings\n\n"
    "VELL, Feb 14 -- Kestrian Foreign Minister Anna Vold met her Dalmor counterpart Piet Aren "
    "in Vell on Tuesday to discuss grain exports and border crossings.\n\n"
    "\"We will open two new crossings. Trucks have waited too long,\" Vold told reporters.\n\n"
    "Aren said the rail link was next, according to a note. It added nothing on fees.\n\n"
    "The Kestrian Foreign Ministry said the talks were frank.\n\n"
    "The ministry said trade had doubled.\n\n"
    "A senior official, who asked not to be named, said the deal was close.\n\n"
    "The two governments will hold a joint cabinet session in Vell on March 3.\n\n"
    "The session was postponed from January.\n\n"
    "A summit of the two leaders that had been planned for April was cancelled."
)


def _kind(found: list[Candidate], kind: str) -> list[Candidate]:
    return [c for c in found if c.kind == kind]


def test_a_meeting_takes_its_people_place_and_time_from_its_sentence() -> None:
    (meeting,) = _kind(find_candidates(ARTICLE, PUBLISHED), "meeting")
    assert [(a.name, a.kind, a.role) for a in meeting.actors] == [
        ("Anna Vold", "person", "foreign minister"),
        ("Piet Aren", "person", "foreign minister"),
    ]
    assert meeting.location == "Vell"
    assert meeting.time == "Tuesday"
    assert meeting.topics == ["grain exports", "border crossings"]
    assert meeting.format == "in_person"
    # The dateline is no part of the evidence.
    assert meeting.evidence[0].startswith("Kestrian Foreign Minister Anna Vold met")


def test_a_statement_speaker_comes_from_its_attribution_cue() -> None:
    statements = _kind(find_candidates(ARTICLE, PUBLISHED), "statement")
    speakers = [(c.actors[0].name, c.actors[0].kind) for c in statements]
    assert speakers == [
        ("Anna Vold", "person"),  # "..." Vold told reporters
        ("Piet Aren", "person"),  # Aren said
        ("Kestrian Foreign Ministry", "organization"),  # named before the cue
        ("Kestrian Foreign Ministry", "organization"),  # "the ministry said"
        ("senior official", "person"),  # described, past the relative clause
    ]


def test_a_quotation_split_at_a_full_stop_is_one_statement() -> None:
    first = _kind(find_candidates(ARTICLE, PUBLISHED), "statement")[0]
    assert first.quote == "We will open two new crossings. Trucks have waited too long"
    assert first.evidence == [
        "\"We will open two new crossings. Trucks have waited too long,\" Vold told reporters."
    ]
    assert first.content.startswith("Anna Vold said We will open")


def test_planned_events_take_time_place_and_status_from_their_sentences() -> None:
    events = _kind(find_candidates(ARTICLE, PUBLISHED), "planned_event")
    session = next(e for e in events if "cabinet session" in e.description)
    assert session.location == "Vell"
    assert session.time == "March 3"
    # "The session was postponed": the same event, now postponed.
    assert session.status == "postponed"
    assert len(session.evidence) == 2
    summit = next(e for e in events if "summit" in e.description)
    assert summit.status == "cancelled"


def test_headlines_are_not_items_and_nothing_comes_from_the_few_shot_example() -> None:
    found = find_candidates(ARTICLE, PUBLISHED)
    assert "Kestria and Dalmor agree on crossings" not in reported_sentences(ARTICLE)
    draft = build(found, "lead")
    example = load_examples()[0]["article"]["text"]
    for quote in draft.quotes():
        assert quote in ARTICLE
    names = [a.name for m in draft.meetings for a in m.participants]
    names += [s.speaker.name for s in draft.statements]
    names += [a.name for e in draft.planned_events for a in e.participants]
    assert names and all(n in ARTICLE for n in names)
    assert not any(n in example for n in names)


def test_build_keeps_only_the_candidates_given() -> None:
    found = find_candidates(ARTICLE, PUBLISHED)
    draft = build([c for c in found if c.kind == "statement"], "lead")
    assert draft.summary == "lead" and not draft.meetings and not draft.planned_events
    assert len(draft.statements) == 5

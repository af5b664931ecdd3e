"""Tests for summarizer.grounding.grounder: grounding policies, offsets, a statement's spans."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from helpers_grounding import ARTICLE, BRANDT_QUOTE, MEETING_QUOTE, PUBLISHED, SESSION_QUOTE

from summarizer.clean import clean
from summarizer.config import GroundingPolicy
from summarizer.draft_schema import DraftSummary
from summarizer.grounding.grounder import Grounder, Items
from summarizer.grounding.merge import merge
from summarizer.schemas import Evidence, Statement


def _draft(**parts: Any) -> DraftSummary:
    return DraftSummary.model_validate({"summary": "Ministers met.", **parts})


def _meeting(evidence: list[str], **fields: Any) -> dict[str, Any]:
    return {
        "participants": [{"name": "Ilse Brandt"}, {"name": "Omar Qadri"}],
        "location": "Vell",
        "time": "on Wednesday",
        "topics": ["fishing rights", "fishing rights"],
        "format": "in_person",
        "evidence": evidence,
        **fields,
    }


def _statement(**fields: Any) -> dict[str, Any]:
    return {
        "speaker": {"name": "Ilse Brandt", "role": "foreign minister"},
        "content": "Brandt said the treaty would be finished this spring.",
        "quote": BRANDT_QUOTE,
        "evidence": [BRANDT_QUOTE],
        **fields,
    }


def _event(**fields: Any) -> dict[str, Any]:
    return {
        "description": "joint cabinet session",
        "participants": [{"name": "Nordvik", "kind": "country"}],
        "location": "Vell",
        "time": "on April 12",
        "status": "scheduled",
        "evidence": [SESSION_QUOTE],
        **fields,
    }


def _ground(draft: DraftSummary, policy: GroundingPolicy = "drop") -> tuple[Items, Grounder]:
    grounder = Grounder(ARTICLE, PUBLISHED, policy)
    return grounder.items(draft, near=None), grounder


# --- grounded drafts ---------------------------------------------------------------------


def test_grounded_draft_passes_with_offsets_and_normalised_times() -> None:
    items, grounder = _ground(
        _draft(
            meetings=[_meeting([MEETING_QUOTE])],
            statements=[_statement()],
            planned_events=[_event()],
        )
    )
    assert grounder.report.dropped == grounder.report.flagged == 0
    assert grounder.report.warnings == []
    meeting = items.meetings[0]
    ev = meeting.evidence[0]
    assert ev.start is not None and ev.end is not None
    assert (ev.match, ARTICLE[ev.start : ev.end]) == ("exact", MEETING_QUOTE)
    assert meeting.topics == ["fishing rights"]
    assert meeting.time is not None and meeting.time.start == date(2021, 3, 3)
    assert [p.name for p in meeting.participants] == ["Ilse Brandt", "Omar Qadri"]
    assert items.statements[0].quote == BRANDT_QUOTE
    event = items.planned_events[0]
    assert event.time is not None and event.time.start == date(2021, 4, 12)
    assert items.summaries == ["Ministers met."]


CONTEXT_ARTICLE = (
    "Nordvik and Tarsen trade ministers met in Vell on Tuesday. Officials signed a grain "
    "accord the same day. The ministers are set to meet again on Friday. "
    "A Friday meeting last month ended without a deal."
)


def test_times_are_read_where_the_article_says_them() -> None:
    # Published on Thursday 2021-03-04: "the same day" is the Tuesday named before it, and
    # "on Friday" in a future clause is the coming Friday, not the past one.
    draft = _draft(
        meetings=[
            _meeting(
                ["Officials signed a grain accord the same day."],
                participants=[],
                location=None,
                time="the same day",
            )
        ],
        planned_events=[
            _event(
                evidence=["The ministers are set to meet again on Friday."],
                participants=[],
                location=None,
                time="on Friday",
            )
        ],
    )
    grounder = Grounder(CONTEXT_ARTICLE, PUBLISHED, "drop")
    items = grounder.items(draft, near=None)
    meeting_time = items.meetings[0].time
    assert meeting_time is not None
    assert (meeting_time.text, meeting_time.start, meeting_time.end) == (
        "the same day",
        date(2021, 3, 2),
        date(2021, 3, 2),
    )
    event_time = items.planned_events[0].time
    assert event_time is not None and event_time.start == date(2021, 3, 5)


def test_meeting_time_uses_the_tense_of_its_own_clause() -> None:
    # Without context a bare "in March" published on 2021-03-04 is that March; a bare
    # weekday defaults to the past. Here the clause is future: the coming Monday.
    article = "The envoys will meet on Monday in Vell to discuss quotas."
    draft = _draft(meetings=[_meeting([article], participants=[], location=None, time="on Monday")])
    items = Grounder(article, PUBLISHED, "drop").items(draft, near=None)
    meeting_time = items.meetings[0].time
    assert meeting_time is not None and meeting_time.start == date(2021, 3, 8)


def test_evidence_offsets_index_the_original_when_the_model_saw_a_cleaned_copy() -> None:
    cleaned = clean(ARTICLE)
    assert len(cleaned.text) < len(ARTICLE)
    # The model quotes the cleaned copy; in it the quotes sit at other offsets.
    assert cleaned.text.index(SESSION_QUOTE) != ARTICLE.index(SESSION_QUOTE)
    near = cleaned.to_original(cleaned.text.index("Nordvik Foreign Minister"))
    grounder = Grounder(ARTICLE, PUBLISHED, "drop")
    items = grounder.items(_draft(meetings=[_meeting([MEETING_QUOTE, SESSION_QUOTE])]), near=near)
    for ev in items.meetings[0].evidence:
        assert ev.start is not None and ev.end is not None
        assert ARTICLE[ev.start : ev.end] == ev.quote
        assert ev.start == ARTICLE.index(ev.quote)


def test_evidence_with_typographic_differences_aligns_fuzzily_or_normalised() -> None:
    # The model straightened the curly apostrophe and changed the spacing.
    text = "The ministers’ talks   ended late on Wednesday in Vell, officials said."
    grounder = Grounder(text, PUBLISHED, "drop")
    evidence = grounder.evidence(["The ministers' talks ended late on Wednesday"], None, "x")
    assert evidence is not None
    ev = evidence[0]
    assert ev.start == 0 and ev.end is not None
    assert text[ev.start : ev.end] == "The ministers’ talks   ended late on Wednesday"


@pytest.mark.parametrize(
    "model_quote, match",
    [
        ('"We will not yield," Berg said', "exact"),  # straight quotes for the article's curly
        ("“We shall not yield,” Berg said", "fuzzy"),  # one word changed
    ],
)
def test_evidence_quote_is_the_articles_own_text(model_quote: str, match: str) -> None:
    text = "Talks ended. “We will not yield,” Berg said on Friday."
    evidence = Grounder(text, PUBLISHED, "drop").evidence([model_quote], None, "x")
    assert evidence is not None
    [ev] = evidence
    assert ev.start is not None and ev.end is not None
    assert ev.quote == text[ev.start : ev.end] == "“We will not yield,” Berg said"
    assert ev.model_quote == model_quote and ev.match == match


def test_a_verbatim_quote_keeps_no_model_quote() -> None:
    text = "Talks ended. “We will not yield,” Berg said on Friday."
    evidence = Grounder(text, PUBLISHED, "drop").evidence(["Berg said on Friday"], None, "x")
    assert evidence is not None
    assert evidence[0].quote == "Berg said on Friday" and evidence[0].model_quote is None
    assert evidence[0].match == "exact"


# --- policies: evidence -------------------------------------------------------------------

INVENTED = "The ministers signed a secret pact at midnight in Kessin."


@pytest.mark.parametrize(
    "policy, dropped, flagged, kept, warnings",
    [
        ("drop", 1, 0, 0, ["dropped meeting 1: evidence not found in the article"]),
        ("flag", 0, 1, 1, ["flagged meeting 1: evidence not found in the article"]),
        ("keep", 0, 0, 1, []),
    ],
)
def test_ungrounded_item_per_policy(
    policy: GroundingPolicy, dropped: int, flagged: int, kept: int, warnings: list[str]
) -> None:
    items, grounder = _ground(_draft(meetings=[_meeting([INVENTED])]), policy)
    assert (grounder.report.dropped, grounder.report.flagged) == (dropped, flagged)
    assert grounder.report.warnings == warnings
    assert len(items.meetings) == kept
    if kept:
        assert items.meetings[0].evidence == [Evidence(quote=INVENTED, match="none")]


def test_item_without_evidence_per_policy() -> None:
    items, grounder = _ground(_draft(planned_events=[_event(evidence=[])]), "drop")
    assert items.planned_events == []
    assert grounder.report.warnings == ["dropped planned event 1: no evidence given"]
    items, grounder = _ground(_draft(planned_events=[_event(evidence=[])]), "flag")
    assert len(items.planned_events) == 1 and items.planned_events[0].evidence == []
    assert grounder.report.flagged == 1


def test_one_grounded_quote_is_enough_and_invented_ones_are_left_out() -> None:
    items, grounder = _ground(_draft(meetings=[_meeting([INVENTED, MEETING_QUOTE])]), "flag")
    assert [e.quote for e in items.meetings[0].evidence] == [MEETING_QUOTE]
    assert grounder.report.flagged == 0


# --- policies: names, places, times, quotes -----------------------------------------------


def _invented_fields_draft() -> DraftSummary:
    return _draft(
        meetings=[
            _meeting(
                [MEETING_QUOTE],
                participants=[{"name": "Ilse Brandt"}, {"name": "Karl Zorn"}],
                location="Geneva",
                time="on Tuesday night",
            )
        ],
        statements=[_statement(quote="We will never sign this treaty.")],
    )


def test_invented_names_places_times_and_quotes_are_dropped() -> None:
    items, grounder = _ground(_invented_fields_draft(), "drop")
    meeting = items.meetings[0]
    assert [p.name for p in meeting.participants] == ["Ilse Brandt"]
    assert meeting.location is None
    assert meeting.time is None
    assert items.statements[0].quote is None
    assert grounder.report.dropped == 4
    assert grounder.report.flagged == 0
    assert grounder.report.warnings == [
        "dropped participant 'Karl Zorn': not in the article",
        "dropped location 'Geneva': not in the article",
        "dropped time 'on Tuesday night': not in the article",
        "dropped direct quote 'We will never sign this treaty.': not in the article",
    ]


def test_invented_names_places_times_and_quotes_are_flagged() -> None:
    items, grounder = _ground(_invented_fields_draft(), "flag")
    meeting = items.meetings[0]
    assert [p.name for p in meeting.participants] == ["Ilse Brandt", "Karl Zorn"]
    assert meeting.location == "Geneva"
    assert meeting.time is not None and meeting.time.text == "on Tuesday night"
    assert items.statements[0].quote == "We will never sign this treaty."
    assert (grounder.report.dropped, grounder.report.flagged) == (0, 4)
    assert all(w.startswith("flagged ") for w in grounder.report.warnings)


def test_invented_fields_are_kept_silently() -> None:
    items, grounder = _ground(_invented_fields_draft(), "keep")
    assert items.meetings[0].location == "Geneva"
    assert (grounder.report.dropped, grounder.report.flagged) == (0, 0)
    assert grounder.report.warnings == []


def test_statement_by_an_invented_speaker_is_one_drop() -> None:
    draft = _draft(statements=[_statement(speaker={"name": "Karl Zorn"})])
    items, grounder = _ground(draft, "drop")
    assert items.statements == []
    assert grounder.report.dropped == 1
    assert grounder.report.warnings == [
        "dropped statement 1: speaker 'Karl Zorn' not in the article"
    ]
    items, grounder = _ground(draft, "flag")
    assert items.statements[0].speaker.name == "Karl Zorn"
    assert grounder.report.flagged == 1


def test_statement_dropped_for_evidence_is_not_counted_twice() -> None:
    draft = _draft(
        statements=[_statement(speaker={"name": "Karl Zorn"}, evidence=[INVENTED], quote=None)]
    )
    _, grounder = _ground(draft, "drop")
    assert grounder.report.dropped == 1
    assert grounder.report.warnings == ["dropped statement 1: evidence not found in the article"]


def test_descriptive_speaker_is_not_looked_up() -> None:
    draft = _draft(statements=[_statement(speaker={"name": "the Nordvik minister"})])
    items, grounder = _ground(draft, "drop")
    assert items.statements[0].speaker.name == "the Nordvik minister"
    assert grounder.report.dropped == 0


# --- a statement's own spans: speaker mention, cue, content, kind ----------------------------

SPOKEN = (
    "Ilse Brandt said on Monday that the talks went well.\n\n"
    "The other minister, Omar Qadri, met the press. He said the fishing treaty was close, "
    "and he said \"nothing is agreed until everything is agreed\".\n"
)


def _spoken(statement: dict[str, Any], policy: GroundingPolicy = "drop") -> tuple[Statement, Grounder]:
    grounder = Grounder(SPOKEN, PUBLISHED, policy)
    items = grounder.items(_draft(statements=[statement]), near=None)
    [found] = items.statements
    return found, grounder


def _qadri(**fields: Any) -> dict[str, Any]:
    return {
        "speaker": {"name": "Omar Qadri"},
        "content": "Qadri said the treaty was close.",
        "evidence": ["He said the fishing treaty was close"],
        **fields,
    }


def test_short_spans_are_grounded_inside_the_statements_own_evidence() -> None:
    found, grounder = _spoken(
        _qadri(speaker_mention="He", cue="said", content_evidence="the fishing treaty was close")
    )
    [ev] = found.evidence
    assert ev.start is not None and ev.end is not None
    for span, quote in ((found.speaker_mention, "He"), (found.cue, "said"),
                        (found.content_evidence, "the fishing treaty was close")):  # fmt: skip
        assert span is not None and span.start is not None and span.end is not None
        assert SPOKEN[span.start : span.end] == quote == span.quote
        # The "said" of this statement, not Brandt's in the first sentence.
        assert ev.start <= span.start < span.end <= ev.end
    assert found.kind == "indirect"  # read from the article: no quotation marks
    assert grounder.report.warnings == []


def test_a_pronoun_is_found_as_a_word_never_inside_another() -> None:
    # "he" occurs in "the", "The" and "other" before the pronoun itself.
    found, _ = _spoken(_qadri(speaker_mention="he", cue="said"))
    assert found.speaker_mention is not None and found.speaker_mention.start is not None
    start = found.speaker_mention.start
    assert SPOKEN[start : start + 2].lower() == "he"
    assert not SPOKEN[start - 1].isalpha() and not SPOKEN[start + 2].isalpha()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("nothing is agreed until everything is agreed", "direct"),
        ('"nothing is agreed until everything is agreed"', "direct"),
        ('the fishing treaty was close, and he said "nothing is agreed', "mixed"),
        ("the fishing treaty was close", "indirect"),
    ],
)
def test_an_unlabelled_kind_is_read_from_the_content_span(content: str, kind: str) -> None:
    evidence = 'He said the fishing treaty was close, and he said "nothing is agreed until everything is agreed"'
    found, _ = _spoken(_qadri(evidence=[evidence], content_evidence=content))
    assert found.kind == kind


def test_the_models_kind_is_kept() -> None:
    found, _ = _spoken(_qadri(kind="mixed"))
    assert found.kind == "mixed"


def test_a_span_not_in_the_article_empties_that_field_under_drop() -> None:
    found, grounder = _spoken(_qadri(cue="declared", content_evidence="the treaty was signed"))
    assert found.cue is None and found.content_evidence is None
    assert found.evidence[0].match == "exact"  # the statement itself stays
    assert grounder.report.dropped == 2
    assert grounder.report.warnings == [
        "dropped statement 1 cue 'declared': not in the article",
        "dropped statement 1 content 'the treaty was signed': not in the article",
    ]


def test_a_span_not_in_the_article_is_kept_unplaced_under_flag() -> None:
    found, grounder = _spoken(_qadri(cue="declared"), policy="flag")
    assert found.cue is not None
    assert (found.cue.quote, found.cue.match, found.cue.start) == ("declared", "none", None)
    assert grounder.report.flagged == 1


def test_merging_a_statement_seen_twice_keeps_the_spans_either_chunk_found() -> None:
    grounder = Grounder(SPOKEN, PUBLISHED, "drop")
    first = grounder.items(_draft(statements=[_qadri(cue="said")]), near=None)
    second = grounder.items(_draft(statements=[_qadri(content_evidence="the fishing treaty was close")]), near=None)
    [merged] = merge([first, second]).statements
    assert merged.cue is not None and merged.cue.quote == "said"
    assert merged.content_evidence is not None
    assert merged.content_evidence.quote == "the fishing treaty was close"

"""Tests for `summarizer.times.in_context`: time expressions read in place in an article.

Every sentence here is invented for the tests. Expected dates are worked out by hand:
2022-12-19 (P) is a Monday, so the latest Tuesday on or before it is 2022-12-13, the
latest Friday 2022-12-16 and the next Friday 2022-12-23.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.errors import UsageError
from summarizer.schemas import Granularity, TimeExpr
from summarizer.times.in_context import TimeMention, infer_tense, normalize_in, times_in

P = date(2022, 12, 19)  # a Monday
D = Granularity.day
W = Granularity.week
M = Granularity.month
Y = Granularity.year
Q = Granularity.quarter
PM = Granularity.part_of_month


def _d(iso: str) -> date:
    return date.fromisoformat(iso)


def _span(got: TimeExpr) -> tuple[date | None, date | None, Granularity | None]:
    return (got.start, got.end, got.granularity)


def _want(start: str, end: str, gran: Granularity) -> tuple[date, date, Granularity]:
    return (_d(start), _d(end), gran)


def _at(text: str, phrase: str, occurrence: int = 0) -> tuple[int, int]:
    """Offsets of the `occurrence`-th `phrase` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def _tense_of(sentence: str, phrase: str) -> str | None:
    return infer_tense(sentence, *_at(sentence, phrase))


def _assert_well_formed(text: str, mentions: list[TimeMention]) -> None:
    previous_end = 0
    for mention in mentions:
        assert previous_end <= mention.start < mention.end <= len(text), mentions
        assert text[mention.start : mention.end] == mention.expr.text, mention
        assert mention.expr.start is not None and mention.expr.end is not None
        assert mention.expr.start <= mention.expr.end
        previous_end = mention.end


# --------------------------------------------------------------------------- infer_tense


TENSE_CASES = [
    # future markers
    ("The summit will take place on Friday.", "on Friday", "future"),
    ("The trial is set to begin on Wednesday.", "on Wednesday", "future"),
    ("Talks are expected to resume on Monday.", "on Monday", "future"),
    ("The company plans to open the plant in March.", "in March", "future"),
    ("The treaty may be signed on Thursday.", "on Thursday", "future"),
    ("The bridge should be completed in June.", "in June", "future"),
    ("Regional elections to be held in April have drawn few candidates.", "in April", "future"),
    ("We'll meet again on Tuesday.", "on Tuesday", "future"),
    ("The vote is scheduled for Tuesday.", "Tuesday", "future"),
    ("The ceasefire won't last beyond Friday.", "Friday", "future"),
    ("Elections will be held in April.", "in April", "future"),  # "held" is not past here
    ("We\u2019ll meet again on Tuesday.", "on Tuesday", "future"),  # curly apostrophe
    ("The truce won\u2019t hold past Friday.", "Friday", "future"),
    # past: auxiliaries, -ed verbs, irregular pasts
    ("The bank was closed on Monday.", "on Monday", "past"),
    ("Protesters were arrested on Saturday.", "on Saturday", "past"),
    ("The board had approved the plan in May.", "in May", "past"),
    ("Shares climbed on Friday.", "on Friday", "past"),
    ("The store reopened on Monday.", "on Monday", "past"),
    ("Prices rose in January.", "in January", "past"),
    ("The mayor spoke on Tuesday.", "on Tuesday", "past"),
    ("The minister met farmers on Thursday.", "on Thursday", "past"),
    ("The embassy shut on Friday.", "on Friday", "past"),
    ("Elections were held in April.", "in April", "past"),
    # present or no verb at all: no tense
    ("The museum opens on Sunday.", "on Sunday", None),
    ("Polls close on Sunday.", "on Sunday", None),
    ("Monday, a holiday.", "Monday", None),
    ("Monday", "Monday", None),
    ("Officials need more time before Friday.", "Friday", None),  # "need" is not an -ed verb
    # capitalised names are not verbs
    ("Shares in United rise on Monday.", "on Monday", None),
    ("Manchester United on Saturday.", "on Saturday", None),
    ("Fans of United gathered on Saturday.", "on Saturday", "past"),
]


@pytest.mark.parametrize(("sentence", "phrase", "tense"), TENSE_CASES)
def test_infer_tense(sentence: str, phrase: str, tense: str | None) -> None:
    assert _tense_of(sentence, phrase) == tense


def test_clause_split_at_that_gives_each_time_its_own_tense() -> None:
    text = "The company announced on Friday that it will close the factory in March."
    assert _tense_of(text, "on Friday") == "past"
    assert _tense_of(text, "in March") == "future"


def test_relative_clause_has_its_own_tense() -> None:
    text = "The talks, which began in May, will end on Friday."
    assert _tense_of(text, "in May") == "past"
    assert _tense_of(text, "on Friday") == "future"


@pytest.mark.parametrize(
    ("sentence", "tense"),
    [
        ("On Sunday, the ministers had agreed to a truce.", "past"),
        ("On Sunday, the ministers will vote on the truce.", "future"),
        ("In March, the bill passed.", "past"),
        ("In March, the bill is expected to pass.", "future"),
    ],
)
def test_fronted_time_takes_the_tense_of_the_next_clause(sentence: str, tense: str) -> None:
    phrase = sentence.split(",")[0]
    assert _tense_of(sentence, phrase) == tense


def test_tense_does_not_leak_across_sentences() -> None:
    text = "The ministers met on Monday. They vote on Friday."
    assert _tense_of(text, "on Monday") == "past"
    assert _tense_of(text, "on Friday") is None


def test_infer_tense_on_empty_and_out_of_text_offsets() -> None:
    assert infer_tense("", 0, 0) is None
    assert infer_tense("abc", 5, 9) is None


# --------------------------------------------------------------------------- times_in


def _found(text: str, published: date | None = P) -> list[tuple[str, str, str, Granularity]]:
    mentions = times_in(text, published)
    _assert_well_formed(text, mentions)
    return [
        (text[m.start : m.end], str(m.expr.start), str(m.expr.end), m.expr.granularity)
        for m in mentions
        if m.expr.granularity is not None
    ]


def test_times_in_finds_dates_years_weeks_and_weekdays_in_order() -> None:
    text = (
        "The factory opened on 3 March 2021 and closed in 2022. "
        "Last week, workers returned on Tuesday."
    )
    assert _found(text) == [
        ("3 March 2021", "2021-03-03", "2021-03-03", D),
        ("2022", "2022-01-01", "2022-12-31", Y),
        ("Last week", "2022-12-12", "2022-12-18", W),
        ("Tuesday", "2022-12-13", "2022-12-13", D),  # "returned": past
    ]


def test_times_in_reads_each_weekday_with_its_clause_tense() -> None:
    text = "The ministers met on Friday. They will meet again on Friday."
    found = _found(text)
    assert [(t, s) for t, s, _, _ in found] == [("Friday", "2022-12-16"), ("Friday", "2022-12-23")]


def test_times_in_resolves_counted_shifts_from_earlier_times() -> None:
    text = "The plant opened on 3 March 2021. Output doubled two weeks later."
    assert _found(text)[-1] == ("two weeks later", "2021-03-17", "2021-03-17", D)


def test_times_in_reads_a_delay_as_the_time_just_given() -> None:
    text = "The ship arrived on November 11, three days later than originally planned."
    assert [(t, s) for t, s, _, _ in _found(text)] == [
        ("November 11", "2022-11-11"),
        ("three days later than originally planned", "2022-11-11"),
    ]


@pytest.mark.parametrize(
    ("text", "tail", "start", "end"),
    [
        ("The council met on Tuesday. It voted the same day.", "same day", "2022-12-13",
         "2022-12-13"),
        ("The council met on Tuesday. Residents protested that week.", "that week",
         "2022-12-12", "2022-12-18"),
        # Found today as the bare "last year" (all of 2021), not March 2021.
        ("Revenue in March 2022 rose from the same period last year.", "last year",
         "2021-03-01", "2021-03-31"),
    ],
)  # fmt: skip
def test_times_in_finds_anaphora_chained_to_earlier_times(
    text: str, tail: str, start: str, end: str
) -> None:
    found = _found(text)
    assert [(s, e) for t, s, e, _ in found if t.endswith(tail)] == [(start, end)]


def test_times_in_reads_a_us_date_with_its_year() -> None:
    text = "The factory opened on March 3, 2021, after years of delays."
    assert _found(text) == [("March 3, 2021", "2021-03-03", "2021-03-03", D)]


def test_times_in_skips_modal_may_and_verb_march() -> None:
    text = "Officials may announce a decision soon. Protesters march through the city on Sunday."
    found = _found(text)
    assert [t.lower() for t, _, _, _ in found if t.lower() in ("may", "march")] == []
    assert [(t, s) for t, s, _, _ in found] == [("Sunday", "2022-12-18")]


def test_times_in_keeps_capitalised_months() -> None:
    text = "In May, protesters will march again."
    assert [(t, s) for t, s, _, _ in _found(text)] == [("May", "2023-05-01")]


@pytest.mark.parametrize(
    "text",
    [
        "The index rose late in the day after falling sharply.",
        "The index rose late in the day after falling in the morning.",
    ],
)
def test_times_in_does_not_swallow_a_clause_after_a_time(text: str) -> None:
    assert _found(text)[0][0] == "late in the day"


def test_late_in_the_day_is_the_day_just_named() -> None:
    text = "Shares slid on Tuesday and recovered late in the day after falling sharply."
    assert _found(text) == [
        ("Tuesday", "2022-12-13", "2022-12-13", D),
        ("late in the day", "2022-12-13", "2022-12-13", D),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The firm hired 1,000 workers.",
        "He was 25 years old. There were 300 days of rain. It costs 15 dollars.",
        "Two people died. One week later, three more.",  # "later" than no time given
    ],
)
def test_times_in_ignores_counts(text: str) -> None:
    assert times_in(text, P) == []


def test_times_in_does_not_read_a_head_count_as_a_year() -> None:
    assert times_in("About 2000 workers were laid off.", P) == []


def test_times_in_offsets_with_a_space_before_punctuation() -> None:
    text = "The plant closed on Monday , officials said ."
    mentions = times_in(text, P)
    assert [text[m.start : m.end] for m in mentions] == ["Monday"]
    _assert_well_formed(text, mentions)


def test_times_in_survives_half_of_a_day() -> None:
    text = "The council met on Tuesday. Shares recovered in the second half of the day."
    assert _found(text)[0] == ("Tuesday", "2022-12-13", "2022-12-13", D)


def test_times_in_empty_and_blank_text() -> None:
    assert times_in("", P) == []
    assert times_in(" \n\t ", P) == []
    assert times_in("", None) == []


def test_times_in_without_published_finds_only_absolute_times() -> None:
    text = "The plant opened on 3 March 2021. It closed on Monday, two weeks later."
    found = _found(text, None)
    assert found == [
        ("3 March 2021", "2021-03-03", "2021-03-03", D),
        ("two weeks later", "2021-03-17", "2021-03-17", D),
    ]


def test_times_in_is_deterministic_and_returns_a_fresh_list() -> None:
    text = "The council met on Tuesday. Revenue in March 2022 rose. Talks resume next week."
    first = times_in(text, P)
    # Same text with trailing blanks (a different cache key): the same mentions.
    assert times_in(text + "  ", P) == first
    first.clear()
    assert len(times_in(text, P)) == 3


def test_times_in_on_a_long_article() -> None:
    paragraph = (
        "The council met on Tuesday and voted to raise taxes. Revenue in March 2022 rose "
        "from the same period last year. Officials will meet again next week. "
    )
    text = (paragraph * 400)[:60_000]
    mentions = times_in(text, P)
    _assert_well_formed(text, mentions)
    per_paragraph = len(times_in(paragraph, P))
    assert per_paragraph == 4
    assert len(mentions) >= per_paragraph * (len(text) // len(paragraph))


# --------------------------------------------------------------------------- normalize_in

ARTICLE = (
    "The city council met on Tuesday. It voted the same day to raise the tourist tax. "
    "Hotel owners protested that week. Tax revenue in March 2022 rose 4 percent from the "
    "same period last year. The mayor resigned on Thursday, December 1. Three days later, "
    "her deputy took over. The new budget will be debated on Friday."
)


@pytest.mark.parametrize(
    ("phrase", "start", "end", "gran"),
    [
        ("on Tuesday", "2022-12-13", "2022-12-13", D),
        ("the same day", "2022-12-13", "2022-12-13", D),
        ("that week", "2022-12-12", "2022-12-18", W),
        ("March 2022", "2022-03-01", "2022-03-31", M),
        ("same period last year", "2021-03-01", "2021-03-31", M),
        ("Thursday, December 1", "2022-12-01", "2022-12-01", D),  # Dec 1, 2022 is a Thursday
        ("Three days later", "2022-12-04", "2022-12-04", D),
        ("on Friday", "2022-12-23", "2022-12-23", D),  # future clause: the coming Friday
    ],
)
def test_normalize_in_an_article(phrase: str, start: str, end: str, gran: Granularity) -> None:
    got = normalize_in(ARTICLE, *_at(ARTICLE, phrase), P)
    assert _span(got) == _want(start, end, gran), got
    assert got.text == phrase


def test_normalize_in_the_same_day_follows_the_latest_day() -> None:
    text = (
        "Ministers met on Tuesday. The summit had been announced on Friday, December 2. "
        "Protests began the same day."
    )
    got = normalize_in(text, *_at(text, "the same day"), P)
    assert _span(got) == _want("2022-12-02", "2022-12-02", D)


def test_tense_argument_overrides_the_clause() -> None:
    text = "The new budget will be debated on Friday."
    assert normalize_in(text, *_at(text, "on Friday"), P).start == _d("2022-12-23")
    assert normalize_in(text, *_at(text, "on Friday"), P, tense="past").start == _d("2022-12-16")
    past = "The museum opened on Friday."
    assert normalize_in(past, *_at(past, "on Friday"), P).start == _d("2022-12-16")
    assert normalize_in(past, *_at(past, "on Friday"), P, "future").start == _d("2022-12-23")


def test_unknown_tense_argument_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="tense"):
        normalize_in("We met on Friday.", 7, 16, P, tense="someday")


@pytest.mark.parametrize(
    ("text", "phrase", "published", "start", "end", "gran"),
    [
        # Alone, "October" would be the past October 2022; the year after it says 2021.
        ("The festival returned in October of last year.", "October", P,
         "2021-10-01", "2021-10-31", M),
        # Alone (future), October 2022 after a March 2022 publication; the text says 2023.
        ("The festival will return in October of next year.", "October", date(2022, 3, 1),
         "2023-10-01", "2023-10-31", M),
        ("The bank failed in October 2008 after a run.", "October", P,
         "2008-10-01", "2008-10-31", M),
        ("The fair opened on 3 March, 2021 to crowds.", "3 March", P,
         "2021-03-03", "2021-03-03", D),
        # "fourth week" alone is no time at all; "in a row" makes it a streak up to now.
        ("Shares fell for the fourth week in a row.", "fourth week", P,
         "2022-12-19", "2022-12-25", W),
        ("Exports rose for a third month running.", "third month", P,
         "2022-12-01", "2022-12-31", M),
    ],
)  # fmt: skip
def test_normalize_in_continues_the_marked_span(
    text: str, phrase: str, published: date, start: str, end: str, gran: Granularity
) -> None:
    got = normalize_in(text, *_at(text, phrase), published)
    assert _span(got) == _want(start, end, gran), got
    assert got.text == phrase  # the span as marked, not as continued


def test_a_continuation_that_does_not_read_as_one_expression_is_not_taken() -> None:
    # "Friday, in 2009 terms" looks like a date followed by its year but is not one; the
    # marked span still resolves on its own (the past Friday, published Wednesday).
    text = "The board met on Friday, in 2009 terms a record."
    got = normalize_in(text, *_at(text, "Friday"), date(2009, 3, 4))
    assert _span(got) == _want("2009-02-27", "2009-02-27", D), got


@pytest.mark.parametrize(
    ("text", "phrase", "start", "end", "gran"),
    [
        ("Prices have risen 7 percent since the start of the year.", "the start of the year",
         "2022-01-01", "2022-01-01", D),
        ("The offer runs until the end of the month.", "the end of the month",
         "2022-12-31", "2022-12-31", D),
        ("Sales were weak at the start of the year.", "the start of the year",
         "2022-01-01", "2022-01-31", M),
        ("Sales were weak at the start of the year.", "start of the year",
         "2022-01-01", "2022-01-31", M),
    ],
)  # fmt: skip
def test_normalize_in_reads_the_preposition_before_the_span(
    text: str, phrase: str, start: str, end: str, gran: Granularity
) -> None:
    assert _span(normalize_in(text, *_at(text, phrase), P)) == _want(start, end, gran)


def test_normalize_in_text_is_the_marked_span_stripped() -> None:
    text = "The vote is on Monday ."
    start, end = _at(text, " on Monday ")
    got = normalize_in(text, start, end, P)
    assert got.text == "on Monday"
    assert _span(got) == _want("2022-12-19", "2022-12-19", D)


def test_normalize_in_an_empty_span_is_unresolved() -> None:
    got = normalize_in("abc", 3, 3, P)
    assert got.start is None and got.text == "" and got.note


@pytest.mark.parametrize(("start", "end"), [(2, 10), (-1, 2), (3, 2), (4, 4)])
def test_normalize_in_out_of_range_offsets_are_a_usage_error(start: int, end: int) -> None:
    with pytest.raises(UsageError, match=rf"{start}\.\.{end}") as caught:
        normalize_in("abc", start, end, P)
    assert "0..3" in str(caught.value)


@pytest.mark.parametrize(
    "phrase", ["on Tuesday", "the same day", "that week", "Thursday, December 1", "on Friday"]
)
def test_normalize_in_without_published_leaves_relative_times_unresolved(phrase: str) -> None:
    got = normalize_in(ARTICLE, *_at(ARTICLE, phrase), None)
    assert got.start is None and got.end is None
    assert got.note is not None


def test_normalize_in_without_published_still_chains_from_absolute_dates() -> None:
    # "March 2022" needs no publication date, so neither does the year before it.
    got = normalize_in(ARTICLE, *_at(ARTICLE, "same period last year"), None)
    assert _span(got) == _want("2021-03-01", "2021-03-31", M)
    text = "The plant opened on 3 March 2021. Output doubled the same day, then fell."
    assert _span(normalize_in(text, *_at(text, "3 March 2021"), None)) == _want(
        "2021-03-03", "2021-03-03", D
    )
    assert _span(normalize_in(text, *_at(text, "the same day"), None)) == _want(
        "2021-03-03", "2021-03-03", D
    )


def test_normalize_in_uses_only_times_before_the_span() -> None:
    text = "Protests began the same day. The council had met on Tuesday."
    got = normalize_in(text, *_at(text, "the same day"), P)
    # Nothing before it: the text speaks of its own day, not the Tuesday named after.
    assert _span(got) == _want("2022-12-19", "2022-12-19", D)


# --------------------------------------------------------------------------- properties

_VOCABULARY = [
    "on", "in", "the", "same", "that", "day", "week", "month", "year", "last", "next",
    "Monday", "Tuesday,", "(Friday)", "March", "march", "may", "May", "3,", "2021", "2022.",
    "Dec.", "19", "12/11/2022", "7/8/07", "of", "a", "three", "days", "later", "earlier",
    "early", "late", "mid-March", "first", "fourth", "quarter", "straight", "row", "since",
    "start", "end", "until", "yesterday", "today", "then", "which", "weekend", "this", "ago",
    "within", "summer", "1990s", "'90s", "Q3", "after", "falling", "workers", "said",
    "will", "was", "rose", "1,000", "2000", "officials", "protested", "\"Friday\"",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    words=st.lists(st.sampled_from(_VOCABULARY), max_size=20),
    separator=st.sampled_from([" ", "\n", " \n\n ", "\t"]),
    published=st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
)
def test_times_in_mentions_are_ordered_disjoint_and_match_the_text(
    words: list[str], separator: str, published: date | None
) -> None:
    text = separator.join(words)
    _assert_well_formed(text, times_in(text, published))


@settings(max_examples=100, deadline=None)
@given(
    words=st.lists(st.sampled_from(_VOCABULARY), min_size=1, max_size=12),
    cut=st.tuples(st.integers(0, 80), st.integers(0, 80)),
    published=st.none() | st.just(P),
)
def test_normalize_in_never_raises_on_any_span(
    words: list[str], cut: tuple[int, int], published: date | None
) -> None:
    text = " ".join(words)
    start, end = sorted(min(k, len(text)) for k in cut)
    got = normalize_in(text, start, end, published)
    assert got.text == text[start:end].strip()
    assert (got.start is None) == (got.end is None)


# --------------------------------------------------------------------------- unseen newswire
# Invented results, markets and schedule news. Calendar facts: 2006-01-25 is a Wednesday
# (the coming Friday is Jan. 27, the coming Tuesday Jan. 31, the past one Jan. 24).

NEWSWIRE_CASES: list[tuple[str, str, date, str, str, Granularity]] = [
    # financial reporting periods and their anaphora
    ("Acme said net income in the fourth quarter rose to $12 million from $9 million in the "
     "year-earlier quarter.", "the year-earlier quarter", date(2006, 1, 25), "2004-10-01",
     "2004-12-31", Q),
    ("Revenue in the third quarter climbed 8 percent from a year ago.", "a year ago",
     date(2006, 10, 24), "2005-07-01", "2005-09-30", Q),
    ("Sales slipped in the second quarter. In the latest quarter, margins narrowed.",
     "the latest quarter", date(2006, 7, 27), "2006-04-01", "2006-06-30", Q),
    ("Profit for the first quarter of 2006 was $3 million, against $2 million in the 2005 "
     "period.", "the 2005 period", date(2006, 4, 20), "2005-01-01", "2005-03-31", Q),
    ("The retailer earned $40 million in its fiscal third quarter ended Oct. 29.",
     "its fiscal third quarter ended Oct. 29", date(2005, 11, 17), "2005-07-30", "2005-10-29",
     Q),
    ("The software maker's fiscal year ends June 30. It expects sales in fiscal 2007 to rise.",
     "fiscal 2007", date(2006, 8, 1), "2006-07-01", "2007-06-30", Y),
    # year ends and holidays
    ("The company had $2 billion of debt at year-end.", "year-end", date(2006, 2, 10),
     "2005-12-01", "2005-12-31", M),
    ("The merger is expected to close by year's end.", "year's end", date(2006, 2, 10),
     "2006-12-01", "2006-12-31", M),
    ("Stores opened at dawn on Thanksgiving Day.", "Thanksgiving Day", date(2005, 12, 1),
     "2005-11-24", "2005-11-24", D),
    ("Sales have doubled since last Christmas.", "last Christmas", date(2006, 6, 10),
     "2005-12-25", "2005-12-25", D),
    ("The exchange will be closed on New Year's Day.", "New Year's Day", date(2006, 12, 20),
     "2007-01-01", "2007-01-01", D),
    ("The suspect was arrested on Christmas Eve.", "Christmas Eve", date(2006, 1, 3),
     "2005-12-24", "2005-12-24", D),
    # month-day and quarter without a year, in a present or future clause
    ("The offer expires on March 10.", "March 10", date(2006, 8, 30), "2007-03-10",
     "2007-03-10", D),
    ("The offer expired on March 10.", "March 10", date(2006, 8, 30), "2006-03-10",
     "2006-03-10", D),
    ("The chain runs 40 stores since March.", "March", date(2006, 8, 30), "2006-03-01",
     "2006-03-31", M),  # a schedule word, but "since" looks back
    ("The deadline for bids is Feb. 28.", "Feb. 28", date(2006, 8, 20), "2007-02-28",
     "2007-02-28", D),
    ("The sale runs through Feb. 15.", "Feb. 15", date(2006, 8, 10), "2007-02-15",
     "2007-02-15", D),
    ("The board needs an answer by mid-February.", "mid-February", date(2006, 8, 10),
     "2007-02-11", "2007-02-20", PM),
    ("The company will report fourth-quarter results on Feb. 2.", "fourth-quarter",
     date(2006, 1, 20), "2005-10-01", "2005-12-31", Q),
    ("The plant will open in the fourth quarter.", "the fourth quarter", date(2006, 1, 20),
     "2006-10-01", "2006-12-31", Q),
    # weekday direction from the clause
    ("The minister was due to fly out on Friday.", "Friday", date(2006, 1, 25), "2006-01-27",
     "2006-01-27", D),
    ("The talks were scheduled to resume on Monday.", "Monday", date(2006, 1, 25),
     "2006-01-30", "2006-01-30", D),
    ("Traders brace for a sell-off when markets open Tuesday.", "Tuesday", date(2006, 1, 25),
     "2006-01-31", "2006-01-31", D),
    ("Shares jumped when markets opened Tuesday.", "Tuesday", date(2006, 1, 25), "2006-01-24",
     "2006-01-24", D),
    # part-of-month phrases with a modifier, in a future clause
    ("The next round of talks will be held in mid-December.", "mid-December",
     date(2006, 12, 28), "2007-12-11", "2007-12-20", PM),
    ("Delivery starts in mid-March.", "mid-March", date(2006, 9, 10), "2007-03-11",
     "2007-03-20", PM),
]


@pytest.mark.parametrize(("text", "phrase", "published", "start", "end", "gran"), NEWSWIRE_CASES)
def test_normalize_in_newswire_classes(
    text: str, phrase: str, published: date, start: str, end: str, gran: Granularity
) -> None:
    got = normalize_in(text, *_at(text, phrase), published)
    assert _span(got) == _want(start, end, gran), got


def test_times_in_finds_reporting_periods_and_holidays() -> None:
    text = (
        "For the quarter ended Sept. 30, profit rose from the year-earlier quarter. "
        "Debt at year-end fell, and stores will close on Thanksgiving."
    )
    assert _found(text, date(2006, 10, 20)) == [
        ("quarter ended Sept. 30", "2006-07-01", "2006-09-30", Q),
        ("year-earlier quarter", "2005-07-01", "2005-09-30", Q),
        ("year-end", "2006-12-01", "2006-12-31", M),
        ("Thanksgiving", "2006-11-23", "2006-11-23", D),
    ]


def test_times_in_follows_the_fiscal_year_the_article_gives() -> None:
    text = (
        "The chipmaker's fiscal year ends June 30. Sales in its fiscal second quarter rose, "
        "and Friday's forecast for fiscal 2007 was raised."
    )
    assert _found(text, date(2006, 1, 25)) == [
        ("fiscal year ends June 30", "2005-07-01", "2006-06-30", Y),
        ("fiscal second quarter", "2005-10-01", "2005-12-31", Q),
        ("Friday's", "2006-01-20", "2006-01-20", D),
        ("fiscal 2007", "2006-07-01", "2007-06-30", Y),
    ]


def test_times_in_does_not_read_a_bare_year_or_quarter_as_a_time() -> None:
    assert _found("The quarter was tough and the year was worse.", date(2006, 10, 20)) == []

"""Tests for summarizer.sentences: sentence boundaries and their offsets."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.sentences import sentences


def _texts(text: str) -> list[str]:
    found = sentences(text)
    for s in found:
        assert text[s.start : s.end] == s.text
    return [s.text for s in found]


def test_offsets_slice_the_text() -> None:
    text = "  First one.  Second one?\tThird one!  "
    found = sentences(text)
    assert [(s.start, s.end) for s in found] == [(2, 12), (14, 25), (26, 36)]
    assert [text[s.start : s.end] for s in found] == ["First one.", "Second one?", "Third one!"]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Mr. Smith met Dr. Jones on Monday. They talked.",
            ["Mr. Smith met Dr. Jones on Monday.", "They talked."],
        ),
        (
            "The U.S. said it would respond. The U.N. agreed.",
            ["The U.S. said it would respond.", "The U.N. agreed."],
        ),
        (
            "Talks began on Jan. 5 and ended on Feb. 3. Both sides agreed.",
            ["Talks began on Jan. 5 and ended on Feb. 3.", "Both sides agreed."],
        ),
        (
            "Mrs. May and Gen. Milley spoke. Then Sen. Warren replied.",
            ["Mrs. May and Gen. Milley spoke.", "Then Sen. Warren replied."],
        ),
        ("J. K. Rowling wrote it. Done.", ["J. K. Rowling wrote it.", "Done."]),
    ],
)
def test_abbreviations_do_not_end_sentences(text: str, expected: list[str]) -> None:
    assert _texts(text) == expected


def test_decimals_and_numbers() -> None:
    assert _texts("Growth was 3.5 percent. Inflation fell to 2.1%. It cost $4.25 billion.") == [
        "Growth was 3.5 percent.",
        "Inflation fell to 2.1%.",
        "It cost $4.25 billion.",
    ]


def test_quotes_stay_with_their_sentence() -> None:
    assert _texts('"We will win," he said. "Never," she replied.') == [
        '"We will win," he said.',
        '"Never," she replied.',
    ]
    assert _texts("He said: “We agreed.” Then he left.") == [
        "He said: “We agreed.”",
        "Then he left.",
    ]
    assert _texts("He said “we agreed.” then left.") == ["He said “we agreed.” then left."]


def test_question_exclamation_and_ellipsis() -> None:
    assert _texts("What? Really! Yes… Fine.") == ["What?", "Really!", "Yes…", "Fine."]


def test_paragraph_break_ends_a_sentence_without_punctuation() -> None:
    text = "Headline without a stop\n\nFirst paragraph.\r\n\r\nSecond paragraph"
    assert _texts(text) == ["Headline without a stop", "First paragraph.", "Second paragraph"]


def test_single_newline_inside_a_sentence_is_kept() -> None:
    assert _texts("The ministers met\nin Minsk. They agreed.") == [
        "The ministers met\nin Minsk.",
        "They agreed.",
    ]


def test_empty_and_blank() -> None:
    assert sentences("") == []
    assert sentences(" \n\n\t ") == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab .!?\n"”3U')), max_size=80))
def test_sentences_cover_all_non_space_text_in_order(text: str) -> None:
    found = sentences(text)
    for s in found:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    # Nothing but whitespace falls between or around sentences.
    covered = "".join(s.text for s in found)
    assert covered.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")

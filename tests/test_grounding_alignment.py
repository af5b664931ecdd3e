"""Tests for summarizer.grounding: every offset below is checked by slicing the text."""

from __future__ import annotations

import dataclasses
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from summarizer.grounding import alignment
from summarizer.grounding.alignment import Span, align, contains_name, find_all

TEXT = (
    "LONDON —\u00a0Britain’s “security services” said on Monday the attack was\n"
    "  foiled. It was the “third” such case — officials said -- today. "
    "Café Noir opened again."
)


def _sub(text: str, span: Span | None) -> str | None:
    return None if span is None else text[span.start : span.end]


# --- Span -------------------------------------------------------------------------


def test_span_is_frozen_with_fields() -> None:
    sp = Span(1, 4, "exact", 1.0)
    assert (sp.start, sp.end, sp.match, sp.score) == (1, 4, "exact", 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sp.start = 2  # type: ignore[misc]


# --- exact ------------------------------------------------------------------------


def test_exact_match_offsets() -> None:
    sp = align("the attack was", TEXT)
    assert sp == Span(TEXT.index("the attack was"), TEXT.index("the attack was") + 14, "exact")
    assert _sub(TEXT, sp) == "the attack was"


@pytest.mark.parametrize("quote", ["", "   ", "\n\t"])
def test_empty_quote_is_none(quote: str) -> None:
    assert align(quote, TEXT) is None


def test_absent_quote_is_none() -> None:
    assert align("the treaty was signed in Vienna by both ministers", TEXT) is None
    assert align("Vienna", TEXT) is None


# --- normalised -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        # case and whitespace (newline + indentation in the text)
        ("THE ATTACK WAS FOILED", "the attack was\n  foiled"),
        # straight quotes and apostrophe vs curly ones in the text
        ('Britain\'s "security services" said', "Britain’s “security services” said"),
        # quote marks dropped inside the quote
        ("Britains security services said", "Britain’s “security services” said"),
        # dash variants: "-" for "—" and for "--", NBSP after the dash
        ("such case - officials said - today", "such case — officials said -- today"),
        ("London - Britain's", "LONDON —\u00a0Britain’s"),
        # diacritics dropped by the model
        ("cafe noir opened again", "Café Noir opened again"),
        # trailing period dropped: span ends where the quote does
        ("It was the third such case", "It was the “third” such case"),
        # trailing period kept: included
        ("the attack was foiled.", "the attack was\n  foiled."),
        # a comma added by the model is not in the span
        ("the attack was foiled,", "the attack was\n  foiled"),
        # leading/trailing quote marks added by the model are not in the span
        ("“officials said”", "officials said"),
    ],
)
def test_normalised_matches_map_to_original_offsets(quote: str, expected: str) -> None:
    sp = align(quote, TEXT)
    assert sp is not None
    assert sp.match == "exact" and sp.score == 1.0
    assert _sub(TEXT, sp) == expected


def test_quote_marks_kept_when_text_has_them() -> None:
    text = 'He said: "We will not leave." Then he left.'
    sp = align("“We will not leave.”", text)
    assert _sub(text, sp) == '"We will not leave."'
    # the closing mark dropped by the model is not added back
    sp = align("“We will not leave.", text)
    assert _sub(text, sp) == '"We will not leave.'


def test_opening_mark_of_next_sentence_is_not_taken() -> None:
    text = "It ended in anarchy.“Police came later,” she said."
    assert _sub(text, align('"It ended in anarchy."', text)) == "It ended in anarchy."


def test_tokenised_text_crosses_space_before_punctuation() -> None:
    text = "Rolls-Royce , part of the consortium , will supply engines .\nNext"
    quote = "Rolls-Royce, part of the consortium, will supply engines."
    sp = align(quote, text)
    assert sp is not None
    # the inner " ," differ from the quote's "," so this one is a fuzzy hit
    assert _sub(text, sp) == "Rolls-Royce , part of the consortium , will supply engines ."


def test_nfkc_compatibility_forms() -> None:
    text = "The ﬁnal report (№ 5) cited ２０２３ figures."
    assert _sub(text, align("the final report (No 5) cited 2023 figures", text)) == (
        "The ﬁnal report (№ 5) cited ２０２３ figures"
    )


def test_zero_width_and_soft_hyphen_ignored() -> None:
    text = "a state\u00ad-run news\u200b agency reported"
    assert _sub(text, align("state-run news agency", text)) == "state\u00ad-run news\u200b agency"


def test_non_ascii_text() -> None:
    text = "Глава МИД Сергей Лавров заявил, что «переговоры продолжатся» в Минске."
    sp = align('Сергей Лавров заявил, что "переговоры продолжатся"', text)
    assert _sub(text, sp) == "Сергей Лавров заявил, что «переговоры продолжатся»"
    assert sp is not None and sp.match == "exact"
    greek = "Ο ΠΡΩΘΥΠΟΥΡΓΟΣ είπε ότι η συνάντηση έγινε"
    assert _sub(greek, align("ο πρωθυπουργος ειπε", greek)) == "Ο ΠΡΩΘΥΠΟΥΡΓΟΣ είπε"


def test_normalised_prefers_whole_words() -> None:
    text = "It was unsaid. Later he said it."
    assert _sub(text, align("SAID", text)) == "said"


# --- elision ----------------------------------------------------------------------


@pytest.mark.parametrize("mark", ["...", "…", " ... ", " [...] ", "(…)"])
def test_elision_spans_from_first_to_last_part(mark: str) -> None:
    quote = f"Britain’s security services{mark}the attack was foiled"
    sp = align(quote, TEXT)
    assert sp is not None and sp.match == "fuzzy" and sp.score == 1.0
    assert _sub(TEXT, sp) == "Britain’s “security services” said on Monday the attack was\n  foiled"


def test_elision_parts_out_of_order_or_too_far() -> None:
    # Parts out of order are no elision; at best a fuzzy hit below 1.0.
    sp = align("the attack was foiled ... Britain’s security services", TEXT)
    assert sp is None or sp.score < 1.0
    far = "alpha beta gamma " + "filler words here " * 80 + "delta epsilon zeta"
    assert len(far) > alignment.ELISION_MAX_GAP
    sp = align("alpha beta gamma ... delta epsilon zeta", far)
    assert sp is None or sp.score < 1.0


def test_elision_prefers_tightest_chain() -> None:
    text = (
        "Aeroflot buys 22 new Boeing jets\n"
        "Moscow: Aeroflot buys 22 new Boeing 787s, an aircraft type."
    )
    sp = align("22 new Boeing ..., an aircraft", text)
    assert _sub(text, sp) == "22 new Boeing 787s, an aircraft"


# --- fuzzy ------------------------------------------------------------------------


def test_fuzzy_one_word_replaced_recovers_original_span() -> None:
    text = (
        "The talks lasted three hours. Lavrov said the two sides had agreed to "
        "continue consultations on security guarantees next month. Nothing else."
    )
    quote = "Lavrov said the two sides had decided to continue consultations on security guarantees"
    sp = align(quote, text)
    assert sp is not None and sp.match == "fuzzy"
    assert alignment.FUZZY_THRESHOLD <= sp.score < 1.0
    assert _sub(text, sp) == (
        "Lavrov said the two sides had agreed to continue consultations on security guarantees"
    )


def test_short_quotes_never_align_fuzzily() -> None:
    text = "The minister met the ambassador on Tuesday."
    assert align("the ministers met", text) is not None  # three words: may align
    assert align("ministers met", text) is None  # two words: never fuzzy
    assert align("ambassadors", text) is None


def test_fabricated_sentence_from_shuffled_words_is_none() -> None:
    text = "The minister met the ambassador in Minsk on Tuesday to discuss trade."
    assert align("Tuesday the discuss ambassador minister to on trade Minsk met", text) is None


def test_unrelated_sentence_is_none() -> None:
    text = "The minister met the ambassador in Minsk on Tuesday to discuss trade."
    assert align("Heavy rain flooded several villages in the north of the country.", text) is None


# --- repeated occurrences -----------------------------------------------------------

REPEAT = "Talks resumed. The delegation left. Talks resumed. Weeks passed. Talks resumed."
OCC = [i for i in range(len(REPEAT)) if REPEAT.startswith("Talks resumed", i)]


def test_repeated_first_by_default() -> None:
    assert align("Talks resumed", REPEAT) == Span(OCC[0], OCC[0] + 13, "exact")


def test_repeated_nearest_to_near() -> None:
    assert align("Talks resumed", REPEAT, near=OCC[1] + 3) == Span(OCC[1], OCC[1] + 13, "exact")
    assert align("talks RESUMED", REPEAT, near=len(REPEAT)) == Span(OCC[2], OCC[2] + 13, "exact")


def test_repeated_skips_used_spans() -> None:
    used = [(OCC[0], OCC[0] + 13)]
    assert align("Talks resumed", REPEAT, used=used) == Span(OCC[1], OCC[1] + 13, "exact")
    used.append((OCC[1], OCC[1] + 13))
    assert align("talks resumed", REPEAT, used=used) == Span(OCC[2], OCC[2] + 13, "exact")
    every = [(o, o + 13) for o in OCC]
    assert align("Talks resumed", REPEAT, used=every) == Span(OCC[0], OCC[0] + 13, "exact")


def test_near_wins_over_used() -> None:
    used = [(OCC[2], OCC[2] + 13)]
    assert align("Talks resumed", REPEAT, near=len(REPEAT), used=used).start == OCC[2]  # type: ignore[union-attr]


def test_find_all_returns_every_occurrence() -> None:
    spans = find_all("talks resumed", REPEAT)
    assert [REPEAT[s.start : s.end] for s in spans] == ["Talks resumed"] * 3
    assert [s.start for s in spans] == OCC
    assert find_all("  ", REPEAT) == []
    assert find_all("absent words", REPEAT) == []


# --- contains_name ----------------------------------------------------------------

NAMES_TEXT = (
    "Russian Foreign Minister Sergey Lavrov met his Belarusian counterpart. "
    "Lavrov’s visit to MINSK followed talks with the U.S. envoy in Ankara."
)


@pytest.mark.parametrize(
    ("name", "present"),
    [
        ("Sergey Lavrov", True),
        ("sergey  lavrov", True),
        ("Lavrov's", True),  # possessive
        ("Minsk", True),  # case
        ("U.S.", True),
        ("Sergey V. Lavrov", True),  # every token of 3+ chars present as a word
        ("Ankara", True),
        ("Vladimir Putin", False),
        ("Lavrova", False),  # not a whole word
        ("Ank", False),  # a fragment of a word
        ("Sergey Shoigu", False),  # one token missing
        ("", False),
        ("  ", False),
    ],
)
def test_contains_name(name: str, present: bool) -> None:
    assert contains_name(name, NAMES_TEXT) is present


def test_contains_name_diacritics_and_quotes() -> None:
    text = "Talks were held at the “Café Noir” in Zürich."
    assert contains_name("Cafe Noir", text)
    assert contains_name("Zurich", text)
    assert not contains_name("Geneva", text)


# --- speed, cache, property ---------------------------------------------------------


def test_normalised_text_is_cached_per_text() -> None:
    text = "x " * 2500 + "The minister said talks would continue."
    alignment._normalized.cache_clear()
    align("THE MINISTER SAID", text)
    align("TALKS WOULD CONTINUE", text)
    info = alignment._normalized.cache_info()
    assert info.misses == 1 and info.hits == 1


def test_normalised_alignment_is_fast_on_a_5000_char_article() -> None:
    words = [f"word{i % 97}" for i in range(760)]
    text = (
        " ".join(words[:350])
        + ". The minister said talks would continue. "
        + ("They will meet again in “January”. " + " ".join(words[350:]))
    )
    assert len(text) > 5000
    quote = 'the minister said talks would continue. they will meet again in "january".'
    align(quote, text)  # warm the per-text cache, as the pipeline does
    n = 200
    t0 = time.perf_counter()
    for _ in range(n):
        sp = align(quote, text)
    per_call = (time.perf_counter() - t0) / n
    assert sp is not None and sp.match == "exact"
    assert per_call < 1e-3, f"{per_call * 1e3:.3f} ms per alignment"


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab cé’“”—-\n.\u00a0XYZ")), min_size=1, max_size=80),
    data=st.data(),
)
def test_property_any_substring_aligns_to_itself(text: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(text) - 1))
    j = data.draw(st.integers(i + 1, len(text)))
    sub = text[i:j]
    assume(not sub.isspace())
    sp = align(sub, text)
    assert sp is not None and sp.match == "exact"
    assert text[sp.start : sp.end] == sub


# --- one word replaced (step 3) and changed numbers -----------------------------------------

SUBSTITUTION_TEXT = (
    "The council met on Monday. Officials decided to close the bridge for repairs. "
    "Traffic will move to the northern road until 18 September 2024."
)


def test_one_word_replaced_in_a_short_phrase_aligns_on_the_whole_window() -> None:
    quote = "officials agreed to close the bridge"
    span = align(quote, SUBSTITUTION_TEXT)
    assert span is not None and span.match == "fuzzy"
    assert SUBSTITUTION_TEXT[span.start : span.end] == "Officials decided to close the bridge"
    assert span.score == round(5 / 6, 4)  # the substitution step: 5 of 6 words


@pytest.mark.parametrize(
    "quote",
    [
        "Officials agreed to shut the bridge",  # two words replaced
        "agreed to close",  # three words: below SUBSTITUTION_MIN_WORDS
    ],
)
def test_more_than_one_word_changed_or_too_short_is_not_evidence(quote: str) -> None:
    assert align(quote, SUBSTITUTION_TEXT) is None


def test_one_word_replaced_is_refused_when_two_windows_fit() -> None:
    text = "Ministers met in Oslo on Monday. Ministers met in Bergen on Monday."
    quote = alignment._split_quote("Ministers met in Paris on Monday")
    assert alignment._substituted(quote, text, alignment._normalized(text)) is None
    one = "Ministers met in Oslo on Monday."
    found = alignment._substituted(quote, one, alignment._normalized(one))
    assert found is not None and one[found.start : found.end] == "Ministers met in Oslo on Monday"


@pytest.mark.parametrize(
    ("quote", "why"),
    [
        ("until 19 September 2024", "a day changed (substitution step)"),
        ("road until 18 September 2025.", "a year changed"),
        ("Traffic will move to the northern road until 17 September 2024.", "fuzzy step"),
    ],
)
def test_a_changed_number_is_never_aligned(quote: str, why: str) -> None:
    assert align(quote, SUBSTITUTION_TEXT) is None, why


def test_the_same_numbers_still_align_fuzzily() -> None:
    quote = "Traffic will shift to the northern road until 18 September 2024."
    span = align(quote, SUBSTITUTION_TEXT)
    assert span is not None and span.match == "fuzzy"
    assert SUBSTITUTION_TEXT[span.start : span.end].startswith("Traffic will move")


@pytest.mark.parametrize(
    ("quote", "text"),
    [
        ("Ministers met in Paris on Monday", "Ministers met in Oslo on Monday. Then they left."),
        ("Ministers met in Oslo on Tuesday", "Ministers met in Oslo on Monday. Then they left."),
        (
            "The talks between Norway and Chile ended without an agreement on fishing quotas.",
            "The talks between Norway and Sweden ended without an agreement on fishing quotas.",
        ),
    ],
)
def test_a_changed_name_is_never_aligned(quote: str, text: str) -> None:
    assert align(quote, text) is None


def test_capitalised_first_words_and_lower_case_quotes_are_not_names() -> None:
    text = "Ministers met in Oslo on Monday. Then they left."
    # "Envoys" opens the quote: a capital, not a name. The lower-cased quote names nothing.
    assert align("Envoys met in Oslo on Monday", text) is not None
    assert align("ministers met in oslo on tuesday", text) is not None

"""Attributions from cue patterns (invented sentences): speaker, mention, cue, content, kind."""

from __future__ import annotations

from datetime import date

from summarizer.backends.local_fields import Candidate, build, find_candidates

PUBLISHED = date(2024, 5, 2)


def _statements(text: str) -> list[Candidate]:
    return [c for c in find_candidates(text, PUBLISHED) if c.kind == "statement"]


def _row(c: Candidate) -> tuple[str, str | None, str | None, str | None, str | None]:
    return (c.actors[0].name, c.speaker_mention, c.cue, c.statement_kind, c.content_evidence)


def test_indirect_speech_after_the_cue_is_a_statement_with_its_clause() -> None:
    text = "Kestrian Foreign Minister Anna Vold argued that the border fees were too high."
    assert [_row(c) for c in _statements(text)] == [
        ("Anna Vold", "Anna Vold", "argued", "indirect", "the border fees were too high")
    ]


def test_according_to_gives_the_clause_after_it() -> None:
    text = "According to the Dalmor Trade Ministry, exports rose by a third in March."
    [c] = _statements(text)
    assert (c.cue, c.statement_kind, c.content_evidence) == (
        "According to", "indirect", "exports rose by a third in March",
    )  # fmt: skip
    assert c.actors[0].name == "Dalmor Trade Ministry"


def test_a_trailing_attribution_takes_the_clause_before_it() -> None:
    text = "The talks will resume in June, the Kestrian Foreign Ministry said on Sunday."
    [c] = _statements(text)
    assert _row(c) == (
        "Kestrian Foreign Ministry", "Kestrian Foreign Ministry", "said", "indirect",
        "The talks will resume in June",
    )  # fmt: skip


def test_a_quotation_is_direct_without_its_marks_and_told_keeps_its_listener() -> None:
    text = 'Piet Aren met traders in Osla. "We will not raise the fees," Aren told reporters.'
    [c] = _statements(text)
    assert _row(c) == ("Piet Aren", "Aren", "told reporters", "direct", "We will not raise the fees")


def test_a_partial_quotation_in_reported_speech_is_mixed() -> None:
    text = 'Anna Vold said the deal was "a good day for both countries" and would hold.'
    [c] = _statements(text)
    assert c.statement_kind == "mixed"
    assert c.content_evidence == 'the deal was "a good day for both countries" and would hold'
    assert c.quote == "a good day for both countries"


def test_he_is_the_last_person_named_before_the_cue() -> None:
    text = (
        "Kestrian Foreign Minister Anna Vold met Dalmor Trade Minister Piet Aren in Osla. "
        "He said the crossings would reopen in May."
    )
    [c] = _statements(text)
    assert (c.actors[0].name, c.speaker_mention) == ("Piet Aren", "He")


def test_each_reporting_verb_is_one_statement_adding_keeps_the_speaker() -> None:
    text = "Anna Vold said the road was finished, adding that the bridge would follow in June."
    rows = [_row(c) for c in _statements(text)]
    assert rows == [
        ("Anna Vold", "Anna Vold", "said", "indirect", "the road was finished"),
        ("Anna Vold", "Anna Vold", "adding", "indirect", "the bridge would follow in June"),
    ]


def test_a_quotation_continued_in_the_next_sentence_is_one_statement() -> None:
    text = (
        'Anna Vold spoke in Osla. "The fees will go," she said. "Trucks have waited too long."'
    )
    [c] = _statements(text)
    assert c.statement_kind == "direct"
    assert c.evidence == ['"The fees will go," she said.', '"Trucks have waited too long."']
    # One span from the first word said to the last, the interrupting cue inside it.
    assert c.content_evidence == 'The fees will go," she said. "Trucks have waited too long'


def test_nouns_that_look_like_cues_and_the_said_clause_are_not_speakers() -> None:
    text = (
        "The Osla Shipping Council, which sets rules among riparian states, said the meeting "
        "was off. A diplomat from one of the member states said Kestria had objected."
    )
    rows = [_row(c) for c in _statements(text)]
    assert rows == [
        ("Osla Shipping Council", "Osla Shipping Council", "said", "indirect", "the meeting was off"),
        (
            "diplomat from one of the member states",
            "diplomat from one of the member states",
            "said",
            "indirect",
            "Kestria had objected",
        ),
    ]


def test_the_draft_carries_the_spans_verbatim() -> None:
    text = "According to the Dalmor Trade Ministry, exports rose by a third in March."
    draft = build(_statements(text), "lead")
    [s] = draft.statements
    for quote in (s.cue, s.content_evidence, s.speaker_mention):
        assert quote is not None and quote in text
    assert s.kind == "indirect"

"""Tests for summarizer.draft_schema: the model-facing schema and the quote re-ask check."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from summarizer.draft_schema import (
    DraftSummary,
    QuoteCheck,
    checking_quotes,
    draft_json_schema,
    schema_fingerprint,
)

ARTICLE = 'Ilse Brandt met Omar Qadri in Vell. "We agreed," Brandt said.'
INVENTED = "They signed a secret pact at midnight."


def _payload(*evidence: str, quote: str | None = None) -> str:
    data: dict[str, Any] = {
        "summary": "Two ministers met.",
        "meetings": [{"participants": [{"name": "Ilse Brandt"}], "evidence": list(evidence)}],
        "statements": [
            {
                "speaker": {"name": "Ilse Brandt"},
                "content": "She agreed.",
                "quote": quote,
                "evidence": ["We agreed"],
            }
        ],
    }
    return json.dumps(data)


def _check(budget: int = 1) -> QuoteCheck:
    return QuoteCheck(lambda quote: quote in ARTICLE, reasks_left=budget)


def test_without_a_check_nothing_is_verified() -> None:
    draft = DraftSummary.model_validate_json(_payload(INVENTED))
    assert draft.meetings[0].evidence == [INVENTED]


def test_missing_quote_is_named_once_then_accepted() -> None:
    check = _check(budget=1)
    payload = _payload("Ilse Brandt met Omar Qadri", INVENTED, INVENTED)
    with checking_quotes(check):
        with pytest.raises(ValidationError) as exc:
            DraftSummary.model_validate_json(payload)
        message = str(exc.value)
        assert (
            f"these evidence quotes are not in the article: {INVENTED!r}. Copy evidence and "
            "quotes character for character from the article, or leave the item out."
        ) in message
        assert message.count(INVENTED) == 1
        assert "Ilse Brandt met Omar Qadri" not in message
        assert (check.reasks_left, check.reasks_used) == (0, 1)
        # The budget is spent: the same answer is now accepted (grounding handles it later).
        draft = DraftSummary.model_validate_json(payload)
    assert draft.meetings[0].evidence[1] == INVENTED
    assert (check.reasks_left, check.reasks_used) == (0, 1)


def test_direct_quotes_are_checked_too() -> None:
    with checking_quotes(_check()), pytest.raises(ValidationError, match="Never again"):
        DraftSummary.model_validate_json(_payload("Brandt met", quote="Never again"))


def test_grounded_answer_passes_and_keeps_the_budget() -> None:
    check = _check(budget=2)
    with checking_quotes(check):
        draft = DraftSummary.model_validate_json(_payload("Omar Qadri in Vell", quote="We agreed"))
    assert draft.quotes() == ["Omar Qadri in Vell", "We agreed", "We agreed"]
    assert (check.reasks_left, check.reasks_used) == (2, 0)


def test_check_is_scoped_to_the_with_block() -> None:
    with checking_quotes(_check()), pytest.raises(ValidationError):
        DraftSummary.model_validate_json(_payload(INVENTED))
    # Outside the block nothing is checked any more.
    assert DraftSummary.model_validate_json(_payload(INVENTED)).meetings[0].evidence == [INVENTED]


def test_check_does_not_leak_out_after_an_error() -> None:
    with pytest.raises(RuntimeError), checking_quotes(_check()):
        raise RuntimeError("boom")
    assert DraftSummary.model_validate_json(_payload(INVENTED)).summary == "Two ministers met."


def test_many_missing_quotes_are_capped_in_the_message() -> None:
    quotes = [f"invented quote number {i}" for i in range(15)]
    with checking_quotes(_check()), pytest.raises(ValidationError) as exc:
        DraftSummary.model_validate_json(_payload(*quotes))
    message = str(exc.value)
    assert "invented quote number 9'" in message
    assert "invented quote number 10" not in message


def test_extra_fields_from_the_model_are_ignored() -> None:
    data = json.loads(_payload("x"))
    data["confidence"] = 0.9
    data["meetings"][0]["start"] = 12
    draft = DraftSummary.model_validate(data)
    assert not hasattr(draft, "confidence")


def test_draft_schema_has_no_pipeline_fields_and_describes_evidence() -> None:
    schema = draft_json_schema()
    text = json.dumps(schema)
    for field in ('"start"', '"end"', '"match"', '"run"', '"granularity"'):
        assert field not in text
    meeting = schema["$defs"]["DraftMeeting"]["properties"]
    assert "character for character" in meeting["evidence"]["description"]
    assert schema_fingerprint(schema) == schema_fingerprint(json.loads(text))


def test_a_statements_own_spans_are_quotes_the_check_verifies() -> None:
    statement = {
        "speaker": {"name": "Ilse Brandt"},
        "speaker_mention": "Brandt",
        "cue": "declared",
        "kind": "direct",
        "content_evidence": "We agreed",
        "content": "She agreed.",
        "evidence": ["We agreed"],
    }
    payload = json.dumps({"summary": "Agreed.", "statements": [statement]})
    draft = DraftSummary.model_validate_json(payload)
    assert draft.statements[0].span_quotes() == ["Brandt", "declared", "We agreed"]
    assert draft.quotes() == ["We agreed", "Brandt", "declared", "We agreed"]
    # "declared" is not in the article: a re-ask names it.
    with checking_quotes(_check()), pytest.raises(ValidationError, match="'declared'"):
        DraftSummary.model_validate_json(payload)


def test_a_statement_written_before_the_spans_existed_still_validates() -> None:
    old = {"speaker": {"name": "Ilse Brandt"}, "content": "She agreed.", "evidence": ["We agreed"]}
    draft = DraftSummary.model_validate({"summary": "Agreed.", "statements": [old]})
    [s] = draft.statements
    assert (s.kind, s.cue, s.content_evidence, s.speaker_mention) == (None, None, None, None)

"""The gold model as the review page sees it: an editor per field, read from the types."""

from __future__ import annotations

from datetime import date
from typing import Literal

from helpers_review import CueSummary
from pydantic import BaseModel

from summarizer.eval.extras import gold_type
from summarizer.eval.gold import Gold, GoldMeeting, GoldPlannedEvent, GoldStatement
from summarizer.eval.review_schema import blank, describe, field_spec, item_model, page_schema


def _fields(list_name: str, gold: type[Gold] = Gold) -> dict[str, dict[str, object]]:
    [entry] = [lst for lst in page_schema(gold)["lists"] if lst["name"] == list_name]
    return {f["name"]: f for f in entry["fields"]}


def test_every_field_of_every_item_type_has_an_editor() -> None:
    for list_name, model in (
        ("meetings", GoldMeeting), ("statements", GoldStatement), ("planned_events", GoldPlannedEvent),
    ):  # fmt: skip
        assert list(_fields(list_name)) == list(model.model_fields)
    meeting = _fields("meetings")
    assert meeting["location"] == {"name": "location", "required": False, "nullable": True, "type": "alt"}
    assert meeting["format"]["choices"] == ["in_person", "call", "video", "unknown"]
    assert meeting["evidence"]["of"] == {"nullable": False, "type": "evidence"}
    assert meeting["topics"]["of"] == {"nullable": False, "type": "alt"}
    assert meeting["optional"]["type"] == "bool"
    time = meeting["time"]
    assert time["type"] == "object" and time["nullable"] is True
    assert [(f["name"], f["type"]) for f in time["fields"]] == [  # type: ignore[attr-defined]
        ("text", "alt"), ("start", "date"), ("end", "date"), ("granularity", "enum"), ("note", "text"),
    ]
    assert _fields("statements")["speaker"]["blank"] == {
        "name": "", "kind": "person", "role": None, "affiliation": None,
    }


def test_fields_an_extended_gold_adds_get_editors_too() -> None:
    statement = _fields("statements", gold_type(CueSummary))
    assert statement["cue"]["type"] == "evidence" and statement["cue"]["nullable"] is True
    assert statement["tone"]["choices"] == ["calm", "angry"]
    assert item_model(gold_type(CueSummary), "statements").__name__ == "GoldCueStatement"


def test_a_type_without_its_own_editor_falls_back_to_json() -> None:
    class Odd(BaseModel):
        spans: list[tuple[int, int]] = []
        either: int | str = 0
        level: Literal[1, 2] = 1
        day: date | None = None

    spec = {f["name"]: f for f in describe(Odd)}
    assert spec["spans"]["of"]["type"] == "json"  # type: ignore[index]
    assert spec["either"]["type"] == "json"
    assert spec["level"] == {"name": "level", "required": False, "nullable": False, "type": "enum", "choices": ["1", "2"]}
    assert field_spec(date | None) == {"nullable": True, "type": "date"}


def test_a_blank_item_is_what_the_page_adds() -> None:
    assert blank(GoldStatement) == {
        "speaker": {"name": "", "kind": "person", "role": None, "affiliation": None},
        "content": "", "quote": None, "evidence": [], "optional": False,
        "kind": None, "cue": None, "content_evidence": None, "speaker_mention": None,
    }
    assert blank(GoldMeeting)["format"] == "unknown"
    GoldMeeting.model_validate(blank(GoldMeeting))

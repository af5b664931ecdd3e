"""Tests for summarizer.schemas: the typed contract in and out."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from summarizer.schemas import (
    Actor,
    ActorKind,
    Article,
    ArticleSummary,
    Evidence,
    Granularity,
    Meeting,
    PlannedEvent,
    RunInfo,
    Statement,
    TimeExpr,
    output_json_schema,
    text_id,
)


def _summary() -> ArticleSummary:
    brandt = Actor(
        name="Ilse Brandt", kind=ActorKind.person, role="foreign minister", affiliation="Nordvik"
    )
    ministry = Actor(name="Tarsen Foreign Ministry", kind=ActorKind.organization)
    return ArticleSummary(
        article_id="abc123",
        title="Ministers meet in Vell",
        summary="Two ministers met. They plan a session.",
        meetings=[
            Meeting(
                participants=[brandt, Actor(name="Omar Qadri", affiliation="Tarsen")],
                location="Vell",
                time=TimeExpr(
                    text="on Wednesday",
                    start=date(2021, 3, 3),
                    end=date(2021, 3, 3),
                    granularity=Granularity.day,
                ),
                topics=["fishing rights"],
                format="in_person",
                evidence=[Evidence(quote="met in Vell", start=10, end=21, match="exact")],
            )
        ],
        statements=[
            Statement(
                speaker=ministry,
                content="The ministry welcomed the talks.",
                quote="a good day",
                evidence=[Evidence(quote="a good day", match="none")],
            )
        ],
        planned_events=[
            PlannedEvent(
                description="joint cabinet session",
                participants=[brandt],
                time=TimeExpr(
                    text="the second half of April",
                    start=date(2021, 4, 16),
                    end=date(2021, 4, 30),
                    granularity=Granularity.part_of_month,
                ),
                status="scheduled",
            )
        ],
        run=RunInfo(
            model="m",
            backend="replay",
            tokens_in=451,
            tokens_out=71,
            latency_s=4.9,
            warnings=["flagged meeting 2: no evidence given"],
        ),
    )


def test_summary_round_trips_through_json() -> None:
    summary = _summary()
    again = ArticleSummary.model_validate_json(summary.model_dump_json())
    assert again == summary
    # Dates and enums come back typed, not as strings.
    assert again.meetings[0].time is not None
    assert again.meetings[0].time.start == date(2021, 3, 3)
    assert again.planned_events[0].time is not None
    assert again.planned_events[0].time.granularity is Granularity.part_of_month


def test_article_round_trips_through_json() -> None:
    article = Article(
        id="x1",
        text="Body.",
        title="T",
        published=date(2022, 12, 19),
        url="https://example.invalid/a",
        source="Wire",
        language="en",
    )
    assert Article.model_validate_json(article.model_dump_json()) == article


def _descriptions(schema: dict[str, Any]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for name, model in schema.get("$defs", {}).items():
        for field, spec in model.get("properties", {}).items():
            if "description" in spec:
                found[(name, field)] = spec["description"]
    return found


def test_json_schema_export_carries_field_descriptions() -> None:
    schema = output_json_schema()
    assert schema["title"] == "ArticleSummary"
    described = _descriptions(schema)
    for key in [
        ("Actor", "name"),
        ("Actor", "role"),
        ("Evidence", "quote"),
        ("Evidence", "start"),
        ("TimeExpr", "text"),
        ("Statement", "content"),
        ("Statement", "quote"),
    ]:
        assert described.get(key), f"{key} has no description in the exported schema"
    assert "Sergey Lavrov" in described[("Actor", "name")]


def test_article_default_id_is_stable_hash_of_text() -> None:
    text = "The Belarusian and Russian foreign ministers met on Monday."
    first, second = Article(text=text), Article(text=text)
    assert first.id == second.id == hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    assert first.id == text_id(text)
    assert Article(text=text + " ").id != first.id
    assert Article(text="été à Minsk").id == text_id("été à Minsk")


def test_article_explicit_id_is_kept_and_empty_id_is_replaced() -> None:
    assert Article(id="seed-1", text="x").id == "seed-1"
    assert Article(id="", text="x").id == text_id("x")


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="extra"):
        Article.model_validate({"text": "x", "body": "y"})
    with pytest.raises(ValidationError):
        Meeting.model_validate({"format": "carrier pigeon"})


def test_a_statement_without_the_attribution_spans_still_loads() -> None:
    # Summaries and gold written before kind, cue, content_evidence and speaker_mention.
    old = {"speaker": {"name": "Ilse Brandt"}, "content": "She agreed.", "quote": None, "evidence": []}
    statement = Statement.model_validate(old)
    assert (statement.kind, statement.cue, statement.content_evidence) == (None, None, None)
    assert statement.speaker_mention is None
    new = Statement.model_validate(
        {**old, "kind": "indirect", "cue": {"quote": "said", "start": 7, "end": 11, "match": "exact"}}
    )
    assert new.cue is not None and (new.kind, new.cue.start) == ("indirect", 7)
    with pytest.raises(ValidationError):
        Statement.model_validate({**old, "kind": "reported"})

"""Tests for summarizer.extra_fields: a user's extended item types, from the draft schema
the model sees, through grounding, to the typed result (through the real openai backend
against the fake server, and from a replay store)."""

from __future__ import annotations

import asyncio
import copy
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pytest
from conftest import ARTICLE_TEXT, draft_for_article
from pydantic import BaseModel, Field

from summarizer import Article, asummarize, summarize, summarize_many
from summarizer.config import resolve_settings
from summarizer.draft_schema import DraftSummary
from summarizer.errors import ConfigError
from summarizer.extra_fields import draft_type, summary_types
from summarizer.grounding.grounder import Grounder
from summarizer.pipeline import Pipeline, build_backend
from summarizer.schemas import (
    Actor,
    ArticleSummary,
    Evidence,
    Meeting,
    PlannedEvent,
    Statement,
    TimeExpr,
)
from summarizer.testing.server import FakeOpenAIServer, json_answer

StartServer = Callable[..., FakeOpenAIServer]


class MyEvent(PlannedEvent):
    budget: str | None = Field(default=None, description="The budget, as the article writes it.")
    budget_evidence: Evidence | None = None


class MyMeeting(Meeting):
    outcome: str | None = Field(default=None, description="What the meeting decided.")
    outcome_evidence: list[Evidence] = Field(default_factory=list)
    next_meeting: TimeExpr | None = None
    host: Actor | None = None
    tone: Literal["friendly", "tense", "unknown"] = "unknown"


class MyStatement(Statement):
    audience: list[Actor] = Field(default_factory=list)


class MySummary(ArticleSummary):
    meetings: list[MyMeeting] = Field(default_factory=list)
    statements: list[MyStatement] = Field(default_factory=list)
    planned_events: list[MyEvent] = Field(default_factory=list)


def _extended_draft(draft: dict[str, Any]) -> dict[str, Any]:
    """The shared draft with every extra field filled from the article's own words."""
    out = copy.deepcopy(draft)
    out["meetings"][0].update(
        {
            "outcome": "agreed to meet again",
            "outcome_evidence": ["We agreed to meet again in March"],
            "next_meeting": "in March",
            "host": {"name": "Jon Holt", "kind": "person"},
            "tone": "friendly",
        }
    )
    out["statements"][0]["audience"] = [{"name": "Jon Holt", "kind": "person"}]
    out["planned_events"][0].update(
        {"budget": "none given", "budget_evidence": "sign a fisheries agreement in Bergen"}
    )
    return out


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "SUMMARIZER_")):
            monkeypatch.delenv(name)


ARTICLE = Article(id="oslo", text=ARTICLE_TEXT, published=date(2024, 3, 4))


# -- reading a summary type -----------------------------------------------------------------


def test_the_built_in_summary_keeps_the_built_in_draft() -> None:
    assert draft_type(ArticleSummary) is DraftSummary
    assert not summary_types(ArticleSummary).extended


def test_extra_fields_reach_the_draft_schema_in_their_draft_form() -> None:
    schema = draft_type(MySummary).model_json_schema()
    event = schema["$defs"]["DraftMyEvent"]["properties"]
    assert event["budget"]["description"] == "The budget, as the article writes it."
    assert {"type": "string"} in event["budget_evidence"]["anyOf"]  # a quote, not offsets
    assert "character for character" in event["budget_evidence"]["description"]
    meeting = schema["$defs"]["DraftMyMeeting"]["properties"]
    assert meeting["outcome_evidence"]["items"] == {"type": "string"}
    assert {"type": "string"} in meeting["next_meeting"]["anyOf"]  # as written, not ISO
    assert meeting["tone"]["enum"] == ["friendly", "tense", "unknown"]
    assert schema["$defs"]["DraftMyStatement"]["properties"]["audience"]["items"] == {
        "$ref": "#/$defs/DraftActor"
    }
    # The built-in fields are all still there.
    assert set(DraftSummary.model_json_schema()["$defs"]["DraftPlannedEvent"]["properties"]) < set(event)


def test_extra_evidence_quotes_are_checked_against_the_article() -> None:
    draft = draft_type(MySummary).model_validate(_extended_draft(_base()))
    assert "We agreed to meet again in March" in draft.quotes()
    assert "sign a fisheries agreement in Bergen" in draft.quotes()


def _base() -> dict[str, Any]:
    return draft_for_article()


class _Nested(BaseModel):
    x: int = 0


class _BadEvent(PlannedEvent):
    extra: _Nested | None = None


class _BadSummary(ArticleSummary):
    planned_events: list[_BadEvent] = Field(default_factory=list)


class _TopLevel(ArticleSummary):
    sentiment: str = ""


class _WrongList(ArticleSummary):
    meetings: list[PlannedEvent] = Field(default_factory=list)  # type: ignore[assignment]


def test_unsupported_shapes_are_config_errors_that_say_what_to_do() -> None:
    with pytest.raises(ConfigError, match=r"^_BadEvent.extra: extra fields may be str, int"):
        summary_types(_BadSummary)
    with pytest.raises(ConfigError, match="put extra fields on the item types"):
        summary_types(_TopLevel)
    with pytest.raises(ConfigError, match="must be a list of Meeting or of a subclass of it"):
        summary_types(_WrongList)
    with pytest.raises(ConfigError, match="is not an ArticleSummary subclass"):
        resolve_settings(env={}, summary_type=MyEvent)


# -- grounding ------------------------------------------------------------------------------


def _ground(payload: dict[str, Any], policy: Any = "drop") -> tuple[MySummary, Grounder]:
    grounder = Grounder(ARTICLE_TEXT, ARTICLE.published, policy, summary_type=MySummary)
    items = grounder.items(draft_type(MySummary).model_validate(payload), None)
    summary = MySummary(
        article_id="x",
        meetings=items.meetings,
        statements=items.statements,
        planned_events=items.planned_events,
    )
    return summary, grounder


def test_extra_fields_are_grounded_and_typed() -> None:
    summary, grounder = _ground(_extended_draft(_base()))
    meeting = summary.meetings[0]
    assert isinstance(meeting, MyMeeting)
    assert meeting.outcome == "agreed to meet again" and meeting.tone == "friendly"
    (evidence,) = meeting.outcome_evidence
    assert ARTICLE_TEXT[evidence.start : evidence.end] == "We agreed to meet again in March"  # type: ignore[misc]
    assert evidence.match == "exact"
    assert meeting.next_meeting is not None
    assert (meeting.next_meeting.start, meeting.next_meeting.end) == (date(2024, 3, 1), date(2024, 3, 31))
    assert meeting.host == Actor(name="Jon Holt")
    assert summary.statements[0].audience == [Actor(name="Jon Holt")]
    event = summary.planned_events[0]
    assert event.budget == "none given"
    assert event.budget_evidence is not None and event.budget_evidence.start == ARTICLE_TEXT.index(
        "sign a fisheries agreement in Bergen"
    )
    assert grounder.report.warnings == []


def test_an_invented_extra_quote_or_actor_is_dropped_but_the_item_stays() -> None:
    payload = _extended_draft(_base())
    payload["planned_events"][0]["budget_evidence"] = "a budget of 40 million crowns"
    payload["meetings"][0]["host"] = {"name": "Kari Nordmann", "kind": "person"}
    summary, grounder = _ground(payload)
    assert summary.planned_events[0].budget_evidence is None
    assert summary.meetings[0].host is None
    assert len(summary.planned_events) == 1 and len(summary.meetings) == 1
    assert "dropped planned event 1 budget_evidence: evidence not found in the article" in (
        grounder.report.warnings
    )
    assert "dropped meeting 1 host 'Kari Nordmann': not in the article" in grounder.report.warnings


def test_an_invented_extra_quote_is_kept_marked_under_flag() -> None:
    payload = _extended_draft(_base())
    payload["planned_events"][0]["budget_evidence"] = "a budget of 40 million crowns"
    summary, grounder = _ground(payload, "flag")
    assert summary.planned_events[0].budget_evidence == Evidence(
        quote="a budget of 40 million crowns", match="none"
    )
    assert grounder.report.flagged == 1


class _NeedsEvidence(PlannedEvent):
    budget_evidence: Evidence


class _StrictSummary(ArticleSummary):
    planned_events: list[_NeedsEvidence] = Field(default_factory=list)


def test_an_item_whose_required_extra_field_is_ungrounded_is_dropped() -> None:
    payload = _base()
    payload["meetings"] = payload["statements"] = []
    payload["planned_events"][0]["budget_evidence"] = "an invented sentence about budgets"
    grounder = Grounder(ARTICLE_TEXT, ARTICLE.published, "drop", summary_type=_StrictSummary)
    items = grounder.items(draft_type(_StrictSummary).model_validate(payload), None)
    assert items.planned_events == []
    assert "dropped planned event 1: required budget_evidence not in the article" in (
        grounder.report.warnings
    )


# -- end to end through the openai backend and the fake server --------------------------------


def _server(fake_openai: StartServer) -> FakeOpenAIServer:
    return fake_openai(json_answer(_extended_draft(_base())))


def test_summarize_returns_the_extended_type_through_the_real_client(
    fake_openai: StartServer,
) -> None:
    srv = _server(fake_openai)
    summary = summarize(
        ARTICLE, base_url=srv.base_url, model="test-model", summary_type=MySummary
    )
    assert isinstance(summary, MySummary)
    assert summary.meetings[0].outcome == "agreed to meet again"
    assert summary.planned_events[0].budget_evidence is not None
    # What the model was asked to fill: the tool's schema holds the extra fields.
    (request,) = srv.requests_to("/chat/completions")
    tool_schema = request.body["tools"][0]["function"]["parameters"]
    assert "budget_evidence" in tool_schema["$defs"]["DraftMyEvent"]["properties"]
    assert "outcome" in tool_schema["$defs"]["DraftMyMeeting"]["properties"]
    # The JSON round trip keeps the extra fields and their types.
    again = MySummary.model_validate_json(summary.model_dump_json())
    assert again.meetings[0].next_meeting == summary.meetings[0].next_meeting


def test_an_answer_with_a_wrong_extra_value_is_reasked(fake_openai: StartServer) -> None:
    bad = _extended_draft(_base())
    bad["meetings"][0]["tone"] = "hostile"  # not one of the Literal's values
    from summarizer.testing.server import Script

    srv = fake_openai(Script([json_answer(bad)], default=json_answer(_extended_draft(_base()))))
    summary = summarize(
        ARTICLE, base_url=srv.base_url, model="test-model", summary_type=MySummary
    )
    assert summary.meetings[0].tone == "friendly"
    assert summary.run.reasks == 1
    assert len(srv.requests_to("/chat/completions")) == 2


def test_summarize_many_asummarize_and_pipeline_take_the_summary_type(
    fake_openai: StartServer,
) -> None:
    srv = _server(fake_openai)
    options: dict[str, Any] = {"base_url": srv.base_url, "model": "test-model"}
    outcomes = summarize_many([ARTICLE, ARTICLE_TEXT], summary_type=MySummary, **options)
    assert all(o.ok and isinstance(o.summary, MySummary) for o in outcomes)
    summary = asyncio.run(asummarize(ARTICLE, summary_type=MySummary, **options))
    assert isinstance(summary.planned_events[0], MyEvent)
    settings = resolve_settings(env={}, summary_type=MySummary, **options)
    direct = Pipeline(settings, build_backend(settings)).run(ARTICLE)
    assert isinstance(direct, MySummary) and direct.statements[0].audience


def test_replay_answers_the_extended_type_and_misses_for_another(
    fake_openai: StartServer, tmp_path: Path
) -> None:
    srv = _server(fake_openai)
    store = str(tmp_path / "responses.sqlite")
    options: dict[str, Any] = {"base_url": srv.base_url, "model": "test-model", "store_path": store}
    recorded = summarize(ARTICLE, summary_type=MySummary, **options)
    srv.close()
    replayed = summarize(ARTICLE, summary_type=MySummary, backend="replay", **options)
    assert replayed.run.cache_hit
    assert replayed.model_dump(exclude={"run"}) == recorded.model_dump(exclude={"run"})
    # The built-in type asks for another schema: a different request, not in the store.
    from summarizer.errors import ReplayMissError

    with pytest.raises(ReplayMissError):
        summarize(ARTICLE, backend="replay", **options)


def test_outcomes_and_the_summary_cache_keep_the_extra_fields(
    fake_openai: StartServer, tmp_path: Path
) -> None:
    from summarizer.stores.summaries import SummaryCache

    srv = _server(fake_openai)
    options: dict[str, Any] = {"base_url": srv.base_url, "model": "test-model"}
    (outcome,) = summarize_many([ARTICLE], summary_type=MySummary, **options)
    dumped = outcome.model_dump(mode="json")
    assert dumped["summary"]["planned_events"][0]["budget"] == "none given"
    settings = resolve_settings(env={}, summary_type=MySummary, **options)
    cache = SummaryCache(tmp_path / "cache.sqlite", settings)
    assert outcome.summary is not None
    cache.put(ARTICLE, outcome.summary)
    hit = cache.get(ARTICLE)
    assert isinstance(hit, MySummary) and hit.planned_events[0].budget == "none given"
    plain = SummaryCache(tmp_path / "cache.sqlite", settings.with_(summary_type=ArticleSummary))
    assert plain.get(ARTICLE) is None  # another type asks for other fields: another key

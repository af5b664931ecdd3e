"""Tests for summarizer.eval.extras and the scoring of extra fields: gold for an extended
summary type, each extra field scored by its kind, and a prediction made through the real
openai backend (fake server) scored against such gold."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pytest
from conftest import ARTICLE_TEXT, draft_for_article
from pydantic import Field

from summarizer import summarize
from summarizer.errors import InputError
from summarizer.eval.extras import gold_type
from summarizer.eval.gold import Gold, load_fixture, load_suite_dir
from summarizer.eval.scoring import COR, INC, MIS, PAR, SPU, score_summary
from summarizer.schemas import (
    Actor,
    Article,
    ArticleSummary,
    Evidence,
    Meeting,
    PlannedEvent,
    TimeExpr,
)
from summarizer.testing.server import FakeOpenAIServer, json_answer

StartServer = Callable[..., FakeOpenAIServer]
OUTCOME_QUOTE = "We agreed to meet again in March"
BUDGET_QUOTE = "sign a fisheries agreement in Bergen"


class TalkMeeting(Meeting):
    outcome: str | None = Field(default=None, description="What the meeting decided.")
    outcome_evidence: list[Evidence] = Field(default_factory=list)
    next_meeting: TimeExpr | None = None
    host: Actor | None = None
    tone: Literal["friendly", "tense", "unknown"] = "unknown"


class BudgetEvent(PlannedEvent):
    budget_evidence: Evidence | None = None
    sponsors: list[Actor] = Field(default_factory=list)


class TalkSummary(ArticleSummary):
    meetings: list[TalkMeeting] = Field(default_factory=list)
    planned_events: list[BudgetEvent] = Field(default_factory=list)


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "SUMMARIZER_")):
            monkeypatch.delenv(name)


def _gold_json() -> dict[str, Any]:
    berg = {"name": "Anna Berg", "kind": "person", "role": "foreign minister"}
    holt = {"name": "Jon Holt", "kind": "person", "role": "prime minister"}
    return {
        "summary": "Berg and Holt met in Oslo.",
        "meetings": [
            {
                "participants": [berg, holt],
                "location": "Oslo",
                "time": {"text": "on Monday", "start": "2024-03-04", "end": "2024-03-04"},
                "format": "in_person",
                "evidence": [{"quote": "Foreign Minister Anna Berg met Prime Minister Jon Holt in Oslo"}],
                "outcome": {"any_of": ["agreed to meet again", "a new meeting"]},
                "outcome_evidence": [{"quote": OUTCOME_QUOTE}],
                "next_meeting": {"text": "in March", "start": "2024-03-01", "end": "2024-03-31"},
                "host": {"name": "Jon Holt", "role": "prime minister"},
                "tone": "friendly",
            }
        ],
        "planned_events": [
            {
                "description": "signing of a fisheries agreement",
                "participants": [berg, holt],
                "location": "Bergen",
                "evidence": [{"quote": "plan to sign a fisheries agreement in Bergen next spring"}],
                "budget_evidence": {"quote": BUDGET_QUOTE},
                "sponsors": [berg],
            }
        ],
    }


def _fixture(tmp_path: Path, gold: dict[str, Any] | None = None) -> Path:
    folder = tmp_path / "fixtures"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "oslo.txt").write_text(ARTICLE_TEXT, encoding="utf-8")
    (folder / "oslo.meta.json").write_text('{"published": "2024-03-04"}', encoding="utf-8")
    (folder / "oslo.gold.json").write_text(json.dumps(gold or _gold_json()), encoding="utf-8")
    return folder


def _load(tmp_path: Path, gold: dict[str, Any] | None = None) -> tuple[Article, Gold]:
    return load_fixture(_fixture(tmp_path, gold), "oslo", gold_type=gold_type(TalkSummary))


def _span(quote: str) -> Evidence:
    start = ARTICLE_TEXT.index(quote)
    return Evidence(quote=quote, start=start, end=start + len(quote), match="exact")


def _perfect() -> TalkSummary:
    berg = Actor(name="Anna Berg", role="foreign minister")
    holt = Actor(name="Jon Holt", role="prime minister")
    return TalkSummary(
        article_id="oslo",
        meetings=[
            TalkMeeting(
                participants=[berg, holt],
                location="Oslo",
                time=TimeExpr(text="on Monday", start=date(2024, 3, 4), end=date(2024, 3, 4)),
                format="in_person",
                evidence=[_span("Foreign Minister Anna Berg met Prime Minister Jon Holt in Oslo")],
                outcome="agreed to meet again",
                outcome_evidence=[_span(OUTCOME_QUOTE)],
                next_meeting=TimeExpr(text="in March", start=date(2024, 3, 1), end=date(2024, 3, 31)),
                host=Actor(name="Jon Holt", role="prime minister"),
                tone="friendly",
            )
        ],
        planned_events=[
            BudgetEvent(
                description="signing of a fisheries agreement",
                participants=[berg, holt],
                location="Bergen",
                evidence=[_span("plan to sign a fisheries agreement in Bergen next spring")],
                budget_evidence=_span(BUDGET_QUOTE),
                sponsors=[berg],
            )
        ],
    )


def _fields(summary: ArticleSummary, article: Article, gold: Gold, list_name: str) -> dict[str, list[int]]:
    score = score_summary(summary, gold, article)
    return {k: c.slots() for k, c in score.lists[list_name].fields.items()}  # type: ignore[index]


def _slots(grade: int) -> list[int]:
    slots = [0] * 5
    slots[grade] = 1
    return slots


def test_the_plain_summary_keeps_the_plain_gold() -> None:
    assert gold_type(ArticleSummary) is Gold


def test_extended_gold_loads_with_extra_evidence_located(tmp_path: Path) -> None:
    _article, gold = _load(tmp_path)
    meeting = gold.meetings[0]
    (outcome,) = meeting.outcome_evidence  # type: ignore[attr-defined]
    assert (outcome.start, outcome.match) == (ARTICLE_TEXT.index(OUTCOME_QUOTE), "exact")
    budget = gold.planned_events[0].budget_evidence  # type: ignore[attr-defined]
    assert budget.start == ARTICLE_TEXT.index(BUDGET_QUOTE)
    # The plain Gold still rejects fields it does not know.
    with pytest.raises(InputError, match="not valid gold"):
        load_suite_dir(_fixture(tmp_path / "plain"))


def test_an_extra_gold_quote_not_in_the_article_names_the_fixture(tmp_path: Path) -> None:
    gold = _gold_json()
    gold["planned_events"][0]["budget_evidence"] = {"quote": "a budget of 40 million"}
    with pytest.raises(InputError, match=r"evidence quote of planned_events\[0\] is not in the article"):
        _load(tmp_path, gold)


def test_a_perfect_prediction_scores_every_extra_field_correct(tmp_path: Path) -> None:
    article, gold = _load(tmp_path)
    meetings = _fields(_perfect(), article, gold, "meetings")
    for key in ("outcome", "outcome_evidence", "next_meeting", "host", "host.role", "tone"):
        assert meetings[key] == _slots(COR), key
    events = _fields(_perfect(), article, gold, "planned_events")
    assert events["budget_evidence"] == _slots(COR)
    assert events["sponsors"] == _slots(COR)
    assert events["sponsors.role"] == _slots(COR)
    score = score_summary(_perfect(), gold, article)
    assert score.metrics()["meetings.outcome.f1"] == 1.0
    assert score.metrics()["overall.f1"] == 1.0


def test_each_extra_field_is_graded_by_its_kind(tmp_path: Path) -> None:
    article, gold = _load(tmp_path)
    pred = _perfect()
    meeting, event = pred.meetings[0], pred.planned_events[0]
    meeting.outcome = "they agreed to"                  # text: token overlap, partial
    meeting.outcome_evidence = [_span("Berg said after the talks")]  # evidence: no overlap
    meeting.next_meeting = TimeExpr(text="in April", start=date(2024, 4, 1), end=date(2024, 4, 30))
    meeting.host = Actor(name="Anna Berg")              # actor: another person
    meeting.tone = "tense"                              # value: not equal
    event.budget_evidence = None                        # gold has it: missing
    event.sponsors = [Actor(name="Anna Berg", role="foreign minister"), Actor(name="Jon Holt")]
    meetings = _fields(pred, article, gold, "meetings")
    assert meetings["outcome"] == _slots(PAR)
    assert meetings["outcome_evidence"] == _slots(INC)
    assert meetings["next_meeting"] == _slots(INC)
    assert meetings["host"] == _slots(INC)
    assert meetings["tone"] == _slots(INC)
    events = _fields(pred, article, gold, "planned_events")
    assert events["budget_evidence"] == _slots(MIS)
    assert events["sponsors"] == [1, 0, 0, 0, 1]  # Berg matched, Holt spurious


def test_a_value_the_gold_leaves_out_is_spurious_and_partial_gold_can_name_extras(
    tmp_path: Path,
) -> None:
    gold_json = _gold_json()
    del gold_json["meetings"][0]["outcome"]
    gold_json["scored_fields"] = {"meetings": ["participants", "outcome", "tone"]}
    article, gold = _load(tmp_path, gold_json)
    meetings = _fields(_perfect(), article, gold, "meetings")
    assert meetings == {
        "participants": [2, 0, 0, 0, 0],
        "outcome": _slots(SPU),
        "tone": _slots(COR),
    }
    gold_json["scored_fields"] = {"meetings": ["outcome", "mood"]}
    with pytest.raises(InputError, match=r"unknown field\(s\) \['mood'\] in scored_fields"):
        _load(tmp_path, gold_json)


def test_unmatched_items_count_their_extra_fields(tmp_path: Path) -> None:
    article, gold = _load(tmp_path)
    empty = TalkSummary(article_id="oslo")
    meetings = _fields(empty, article, gold, "meetings")
    assert meetings["outcome"] == _slots(MIS) and meetings["host"] == _slots(MIS)


def test_a_summary_from_the_real_client_is_scored_on_its_extra_fields(
    fake_openai: StartServer, tmp_path: Path
) -> None:
    draft = draft_for_article()
    draft["meetings"][0].update(
        {
            "outcome": "agreed to meet again",
            "outcome_evidence": [OUTCOME_QUOTE],
            "next_meeting": "in March",
            "host": {"name": "Jon Holt", "role": "prime minister"},
            "tone": "friendly",
        }
    )
    draft["planned_events"][0].update(
        {"budget_evidence": BUDGET_QUOTE, "sponsors": [{"name": "Anna Berg", "role": "foreign minister"}]}
    )
    srv = fake_openai(json_answer(draft))
    article, gold = _load(tmp_path)
    summary = summarize(article, base_url=srv.base_url, model="m", summary_type=TalkSummary)
    meetings = _fields(summary, article, gold, "meetings")
    for key in ("outcome", "outcome_evidence", "next_meeting", "host", "tone"):
        assert meetings[key] == _slots(COR), key
    events = _fields(summary, article, gold, "planned_events")
    assert events["budget_evidence"] == _slots(COR) and events["sponsors"] == _slots(COR)


TYPES_MODULE = '''
from pydantic import Field
from summarizer.schemas import ArticleSummary, Evidence, Meeting

class OutcomeMeeting(Meeting):
    outcome: str | None = Field(default=None, description="What the meeting decided.")
    outcome_evidence: list[Evidence] = Field(default_factory=list)

class OutcomeSummary(ArticleSummary):
    meetings: list[OutcomeMeeting] = Field(default_factory=list)
'''


def test_a_suite_names_its_summary_type_and_the_run_keeps_and_rescores_the_extras(
    fake_openai: StartServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from summarizer.cli import main
    from summarizer.eval.runfile import Run

    (tmp_path / "my_outcome_types.py").write_text(TYPES_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    draft = draft_for_article()
    draft["meetings"][0].update({"outcome": "agreed to meet again", "outcome_evidence": [OUTCOME_QUOTE]})
    srv = fake_openai(json_answer(draft))
    gold = _gold_json()
    for key in ("next_meeting", "host", "tone"):
        del gold["meetings"][0][key]
    for key in ("budget_evidence", "sponsors"):
        del gold["planned_events"][0][key]
    _fixture(tmp_path, gold)
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "fixtures: fixtures\nsettings:\n  summary_type: my_outcome_types:OutcomeSummary\n"
        f"  base_url: {srv.base_url}\n  model: m\n",
        encoding="utf-8",
    )
    out = tmp_path / "run.json"
    assert main(["eval", "run", str(suite), "--out", str(out)]) == 0
    run = Run.load(out)
    assert run.settings.summary_type == "my_outcome_types:OutcomeSummary"
    (result,) = run.results
    assert result.prediction is not None
    assert type(result.prediction).__name__ == "OutcomeSummary"
    assert result.prediction.meetings[0].outcome == "agreed to meet again"  # type: ignore[attr-defined]
    assert run.aggregate is not None
    assert run.aggregate.metrics["meetings.outcome.f1"].mean == 1.0
    assert run.aggregate.metrics["meetings.outcome_evidence.f1"].mean == 1.0
    capsys.readouterr()
    assert main(["eval", "score", str(out)]) == 0
    assert "meetings.outcome.f1\t1.0000" in capsys.readouterr().out.splitlines()


def test_a_summary_type_that_cannot_be_imported_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from summarizer.cli import main

    _fixture(tmp_path)
    suite = tmp_path / "suite.yaml"
    suite.write_text("fixtures: fixtures\nsettings:\n  summary_type: no_such_module_here:X\n", "utf-8")
    assert main(["eval", "run", str(suite), "--out", str(tmp_path / "r.json")]) == 2
    assert capsys.readouterr().err == (
        "summarizer: error: summary_type 'no_such_module_here:X': cannot import "
        "no_such_module_here (No module named 'no_such_module_here'): put it on PYTHONPATH\n"
    )

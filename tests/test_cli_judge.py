"""`summarizer eval run` with a suite's judge, `summarizer eval judge`, and the exact errors
a bad `judge:` section gets (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ARTICLE_TEXT, draft_for_article, use_only_api_key
from helpers_eval import make_run, synthetic_suite, write_fixture
from helpers_judge import verdicts_for

from summarizer import cli
from summarizer.eval.runfile import Run
from summarizer.testing import FakeOpenAIServer, json_answer
from summarizer.testing.server import RecordedRequest


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_only_api_key(monkeypatch, "sk-cli-judge-0000")


def _gold() -> dict[str, Any]:
    """Gold for conftest's article, worded apart from the fake model's answer."""
    return {
        "summary": "Berg and Holt met in Oslo on Monday and plan a fisheries deal.",
        "meetings": [
            {
                "participants": [{"name": "Anna Berg"}, {"name": "Jon Holt"}],
                "location": "Oslo",
                "time": {"text": "on Monday"},
                "topics": ["fishing rights"],
                "format": "in_person",
                "evidence": [{"quote": "Foreign Minister Anna Berg met Prime Minister Jon Holt in Oslo"}],
            }
        ],
        "statements": [
            {
                "speaker": {"name": "Anna Berg"},
                "content": "Berg said the two would meet again in March.",
                "quote": "We agreed to meet again in March",
                "evidence": [{"quote": '"We agreed to meet again in March," Berg said'}],
            }
        ],
        "planned_events": [
            {
                "description": "signing of a fisheries agreement",
                "participants": [{"name": "Anna Berg"}, {"name": "Jon Holt"}],
                "location": "Bergen",
                "time": {"text": "next spring"},
                "evidence": [{"quote": "plan to sign a fisheries agreement in Bergen next spring"}],
            }
        ],
    }


def _answer(request: RecordedRequest) -> dict[str, Any]:
    system = request.messages[0]["content"] if request.messages else ""
    if system.startswith("You grade"):
        return verdicts_for(request.messages)
    return draft_for_article()


def _suite(tmp_path: Path, judge: object, **extra: Any) -> Path:
    fixtures = tmp_path / "fx"
    write_fixture(fixtures, "berg", ARTICLE_TEXT, _gold())
    suite = {"name": "s", "fixtures": "fx", "store": "responses.sqlite", "settings": {"model": "m"}}
    if judge is not None:
        suite["judge"] = judge
    suite.update(extra)
    path = tmp_path / "suite.yaml"
    path.write_text(yaml.safe_dump(suite), encoding="utf-8")
    return path


def test_eval_run_adds_judge_scores_and_a_replay_needs_no_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAIServer(json_answer(_answer), models=("m", "judge-m")) as srv:
        suite = _suite(
            tmp_path, {"model": "judge-m", "base_url": srv.base_url, "store": "judge.sqlite"},
            settings={"model": "m", "base_url": srv.base_url},
        )  # fmt: skip
        assert cli.main(["eval", "run", str(suite), "--out", str(tmp_path / "run.json")]) == 0
        judge_requests = [r for r in srv.requests_to("/chat/completions") if r.model == "judge-m"]
    assert len(judge_requests) == 1  # one fixture, four pairs: one request
    run = Run.load(tmp_path / "run.json")
    assert run.judge is not None and run.aggregate is not None
    assert {p.field for p in run.judge.pairs} == {
        "summary", "statements.content", "meetings.topics", "planned_events.description",
    }  # fmt: skip
    # The model's description equals the gold's: the rule gives 5; its summary differs: 1.
    grades = {p.field: p.grade for p in run.judge.pairs}
    assert grades["planned_events.description"] == 5 and grades["summary"] == 1
    assert run.aggregate.metrics["judge.planned_events.description"].mean == 1.0
    assert run.aggregate.metrics["judge.summary"].mean == 0.0
    err = capsys.readouterr().err
    assert "judge [1/1] berg: 4 pair(s)" in err
    assert "judged 4 pair(s) in 1 request(s) (0 replayed, 0 pair(s) reused)" in err

    # Replayed: extraction and judge answer from their stores; the server is gone.
    assert cli.main(["eval", "run", str(suite), "--replay", "--out", str(tmp_path / "again.json")]) == 0
    again = Run.load(tmp_path / "again.json")
    assert again.judge is not None
    assert again.judge.errors == []
    assert (again.judge.requests, again.judge.replayed) == (1, 1)
    assert again.judge.pairs == run.judge.pairs

    # The report shows the agreement section.
    capsys.readouterr()
    assert cli.main(["eval", "report", str(tmp_path / "again.json")]) == 0
    report = capsys.readouterr().out
    assert "## Judge" in report
    assert "| field | n | judge mean | token mean | Spearman | Pearson | mean " in report
    assert "| planned_events.description | 1 | 1.000 | 1.000 | n/a | n/a | 0.000 |" in report
    assert cli.main(["eval", "report", str(tmp_path / "again.json"), "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert '<h2 id="judge">Judge</h2>' in html


def test_eval_judge_judges_an_existing_run_and_prints_the_agreement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = synthetic_suite(tmp_path / "fx", n=2)
    run_path = tmp_path / "run.json"
    make_run(fixtures).save(run_path)
    suite = tmp_path / "suite.yaml"
    with FakeOpenAIServer(json_answer(_answer), models=("judge-m",)) as srv:
        suite.write_text(
            yaml.safe_dump({"fixtures": "fx", "judge": {"model": "judge-m", "base_url": srv.base_url}}),
            encoding="utf-8",
        )
        out = tmp_path / "judged.json"
        code = cli.main(["eval", "judge", str(run_path), "--suite", str(suite), "--out", str(out), "--format", "json"])
    assert code == 0
    captured = capsys.readouterr()
    rows = {row["field"]: row for row in json.loads(captured.out)}
    assert rows["statements.content"]["n"] == 6
    assert rows["statements.content"]["judge_mean"] == 1.0
    assert rows["statements.content"]["token_mean"] == 1.0
    assert captured.err.strip().endswith(
        f"judged 8 pair(s) in 2 request(s) (0 replayed, 0 pair(s) reused); wrote {out}"
    )
    judged = Run.load(out)
    assert judged.judge is not None and len(judged.judge.pairs) == 8


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = cli.main(argv)
    assert code == 2
    return capsys.readouterr().err.strip()


def test_bad_judge_sections_exit_2_with_what_to_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "run.json")
    suite = _suite(tmp_path, {"fields": ["summary", "quote"]})
    assert _error(capsys, ["eval", "run", str(suite), "--out", out]) == (
        f"summarizer: error: {suite}: judge.fields: Input should be 'summary', "
        "'statements.content', 'meetings.topics' or 'planned_events.description' (use some of "
        "['summary', 'statements.content', 'meetings.topics', 'planned_events.description']): "
        "fix the suite's `judge:` section"
    )
    suite = _suite(tmp_path, {"mode": "replay"})
    assert _error(capsys, ["eval", "run", str(suite), "--out", out]) == (
        f"summarizer: error: {suite}: judge.mode is replay but judge.store is not given: name the store"
    )
    suite = _suite(tmp_path, "gpt-4o")
    assert _error(capsys, ["eval", "run", str(suite), "--out", out]) == (
        f"summarizer: error: {suite}: `judge:` must be a mapping (backend, model, store, fields, gate, ...)"
    )


def test_eval_judge_needs_a_judge_and_a_store_to_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fixtures = synthetic_suite(tmp_path / "fx", n=1)
    run_path = tmp_path / "run.json"
    make_run(fixtures).save(run_path)
    out = str(tmp_path / "judged.json")
    suite = tmp_path / "plain.yaml"
    suite.write_text("fixtures: fx\n", encoding="utf-8")
    assert _error(capsys, ["eval", "judge", str(run_path), "--suite", str(suite), "--out", out]) == (
        f"summarizer: error: suite {suite} has no `judge:` section: add one (see the README, "
        '"Judge"), or name the judge with --model NAME or --judge-backend local'
    )
    assert _error(
        capsys, ["eval", "judge", str(run_path), "--suite", str(suite), "--model", "j", "--replay", "--out", out]
    ) == (
        "summarizer: error: the judge cannot replay without a store: name judge.store in the "
        "suite, or drop --replay"
    )
    # An endpoint-less openai judge without a key: the backend's own advice.
    no_key = tmp_path / "nokey.yaml"
    no_key.write_text("fixtures: fx\njudge: {model: j}\n", encoding="utf-8")
    monkeypatch.delenv("OPENAI_API_KEY")
    assert _error(capsys, ["eval", "judge", str(run_path), "--suite", str(no_key), "--out", out]) == (
        "summarizer: error: the openai backend needs an API key: set OPENAI_API_KEY, or give "
        "--base-url for a local server that needs none"
    )

"""The judge through the real openai backend: HTTP to the fake server through openai +
instructor, recorded into a response store, then replayed with the server gone."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import use_only_api_key
from helpers_eval import make_run, synthetic_suite
from helpers_judge import exact_grade, verdicts_for

from summarizer.backends.openai_compat import OpenAIBackend
from summarizer.config import resolve_settings
from summarizer.eval.judge import build_judge, judge_run, verdict_model
from summarizer.eval.judge_config import JudgeConfig
from summarizer.schemas import ArticleSummary
from summarizer.testing import FakeOpenAIServer, json_answer

StartServer = Callable[..., FakeOpenAIServer]
KEY = "sk-judge-secret-4242"


def _reword(pred: ArticleSummary) -> ArticleSummary:
    out = pred.model_copy(deep=True)
    for s in out.statements:
        s.content = f"{s.content} (reworded)"
    return out


def _judge_server(fake_openai: StartServer) -> FakeOpenAIServer:
    return fake_openai(json_answer(lambda request: verdicts_for(request.messages)), models=("judge-m",))


def test_judge_answers_are_recorded_then_replayed_with_no_network(
    tmp_path: Path, fake_openai: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_only_api_key(monkeypatch, KEY)
    suite = synthetic_suite(tmp_path / "fx", n=3)
    run = make_run(suite, _reword)
    server = _judge_server(fake_openai)
    store = tmp_path / "judge.sqlite"
    config = JudgeConfig(model="judge-m", base_url=server.base_url, store=store, batch_size=3)

    recorded = judge_run(run, suite, build_judge(config))
    assert recorded.judge is not None
    chats = server.requests_to("/chat/completions")
    assert len(chats) == 6  # 3 fixtures x (4 pairs in batches of 3)
    assert {c.json["model"] for c in chats} == {"judge-m"}
    assert {json.dumps(c.json["response_format"]) for c in chats} == {'{"type": "json_object"}'}
    assert recorded.judge.errors == [] and recorded.judge.replayed == 0
    grades = {(p.fixture_id, p.field, p.item): p.grade for p in recorded.judge.pairs}
    assert len(grades) == 12
    for p in recorded.judge.pairs:
        assert p.grade == exact_grade(p.gold, p.pred)
    server.close()

    # Replay: the server is gone, so an answer can only come from the store.
    replayed = judge_run(run, suite, build_judge(config, replay=True))
    assert replayed.judge is not None
    assert replayed.judge.errors == []
    assert (replayed.judge.requests, replayed.judge.replayed) == (6, 6)
    assert {(p.fixture_id, p.field, p.item): p.grade for p in replayed.judge.pairs} == grades
    assert replayed.judge.agreement == recorded.judge.agreement
    assert len(server.requests_to("/chat/completions")) == 6

    # Nothing secret went into the store.
    with sqlite3.connect(store) as conn:
        values = " ".join(row[0] for row in conn.execute("SELECT value FROM responses"))
    assert KEY not in values and "judge-m" in values

    # Other pairs have no recording: replay says so per request, and scores nothing.
    other = judge_run(make_run(suite), suite, build_judge(config, replay=True))
    assert other.judge is not None
    assert len(other.judge.errors) == 3
    assert other.judge.errors[0] == (
        f"{suite[0][0].id}: no recorded judge answer for 3 pair(s) in {store}: the rubric, the "
        "pairs or the judge model changed since the recording; record again (judge mode "
        "record) and commit the store"
    )


def test_structured_sends_the_answer_models_schema_not_the_drafts(
    fake_openai: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_only_api_key(monkeypatch, KEY)
    server = _judge_server(fake_openai)
    settings = resolve_settings(
        model="judge-m", base_url=server.base_url, instructor_mode="json", json_object_schema=True
    )
    backend = OpenAIBackend(settings)
    model = verdict_model(("p1",))
    messages = [
        {"role": "system", "content": "grade"},
        {"role": "user", "content": 'Pair p1:\n  reference: "a b"\n  prediction: "a c"\n'},
    ]
    answer = backend.structured(model, messages, max_tokens=64)
    assert answer.value.p1.score == 3  # type: ignore[attr-defined]
    assert (answer.attempts, answer.replayed) == (1, False)
    sent = server.requests_to("/chat/completions")[0].json
    assert sent["response_format"] == {"type": "json_object", "schema": model.model_json_schema()}
    assert sent["max_tokens"] == 64

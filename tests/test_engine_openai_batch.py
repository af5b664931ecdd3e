"""`summarizer batch --engine openai-batch` against the fake server, through the real openai client."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from conftest import use_only_api_key
from helpers_batch import CANARY, read_lines, stable

from summarizer import cli
from summarizer.engines.openai_batch import state_path
from summarizer.testing import FakeOpenAIServer, RecordedRequest, Reply, json_answer
from summarizer.testing.samples import DRAFT, sample_text, write_sample_jsonl

# Fails the draft schema: instructor re-asks (live).
INVALID: dict[str, Any] = {"summary": "x", "meetings": "not a list"}
# Fits the schema, but its evidence is not in the article: the quote check re-asks (live).
UNGROUNDED: dict[str, Any] = {**DRAFT, "planned_events": [{**DRAFT["planned_events"][0],
                                                           "evidence": ["Invented words."]}]}

# Shared with the other batch tests and the benchmark (summarizer.testing.samples).
text = sample_text
write_jsonl = write_sample_jsonl


def live(srv: FakeOpenAIServer) -> list[RecordedRequest]:
    return [r for r in srv.requests_to("/chat/completions") if r.batch_id is None]


def batch_lines(srv: FakeOpenAIServer) -> list[RecordedRequest]:
    return [r for r in srv.requests if r.batch_id is not None]


def posts(srv: FakeOpenAIServer, endpoint: str) -> list[RecordedRequest]:
    return [r for r in srv.requests_to(endpoint) if r.method == "POST"]


def answering(per_id: dict[str, Any]) -> Callable[[RecordedRequest], Reply]:
    """A responder: batch lines named in `per_id` get that answer (a Reply or a draft);
    every other request gets DRAFT."""
    good = json_answer(DRAFT)

    def respond(request: RecordedRequest) -> Reply:
        special = per_id.get(request.custom_id or "") if request.batch_id else None
        if isinstance(special, Reply):
            return special
        if special is not None:
            return json_answer(special)(request)
        return good(request)

    return respond


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_only_api_key(monkeypatch, CANARY)


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(json_answer(DRAFT)) as srv:
        yield srv


def run(srv: FakeOpenAIServer, source: Path | str, out: Path, *extra: str) -> int:
    argv = ["batch", str(source), "--out", str(out), "--base-url", srv.base_url]
    argv += ["--model", "test-model", "--progress", "off"]
    return cli.main([*argv, "--engine", "openai-batch", "--poll-interval", "0.02", *extra])


def test_one_batch_answers_every_article_like_live_calls(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, 5)
    out = tmp_path / "out.jsonl"
    assert run(server, source, out) == 0
    err = capsys.readouterr().err
    lines = read_lines(out)
    assert sorted(line["id"] for line in lines) == ids
    assert all(line["ok"] for line in lines)
    assert len(posts(server, "/files")) == 1
    assert len(posts(server, "/batches")) == 1
    sent = batch_lines(server)
    assert sorted(r.custom_id or "" for r in sent) == ids
    assert live(server) == []
    assert "1 batch(es) created" in err and "5 answered" in err and "0 article(s) needed live" in err
    assert not state_path(out).exists()  # the run finished: nothing left to resume
    first = next(line for line in lines if line["id"] == "a0")["summary"]
    assert first["run"]["cache_hit"] is False and first["run"]["attempts"] == 1
    evidence = first["meetings"][0]["evidence"][0]
    assert text(0)[evidence["start"] : evidence["end"]] == evidence["quote"]

    # The same input through live calls: the same request bodies, the same lines.
    with FakeOpenAIServer(json_answer(DRAFT)) as other:
        local_out = tmp_path / "local.jsonl"
        argv = ["batch", str(source), "--out", str(local_out), "--base-url", other.base_url]
        assert cli.main([*argv, "--model", "test-model", "--progress", "off"]) == 0
        by_id = {json.loads(r.prompt_text().split("Officials counted ")[1].split()[0]): r.body
                 for r in live(other)}
    for request in sent:
        number = int((request.custom_id or "a-1")[1:])
        assert request.body == by_id[number]
    assert stable(read_lines(local_out)) == stable(lines)


def test_invalid_or_ungrounded_answers_fall_back_to_live_calls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, 4)
    out = tmp_path / "out.jsonl"
    with FakeOpenAIServer(answering({"a1": INVALID, "a2": UNGROUNDED})) as srv:
        assert run(srv, source, out) == 0
        calls = live(srv)
    lines = {line["id"]: line for line in read_lines(out)}
    assert sorted(lines) == ids and all(line["ok"] for line in lines.values())
    assert len(calls) == 2  # one re-ask each, sent live
    reasks = "\n".join(r.prompt_text() for r in calls)
    assert "meetings" in reasks and "Invented words." in reasks  # the errors were explained
    for article_id in ("a1", "a2"):
        run_info = lines[article_id]["summary"]["run"]
        assert run_info["reasks"] == 1 and run_info["attempts"] == 2
    assert len(lines["a2"]["summary"]["planned_events"]) == 1
    assert "4 answered, 0 failed, 0 rejected; 2 article(s) needed live calls" in capsys.readouterr().err


def test_failed_lines_go_live_and_rejected_lines_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, 4, extra=("{broken json",))
    out = tmp_path / "out.jsonl"
    replies = {"a1": Reply.error(500, "boom"), "a2": Reply.error(400, "max_tokens is too large")}
    with FakeOpenAIServer(answering(replies)) as srv:
        assert run(srv, source, out) == 1
        calls = live(srv)
    err = capsys.readouterr().err
    lines = {line["id"]: line for line in read_lines(out)}
    assert sorted(lines) == sorted([*ids, "line-5"])
    assert [line["ok"] for line in lines.values()].count(False) == 2
    assert lines["a1"]["ok"]  # the provider failed it: summarised live
    assert len(calls) == 1 and "Officials counted 1 " in calls[0].prompt_text()
    rejected = lines["a2"]["error"]
    assert rejected["status"] == 400 and "max_tokens is too large" in rejected["message"]
    assert lines["line-5"]["error"]["type"] == "InputError"
    assert "1 failed, 1 rejected; 1 article(s) needed live calls" in err


def test_the_api_key_never_reaches_the_request_file_or_out(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, 2)
    out = tmp_path / "out.jsonl"
    assert run(server, source, out) == 0
    client = openai.OpenAI(base_url=server.base_url, api_key=CANARY)
    uploaded = [f for f in client.files.list().data if f.purpose == "batch"]
    assert len(uploaded) == 1
    content = client.files.content(uploaded[0].id).content
    assert b"custom_id" in content and CANARY.encode() not in content
    assert CANARY not in out.read_text(encoding="utf-8")
    assert all(r.has_authorization for r in server.requests if r.batch_id is None)
    client.close()


def test_a_run_that_stops_waiting_resumes_its_batch_instead_of_paying_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, 3)
    out = tmp_path / "out.jsonl"
    with FakeOpenAIServer(json_answer(DRAFT), batch_delay=0.6) as srv:
        assert run(srv, source, out, "--batch-timeout", "0.1") == 1
        err = capsys.readouterr().err
        assert "still running" in err and "--resume" in err
        assert state_path(out).exists() and not out.exists()
        assert run(srv, source, out, "--resume", "--batch-timeout", "30") == 0
        assert len(posts(srv, "/files")) == 1 and len(posts(srv, "/batches")) == 1
        assert live(srv) == []
    assert "1 re-attached" in capsys.readouterr().err
    assert sorted(line["id"] for line in read_lines(out)) == ids
    assert not state_path(out).exists()


def test_cached_articles_are_not_submitted(server: FakeOpenAIServer, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, 3)
    cache = tmp_path / "cache.sqlite"
    first = tmp_path / "first.jsonl"
    assert run(server, source, first, "--cache", str(cache)) == 0
    write_jsonl(source, 4)  # one new article
    second = tmp_path / "second.jsonl"
    assert run(server, source, second, "--cache", str(cache)) == 0
    assert len(posts(server, "/batches")) == 2
    assert sorted(r.custom_id or "" for r in batch_lines(server)) == ["a0", "a1", "a2", "a3"]
    lines = {line["id"]: line for line in read_lines(second)}
    assert [lines[f"a{i}"]["summary"]["run"]["cache_hit"] for i in range(4)] == [
        True, True, True, False
    ]


def test_requests_beyond_the_file_limit_make_more_batches(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    import asyncio
    import io

    from summarizer.batch import BatchOptions
    from summarizer.config import resolve_settings
    from summarizer.engines.openai_batch import run_openai_batch

    source = tmp_path / "in.jsonl"
    write_jsonl(source, 5)
    options = BatchOptions(
        input=str(source), out=tmp_path / "out.jsonl", cache_path=None, progress="off",
        poll_interval=0.02,
    )
    settings = resolve_settings(base_url=server.base_url, model="test-model")
    stats, report = asyncio.run(
        run_openai_batch(options, settings, out=io.StringIO(), max_requests=2)
    )
    assert len(report.batches) == 3 and report.lines == 5 and report.answered == 5
    assert stats.ok == 5 and len(posts(server, "/batches")) == 3


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--backend", "local"), "--engine openai-batch sends requests"),
        (("--store", "x.sqlite"), "drop --store"),
        (("--poll-interval", "0"), "--poll-interval"),
    ],
)
def test_unusable_options_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], message: str
) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, 1)
    argv = ["batch", str(source), "--out", str(tmp_path / "out.jsonl"), "--engine", "openai-batch"]
    if extra[0] != "--backend":
        argv += ["--base-url", "http://127.0.0.1:9/v1", "--model", "m"]
    assert cli.main([*argv, *extra]) == 2
    assert message in capsys.readouterr().err


def test_long_articles_send_one_line_per_chunk_and_stdin_works(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    import asyncio
    import io

    from summarizer.batch import BatchOptions
    from summarizer.config import resolve_settings
    from summarizer.engines.openai_batch import run_openai_batch

    filler = " ".join(f"Delegates from region {n} arrived by train." for n in range(2000))
    records = [
        {"id": "long", "text": f"{text(0)} {filler}", "published": "2024-03-04"},
        {"id": "short", "text": text(1), "published": "2024-03-04"},
    ]
    stdin = io.BytesIO("".join(json.dumps(r) + "\n" for r in records).encode())
    options = BatchOptions(
        input="-", out=tmp_path / "out.jsonl", cache_path=None, progress="off", poll_interval=0.02
    )
    settings = resolve_settings(base_url=server.base_url, model="test-model")
    stats, report = asyncio.run(run_openai_batch(options, settings, out=io.StringIO(), stdin=stdin))
    sent = sorted(r.custom_id or "" for r in batch_lines(server))
    assert sent[-1] == "short" and len(sent) >= 3
    assert all(cid.startswith("long#") for cid in sent[:-1])
    assert stats.ok == 2 and live(server) == [] and report.answered == len(sent)
    lines = {line["id"]: line for line in read_lines(tmp_path / "out.jsonl")}
    assert lines["long"]["summary"]["run"]["chunks"] == len(sent) - 1
    assert not list(tmp_path.glob(".summarizer-*"))  # spooled input and request files removed

"""`summarizer batch` and `summarize_many` against the fake OpenAI server (real HTTP)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import use_only_api_key

from summarizer import cli
from summarizer.api import summarize_many
from summarizer.batch import (
    BatchOptions,
    Engine,
    progress_line,
    run_batch,
)
from summarizer.config import Settings, resolve_settings
from summarizer.schemas import Article, ArticleSummary
from summarizer.sources import SourceItem
from summarizer.testing import (
    FakeOpenAIServer,
    RecordedRequest,
    Reply,
    Script,
    delayed,
    faulty,
    json_answer,
)
from summarizer.testing.samples import DRAFT, sample_text, write_sample_jsonl

REPO = Path(__file__).resolve().parents[1]
CANARY = "sk-canary-batch-9d3a71"

# Shared with the other batch tests and the benchmark (summarizer.testing.samples).
text = sample_text
write_jsonl = write_sample_jsonl


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def chat_requests(srv: FakeOpenAIServer) -> list[RecordedRequest]:
    return srv.requests_to("/chat/completions")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_only_api_key(monkeypatch, CANARY)


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(json_answer(DRAFT)) as srv:
        yield srv


def batch(srv: FakeOpenAIServer, source: Path | str, out: Path, *extra: str) -> int:
    argv = ["batch", str(source), "--out", str(out), "--base-url", srv.base_url]
    return cli.main([*argv, "--model", "test-model", *extra])


# -- one line per input ------------------------------------------------------------------


def test_every_input_gets_one_line_and_bad_records_are_explained(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    bad = ("{broken json", json.dumps({"id": "no-text", "title": "x"}), json.dumps([1, 2]))
    ids = write_jsonl(source, 12, bad)
    out = tmp_path / "out.jsonl"
    code = batch(server, source, out, "--concurrency", "4")
    err = capsys.readouterr().err
    lines = read_lines(out)
    assert code == 1  # some articles failed
    assert len(lines) == 15
    assert {line["id"] for line in lines} == {*ids, "line-13", "no-text", "line-15"}
    ok = {line["id"]: line for line in lines if line["ok"]}
    assert set(ok) == set(ids)
    first = ok["a0"]["summary"]
    assert first["article_id"] == "a0"
    evidence = first["meetings"][0]["evidence"][0]
    assert text(0)[evidence["start"] : evidence["end"]] == evidence["quote"]
    assert first["meetings"][0]["time"]["start"] == "2024-03-04"
    for line in lines:
        if not line["ok"]:
            assert line["error"]["type"] == "InputError"
            assert line["error"]["message"] and line["error"]["attempts"] == 0
    assert len(chat_requests(server)) == 12
    assert "12 ok, 3 failed" in err.strip().splitlines()[-1]


def test_a_directory_of_articles_with_all_succeeding_exits_0(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for i, name in enumerate(("minsk", "riga", "vilnius")):
        (folder / f"{name}.txt").write_text(text(i), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert batch(server, folder, out) == 0
    assert sorted(line["id"] for line in read_lines(out)) == ["minsk", "riga", "vilnius"]
    assert "3 ok, 0 failed" in capsys.readouterr().err


def test_undated_articles_warn_once_and_published_is_their_default(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(3):
        (folder / f"t{i}.txt").write_text(text(i), encoding="utf-8")
    (folder / "dated.json").write_text(
        json.dumps({"text": text(9), "published": "2024-03-04"}), encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    assert batch(server, folder, out) == 0
    err = capsys.readouterr().err.splitlines()
    warnings = [line for line in err if "warning" in line]
    # DRAFT has "on Monday" (a meeting) and "in March" (a plan): two per undated article.
    assert warnings == [
        "summarizer batch: warning: 3 article(s) had no publication date, so 6 relative time(s) "
        'stay unresolved: give --published DATE, or a "published" date in the article record'
    ]
    times = {line["id"]: line["summary"]["meetings"][0]["time"] for line in read_lines(out)}
    assert times["t0"]["start"] is None and times["dated"]["start"] == "2024-03-04"

    again = tmp_path / "again.jsonl"
    assert batch(server, folder, again, "--published", "2024-03-06") == 0
    assert "warning" not in capsys.readouterr().err
    times = {line["id"]: line["summary"]["meetings"][0]["time"] for line in read_lines(again)}
    # Monday before Wednesday 2024-03-06; the record's own date still wins over the default.
    assert times["t0"]["start"] == "2024-03-04" and times["dated"]["start"] == "2024-03-04"
    assert batch(server, folder, again, "--published", "2024-13-01") == 2
    assert capsys.readouterr().err == (
        "summarizer: error: --published '2024-13-01' is not a date: use YYYY-MM-DD, e.g. 2022-12-19\n"
    )


@pytest.mark.parametrize(
    ("make_input", "extra", "expected"),
    [
        (lambda tmp: tmp / "missing.jsonl", (), "no such file or directory"),
        (lambda tmp: tmp, (), "no articles in this directory"),
        (lambda tmp: "-", ("--concurrency", "0"), "--concurrency 0"),
        (lambda tmp: "-", ("--rpm", "-3"), "--rpm -3"),
    ],
)
def test_unusable_input_or_options_exit_2_with_one_line(
    server: FakeOpenAIServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make_input: Any,
    extra: tuple[str, ...],
    expected: str,
) -> None:
    out = tmp_path / "out" / "out.jsonl"
    assert batch(server, make_input(tmp_path), out, *extra) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()
    assert chat_requests(server) == []


# -- cache ---------------------------------------------------------------------------------


def test_a_rerun_makes_no_model_calls_and_no_cache_bypasses_the_cache(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, 8)
    out = tmp_path / "out.jsonl"
    assert batch(server, source, out) == 0
    assert len(chat_requests(server)) == 8
    first = {line["id"]: line for line in read_lines(out)}
    capsys.readouterr()

    assert batch(server, source, out) == 0  # same OUT: replaced, answered from the cache
    assert len(chat_requests(server)) == 8
    again = {line["id"]: line for line in read_lines(out)}
    assert set(again) == set(first)
    assert all(line["summary"]["run"]["cache_hit"] for line in again.values())
    assert again["a3"]["summary"]["statements"] == first["a3"]["summary"]["statements"]
    assert "8 cache hits" in capsys.readouterr().err

    assert batch(server, source, tmp_path / "fresh.jsonl", "--no-cache") == 0
    assert len(chat_requests(server)) == 16
    assert not (tmp_path / "fresh.jsonl.cache.sqlite").exists()


def test_a_changed_model_setting_misses_the_cache(server: FakeOpenAIServer, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, 3)
    cache = tmp_path / "shared.sqlite"
    assert batch(server, source, tmp_path / "a.jsonl", "--cache", str(cache)) == 0
    assert batch(server, source, tmp_path / "b.jsonl", "--cache", str(cache)) == 0
    assert len(chat_requests(server)) == 3
    extra = ("--cache", str(cache), "--max-tokens", "500")
    assert batch(server, source, tmp_path / "c.jsonl", *extra) == 0
    assert len(chat_requests(server)) == 6


# -- faults --------------------------------------------------------------------------------


def test_a_faulted_run_explains_every_line_and_leaks_no_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    responder = faulty(json_answer(DRAFT), rate=0.2, seed=11, slow_seconds=0.3, retry_after=0.2)
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, 30)
    out = tmp_path / "out.jsonl"
    with FakeOpenAIServer(responder) as srv:
        code = batch(srv, source, out, "--concurrency", "6", "--max-attempts", "2")
        requests = srv.requests
    err = capsys.readouterr().err
    lines = read_lines(out)
    assert len(responder.injected) >= 3  # the run really was faulted
    assert sorted(line["id"] for line in lines) == sorted(ids)  # none lost, none twice
    failed = [line for line in lines if not line["ok"]]
    for line in lines:
        if line["ok"]:
            assert line["summary"]["article_id"] == line["id"]
        else:
            error = line["error"]
            assert error["type"] and error["message"] and error["attempts"] >= 1, line
    assert code == (1 if failed else 0)
    assert f"{30 - len(failed)} ok, {len(failed)} failed" in err
    assert all(r.has_authorization for r in requests)  # the key was sent...
    artifacts = [out.read_bytes(), err.encode()]
    artifacts += [p.read_bytes() for p in tmp_path.glob("out.jsonl.cache.sqlite*")]
    for blob in artifacts:  # ...and is in no artifact
        assert CANARY.encode() not in blob


# -- rate limits and the shared back-off ------------------------------------------------


def test_a_429_pauses_every_worker_of_the_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pause = 0.5
    answer = delayed(json_answer(DRAFT), 0.1)
    script = Script([Reply.error(429, "slow down", retry_after=pause)], default=answer)
    source = tmp_path / "in.jsonl"
    write_jsonl(source, 6)
    with FakeOpenAIServer(script) as srv:
        code = batch(srv, source, tmp_path / "out.jsonl", "--concurrency", "3")
        requests = chat_requests(srv)
    assert code == 0
    assert len(requests) == 7  # six articles, one retried
    limited_at = requests[0].received_at
    later = [r.received_at - limited_at for r in requests[3:]]
    # The two other workers finish their first article 0.1 s after the 429 and would
    # start their next one then; the shared pause holds them to Retry-After.
    assert min(later) >= pause - 0.05, later
    assert "1 rate-limit pauses" in capsys.readouterr().err


def test_rpm_spaces_request_starts(server: FakeOpenAIServer, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, 16)
    out = tmp_path / "out.jsonl"
    assert batch(server, source, out, "--rpm", "600", "--concurrency", "8", "--no-cache") == 0
    starts = [r.received_at for r in chat_requests(server)]
    # 600 rpm = 10 a second with one second of burst: the last 6 wait 0.1 s each.
    assert starts[-1] - starts[0] >= 0.5


# -- resume --------------------------------------------------------------------------------


def test_resume_skips_ids_in_out_and_repairs_a_torn_last_line(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, 6)
    out = tmp_path / "out.jsonl"
    done = [{"id": "a1", "ok": False, "summary": None, "error": {"type": "X", "message": "m"}}]
    done.append({"id": "a4", "ok": False, "summary": None, "error": {"type": "X", "message": "m"}})
    out.write_text("".join(json.dumps(d) + "\n" for d in done) + '{"id": "a5", "ok": tr')
    # Exit status is this run's: the old failure lines are kept, not retried.
    assert batch(server, source, out, "--resume") == 0
    lines = read_lines(out)
    assert sorted(line["id"] for line in lines) == sorted(ids)
    assert len(chat_requests(server)) == 4
    err = capsys.readouterr().err
    assert "removed 1 incomplete or invalid line(s)" in err and "2 already in out.jsonl" in err


def test_kill_9_mid_run_then_resume_gives_one_line_per_id(tmp_path: Path) -> None:
    """Real processes: the fake server (500 ms per answer is too slow for a test, 300 ms is
    used), a batch killed with SIGKILL part-way, then `--resume`."""
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(DRAFT), encoding="utf-8")
    source = tmp_path / "in.jsonl"
    ids = write_jsonl(source, 30)
    out = tmp_path / "out.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    env["OPENAI_API_KEY"] = CANARY
    server = subprocess.Popen(
        [sys.executable, "-m", "summarizer.testing.server", "--delay-ms", "300",
         "--answer", str(answer)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        command = [
            sys.executable, "-m", "summarizer.cli", "batch", str(source), "--out", str(out),
            "--base-url", base_url, "--model", "test-model", "--concurrency", "4",
        ]
        first = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _count_lines(out) < 8:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        at_kill = _count_lines(out)
        assert first.returncode == -signal.SIGKILL
        assert 8 <= at_kill < 30, at_kill
        with out.open("ab") as handle:  # what a kill in the middle of a write leaves
            handle.write(b'{"id": "a2')
        second = subprocess.run(
            [*command, "--resume"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 0, second.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        _, server_err = server.communicate(timeout=10)
    lines = read_lines(out)
    assert sorted(line["id"] for line in lines) == sorted(ids)  # no loss, no duplicates
    assert all(line["ok"] for line in lines)
    counters = json.loads(server_err.strip().splitlines()[-1])
    # Only articles in flight at the kill (at most --concurrency) are asked twice.
    assert 30 <= counters["chat_completions"] <= 30 + 4
    assert f"{at_kill} already in out.jsonl" in second.stderr
    assert CANARY not in second.stderr and CANARY.encode() not in out.read_bytes()


def _count_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


# -- progress ------------------------------------------------------------------------------


def test_log_lines_when_not_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, 8)
    with FakeOpenAIServer(delayed(json_answer(DRAFT), 0.15)) as srv:
        argv = ("--concurrency", "2", "--log-interval", "0.1")
        assert batch(srv, source, tmp_path / "out.jsonl", *argv) == 0
    err = capsys.readouterr().err.splitlines()
    progress = [line for line in err if re.search(r"\d+/8 done", line)]
    assert len(progress) >= 3
    assert "/s, eta " in progress[-1] and "tokens " in progress[-1]
    assert re.search(r"8 ok, 0 failed, 0 cache hits, tokens [\d,]+ in / [\d,]+ out", err[-1])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_on_a_terminal(server: FakeOpenAIServer, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_jsonl(source, 5)
    terminal = _Terminal()
    options = BatchOptions(input=str(source), out=tmp_path / "out.jsonl", cache_path=None)
    stats = asyncio.run(run_batch(options, _settings(server), out=terminal))
    assert (stats.ok, stats.failed) == (5, 0)
    shown = terminal.getvalue()
    assert "5/5" in shown and "0 failed" in shown and "tok" in shown


def test_progress_line_counts_resumed_articles_as_done() -> None:
    from summarizer.batch import BatchStats

    stats = BatchStats(total=10, skipped=4, written=2, ok=1, failed=1)
    assert progress_line(stats).startswith("summarizer batch: 6/10 done (1 ok, 1 failed")


# -- the engine and summarize_many ----------------------------------------------------------


def _settings(srv: FakeOpenAIServer) -> Settings:
    return resolve_settings(
        backend="openai", base_url=srv.base_url, model="test-model", api_key=CANARY
    )


def test_summarize_many_keeps_input_order_and_isolates_failures() -> None:
    def respond(request: RecordedRequest) -> Reply:
        match = re.search(r"counted (\d+) delegates", request.prompt_text())
        number = int(match.group(1)) if match else -1
        if number == 2:
            return Reply.error(400, "this article is refused")
        # Later articles answer first, so completion order is the reverse of input order.
        return json_answer(DRAFT)(request).with_delay(0.05 * (5 - number))

    articles = [Article(id=f"n{i}", text=text(i)) for i in range(5)]
    with FakeOpenAIServer(respond) as srv:
        outcomes = summarize_many(articles, concurrency=5, settings=_settings(srv))
    assert [o.id for o in outcomes] == ["n0", "n1", "n2", "n3", "n4"]
    assert [o.ok for o in outcomes] == [True, True, False, True, True]
    failed = outcomes[2].error
    assert failed is not None and failed.type == "TransportError" and failed.status == 400
    assert all(o.summary and o.summary.article_id == o.id for o in outcomes if o.ok)


class _StubPipeline:
    settings = Settings()

    async def arun(self, article: Article) -> ArticleSummary:
        await asyncio.sleep(0)
        return ArticleSummary(article_id=article.id)


def test_the_engine_reads_only_a_bounded_distance_ahead() -> None:
    pulled = 0
    ahead: list[int] = []

    def items() -> Iterator[SourceItem]:
        nonlocal pulled
        for i in range(2000):
            pulled += 1
            yield SourceItem(f"x{i}", article=Article(id=f"x{i}", text="t"))

    def emit(_index: int, _outcome: Any) -> None:
        ahead.append(pulled - len(ahead))

    engine = Engine(_StubPipeline(), concurrency=4)  # type: ignore[arg-type]
    asyncio.run(engine.run(items(), emit))
    assert len(ahead) == 2000
    # queue (2 x concurrency) + in flight (concurrency) + one read-ahead chunk (64)
    assert max(ahead) <= 4 * 3 + 64 + 1, max(ahead)


def test_an_input_that_fails_mid_stream_surfaces_its_own_error() -> None:
    from summarizer.errors import UsageError

    def items() -> Iterator[SourceItem]:
        for i in range(3):
            yield SourceItem(f"x{i}", article=Article(id=f"x{i}", text="t"))
        raise UsageError("in.jsonl: reading failed")

    done: list[str] = []
    engine = Engine(_StubPipeline(), concurrency=2)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="reading failed"):
        asyncio.run(engine.run(items(), lambda _i, outcome: done.append(outcome.id)))
    assert set(done) <= {"x0", "x1", "x2"}

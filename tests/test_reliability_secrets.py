"""The API key never leaks: a batch, summaries, an eval run and its reports, all against a
faulty server (some of whose error messages echo the key back), with every library logger at
DEBUG writing to a file as a user would configure it. Then every artifact is scanned."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import use_only_api_key

from summarizer import cli
from summarizer.api import summarize
from summarizer.errors import EndpointConfigError
from summarizer.schemas import Article
from summarizer.testing import FakeOpenAIServer, RecordedRequest, Reply, faulty, json_answer

REPO = Path(__file__).resolve().parents[1]
CANARY = "sk-canary-7f3a9c1e"
# Loggers a user turns up to see what the HTTP stack does (httpx2/httpcore2: openai 3's own).
DEBUG_LOGGERS = (
    "", "openai", "httpx", "httpcore", "httpx2", "httpcore2", "instructor", "summarizer",
)
MEET = "Foreign Minister Ilse Varga met Defence Minister Piet Aalto in Tallinn on Tuesday."
QUOTE = '"We will hold joint exercises in May," Varga told reporters.'
DRAFT: dict[str, Any] = {
    "summary": "Two ministers met in Tallinn.",
    "meetings": [
        {
            "participants": [{"name": "Ilse Varga"}, {"name": "Piet Aalto"}],
            "location": "Tallinn",
            "evidence": [MEET[:-1]],
        }
    ],
    "statements": [
        {
            "speaker": {"name": "Ilse Varga"},
            "content": "Varga said they will hold joint exercises in May.",
            "quote": "We will hold joint exercises in May,",
            "evidence": [QUOTE],
        }
    ],
}


def _responder() -> Any:
    """Faults at random (20%), and a careless server that echoes the key in its errors for
    articles marked ECHO401 (rejected key) and ECHO500 (upstream failure)."""
    healthy = faulty(json_answer(DRAFT), rate=0.2, seed=5, slow_seconds=0.2, retry_after=0.05)

    def respond(request: RecordedRequest) -> Reply:
        prompt = request.prompt_text()
        if "ECHO401" in prompt:
            return Reply.error(401, f"Incorrect API key provided: {CANARY}. Check it.")
        if "ECHO500" in prompt:
            return Reply.error(500, f"upstream rejected Authorization: Bearer {CANARY}")
        return healthy(request)

    return respond


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(_responder()) as srv:
        yield srv


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """Root and library loggers at DEBUG into a file, restored afterwards."""
    path = tmp_path / "debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    saved = {name: logging.getLogger(name).level for name in DEBUG_LOGGERS}
    logging.getLogger().addHandler(handler)
    for name in DEBUG_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    use_only_api_key(monkeypatch, CANARY)
    monkeypatch.setenv("SUMMARIZER_MAX_ATTEMPTS", "3")


def _article(i: int, marker: str = "") -> str:
    return f"{MEET} {QUOTE} Report {i}. {marker}".strip()


def _write_suite(folder: Path, base_url: str) -> Path:
    fixtures = folder / "fixtures"
    fixtures.mkdir()
    gold = {
        "summary": "Two ministers met in Tallinn.",
        "meetings": [
            {
                "participants": [{"name": "Ilse Varga"}, {"name": "Piet Aalto"}],
                "location": "Tallinn",
                "evidence": [{"quote": MEET[:-1]}],
            }
        ],
    }
    for fixture_id, marker in (("f1", ""), ("f2", ""), ("f3", "ECHO401"), ("f4", "ECHO500")):
        (fixtures / f"{fixture_id}.txt").write_text(_article(0, marker), encoding="utf-8")
        meta = {"id": fixture_id, "published": "2024-03-05"}
        (fixtures / f"{fixture_id}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
        (fixtures / f"{fixture_id}.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    suite = folder / "suite.yaml"
    suite.write_text(
        "name: secrets\nfixtures: fixtures\nstore: responses.sqlite\nsettings:\n"
        f"  backend: openai\n  base_url: {base_url}\n  model: test-model\n",
        encoding="utf-8",
    )
    return suite


def _scan(folder: Path, *texts: str) -> list[str]:
    """Every file under `folder` (raw bytes: SQLite, WAL, logs) and every text that holds the key."""
    leaks = [str(p) for p in folder.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()]
    leaks += [f"text #{i}: ...{t[max(0, t.find(CANARY) - 80):][:160]}" for i, t in enumerate(texts) if CANARY in t]
    return leaks


def test_no_artifact_of_batch_summarize_and_eval_holds_the_key(
    server: FakeOpenAIServer,
    tmp_path: Path,
    debug_log: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts: list[str] = []
    work = tmp_path / "work"
    work.mkdir()

    # A batch with random faults and the two echoing errors, recording responses to a store.
    source = work / "in.jsonl"
    markers = {5: "ECHO401", 9: "ECHO500"}
    source.write_text(
        "".join(
            json.dumps({"id": f"a{i}", "text": _article(i, markers.get(i, ""))}) + "\n"
            for i in range(24)
        ),
        encoding="utf-8",
    )
    out = work / "out.jsonl"
    code = cli.main([
        "batch", str(source), "--out", str(out), "--concurrency", "6", "--progress", "log",
        "--log-interval", "0.2", "--store", str(work / "store.sqlite"),
        "--base-url", server.base_url, "--model", "test-model",
    ])
    assert code == 1  # the echoing articles failed, and say why
    lines = {d["id"]: d for d in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert len(lines) == 24
    assert "HTTP 401 (Incorrect API key provided: ***. Check it.)" in lines["a5"]["error"]["message"]
    assert "Bearer ***" in lines["a9"]["error"]["message"]

    # Single summaries in every format, and the failing ones with tracebacks switched on.
    article = work / "article.txt"
    article.write_text(_article(100), encoding="utf-8")
    for fmt in ("json", "md", "html"):
        assert cli.main([
            "summarize", str(article), "--format", fmt, "--out", str(work / f"summary.{fmt}"),
            "--store", str(work / "store.sqlite"), "--base-url", server.base_url,
            "--model", "test-model",
        ]) == 0
    monkeypatch.setenv("SUMMARIZER_DEBUG", "1")
    for marker, exit_code in (("ECHO401", 2), ("ECHO500", 1)):  # a rejected key is the user's to fix
        failing = work / f"{marker}.txt"
        failing.write_text(_article(0, marker), encoding="utf-8")
        assert cli.main([
            "summarize", str(failing), "--base-url", server.base_url, "--model", "test-model",
        ]) == exit_code
    captured = capsys.readouterr()
    texts += [captured.out, captured.err]
    assert "Traceback" in captured.err  # the debug tracebacks were printed, and scanned
    monkeypatch.delenv("SUMMARIZER_DEBUG")

    # The Python API: the error, its repr, its chained causes, and a caller's logger.exception.
    try:
        summarize(
            Article(text=_article(0, "ECHO401")),
            base_url=server.base_url, model="test-model", api_key=CANARY,
        )
    except EndpointConfigError as exc:
        texts += [str(exc), repr(exc), repr(exc.__cause__), str(exc.__cause__)]
        logging.getLogger("user.app").exception("summarising failed")
    else:
        pytest.fail("the echoing server should have failed the call")

    # An eval run with the openai backend (key from the environment), then its reports.
    suite = _write_suite(work, server.base_url)
    run = work / "RUN.json"
    assert cli.main(["eval", "run", str(suite), "--out", str(run)]) == 0
    for fmt in ("md", "html"):
        assert cli.main(
            ["eval", "report", str(run), "--format", fmt, "--out", str(work / f"report.{fmt}")]
        ) == 0
    captured = capsys.readouterr()
    texts += [captured.out, captured.err]
    results = json.loads(run.read_text(encoding="utf-8"))["results"]
    assert [r["error"] is not None for r in results] == [False, False, True, True]

    # The key was sent on every request, logging really was on, and the key is nowhere.
    assert server.requests and all(r.has_authorization for r in server.requests)
    log = debug_log.read_text(encoding="utf-8")
    assert "openai._base_client DEBUG" in log and "HTTP Request: POST" in log
    assert "summarising failed" in log and "Traceback" in log
    assert (work / "store.sqlite").exists() and (work / "responses.sqlite").exists()
    assert Path(str(out) + ".cache.sqlite").exists()
    assert _scan(tmp_path, *texts) == []


def test_the_command_with_openai_debug_logging_prints_no_key(tmp_path: Path) -> None:
    """A separate process with the openai client's own debug switch (OPENAI_LOG=debug) and
    tracebacks on, against a server that echoes the key back."""
    article = tmp_path / "a.txt"
    article.write_text(_article(0), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    env.update(OPENAI_API_KEY=CANARY, OPENAI_LOG="debug", SUMMARIZER_DEBUG="1")
    echo = Reply.error(401, f"Incorrect API key provided: {CANARY}")
    with FakeOpenAIServer(lambda _r: echo) as srv:
        done = subprocess.run(
            [sys.executable, "-m", "summarizer.cli", "summarize", str(article),
             "--base-url", srv.base_url, "--model", "test-model"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
        )
    assert done.returncode == 2  # a rejected key: a configuration error
    assert "Traceback" in done.stderr and "HTTP Request: POST" in done.stderr
    assert "Incorrect API key provided: ***" in done.stderr
    assert CANARY not in done.stderr and CANARY not in done.stdout

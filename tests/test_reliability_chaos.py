"""Chaos: a 500-article `summarizer batch` (a real subprocess) against a server that faults
about 20% of requests, killed with SIGKILL part-way, then resumed.

Afterwards: exactly one line per input line, every failure explained, no article asked
beyond the caps, and the cache agrees with every ok line.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from summarizer.config import resolve_settings
from summarizer.schemas import Article, ArticleSummary
from summarizer.stores.summaries import SummaryCache
from summarizer.testing import FakeOpenAIServer, delayed, faulty, json_answer

REPO = Path(__file__).resolve().parents[1]
N = 500
CONCURRENCY = 24
MAX_ATTEMPTS = 2  # low, so that some articles exhaust it and fail (about 0.2**2 = 4%)
MAX_REASKS = 2
CAP = MAX_ATTEMPTS * (MAX_REASKS + 1)  # HTTP requests one article can ever cost in one run
KILL_AFTER_LINES = 150

MEET = "Foreign ministers Ada Kovac and Lars Moen met in Riga on Friday to discuss trade."
QUOTE = '"We will open the new border crossing in June," Kovac said.'
PLAN = "The two ministers plan to meet again in Oslo in the autumn."
DRAFT: dict[str, Any] = {
    "summary": "Two foreign ministers met in Riga and plan to meet again in Oslo.",
    "meetings": [
        {
            "participants": [{"name": "Ada Kovac"}, {"name": "Lars Moen"}],
            "location": "Riga",
            "time": "on Friday",
            "topics": ["trade"],
            "format": "in_person",
            "evidence": ["Foreign ministers Ada Kovac and Lars Moen met in Riga on Friday"],
        }
    ],
    "statements": [
        {
            "speaker": {"name": "Ada Kovac", "role": "foreign minister"},
            "content": "Kovac said the border crossing opens in June.",
            "quote": "We will open the new border crossing in June,",
            "evidence": [QUOTE],
        }
    ],
    "planned_events": [
        {
            "description": "another ministers' meeting",
            "location": "Oslo",
            "time": "in the autumn",
            "status": "planned",
            "evidence": [PLAN],
        }
    ],
}
_NUMBER = re.compile(r"counted (\d+) delegates")
# Every fault kind but a 429 *without* Retry-After: in a batch each of those pauses every
# worker, doubling while they keep coming (1, 2, 4 ... 30 s), which at this fault rate turns
# an 8 s run into a two-minute one. A 429 *with* Retry-After (0.2 s) stays in the mix.
KINDS = (
    "rate_limit_retry_after", "server_error", "bad_gateway", "unavailable", "reset", "slow",
    "invalid_json", "empty_choices",
)
BAD_LINES = (
    "{this is not json",
    json.dumps({"id": "no-text", "title": "a record without text"}),
    json.dumps({"id": "wrong-type", "text": 42}),
    json.dumps(["a", "list"]),
    json.dumps({"id": "a7", "text": "a second record with the id a7"}),  # duplicate id
)


def article_text(i: int) -> str:
    return f"{MEET} {QUOTE} {PLAN} Officials counted {i} delegates at the talks."


def _complete_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _requests_per_article(bodies: list[str]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for body in bodies:
        found = _NUMBER.findall(body)
        if found:
            counts[int(found[-1])] += 1
    return counts


@pytest.mark.slow
def test_kill_9_and_resume_under_faults_loses_nothing_and_explains_everything(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for i in range(N):
            record = {"id": f"a{i}", "text": article_text(i), "published": "2024-05-10"}
            handle.write(json.dumps(record) + "\n")
            if i % 100 == 50:  # bad records scattered through the input
                handle.write(BAD_LINES[i // 100] + "\n")
    bad_ids = ["line-52", "no-text", "wrong-type", "line-355", "line-456"]
    expected_ids = sorted([f"a{i}" for i in range(N)] + bad_ids)
    out = tmp_path / "out.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMARIZER_", "OPENAI_"))}
    env["OPENAI_API_KEY"] = "sk-chaos-test"
    responder = faulty(
        delayed(json_answer(DRAFT), 0.02),
        rate=0.2, seed=2024, kinds=KINDS, slow_seconds=1.0, retry_after=0.2,
    )
    started = time.monotonic()
    with FakeOpenAIServer(responder) as srv:
        command = [
            sys.executable, "-m", "summarizer.cli", "batch", str(source), "--out", str(out),
            "--base-url", srv.base_url, "--model", "test-model",
            "--concurrency", str(CONCURRENCY), "--max-attempts", str(MAX_ATTEMPTS),
            "--max-reasks", str(MAX_REASKS), "--timeout", "0.5", "--progress", "off",
        ]
        first = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and _complete_lines(out) < KILL_AFTER_LINES:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed_at = len(srv.requests)
        lines_at_kill = _complete_lines(out)
        assert first.returncode == -signal.SIGKILL
        assert KILL_AFTER_LINES <= lines_at_kill < N, lines_at_kill

        second = subprocess.run(
            [*command, "--resume"], cwd=REPO, env=env, capture_output=True, text=True,
            timeout=90,
        )
        requests = srv.requests
        base_url = srv.base_url
    elapsed = time.monotonic() - started
    assert second.returncode in (0, 1), second.stderr
    assert "Traceback" not in second.stderr

    # Exactly one line per input line: none lost, none twice.
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = [line["id"] for line in lines]
    assert sorted(ids) == expected_ids
    # The first run's transport failures are not done: the resume removes and retries them.
    retrying = re.search(r"retrying (\d+) failed article", second.stderr)
    retried = int(retrying.group(1)) if retrying else 0
    assert f"{lines_at_kill - retried} already in out.jsonl" in second.stderr

    # Every failure explained: its type and a message; model failures also their attempts.
    failures = [line for line in lines if not line["ok"]]
    for line in failures:
        error = line["error"]
        assert line["summary"] is None and error["type"] and error["message"], line
        if error["type"] == "InputError":
            assert line["id"] in bad_ids, line
        else:
            assert error["type"] == "TransportError", line
            assert 1 <= error["attempts"] <= CAP, line
    input_errors = [line["id"] for line in failures if line["error"]["type"] == "InputError"]
    assert sorted(input_errors) == sorted(bad_ids)

    # Attempts capped, per article and per run; only articles in flight at the kill were
    # asked in both runs.
    first_run = _requests_per_article([json.dumps(r.body) for r in requests[:killed_at]])
    second_run = _requests_per_article([json.dumps(r.body) for r in requests[killed_at:]])
    assert max(first_run.values()) <= CAP and max(second_run.values()) <= CAP
    assert len(set(first_run) & set(second_run)) <= CONCURRENCY + retried
    assert len(responder.injected) >= 80  # about 20% of the requests really were faulted

    # The cache agrees with every ok line (the resumed run's cache hits included).
    settings = resolve_settings(
        env={}, base_url=base_url, model="test-model", max_attempts=MAX_ATTEMPTS,
        max_reasks=MAX_REASKS, timeout=0.5,
    )
    cache = SummaryCache(Path(str(out) + ".cache.sqlite"), settings)
    ok_lines = [line for line in lines if line["ok"]]
    transport_failures = len(failures) - len(bad_ids)
    assert 1 <= transport_failures <= 60, transport_failures
    assert len(ok_lines) == N - transport_failures
    try:
        for line in ok_lines:
            number = int(line["id"][1:])
            article = Article(id=line["id"], text=article_text(number), published="2024-05-10")
            cached = cache.get(article)
            assert cached is not None, line["id"]
            written = ArticleSummary.model_validate(line["summary"])
            assert written.article_id == line["id"]
            for summary in (cached, written):
                summary.run.cache_hit = False
            assert cached == written, line["id"]
    finally:
        cache.close()
    assert elapsed < 60, elapsed
    # Shown with `pytest -s`; the figures in docs/reliability.md come from here.
    print(
        f"\nchaos: {N} articles + {len(BAD_LINES)} bad lines, {len(requests)} requests, "
        f"{len(responder.injected)} faults injected, killed after {lines_at_kill} lines, "
        f"{len(failures)} failure lines ({len(failures) - len(bad_ids)} model), 0 lost, "
        f"most requests for one article {max(*first_run.values(), *second_run.values())} "
        f"(cap {CAP}), asked in both runs {len(set(first_run) & set(second_run))} "
        f"({retried} failures retried), "
        f"{elapsed:.1f} s"
    )

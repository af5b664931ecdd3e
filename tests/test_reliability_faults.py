"""Faults from the model endpoint, end to end: `summarize_many`, `summarizer summarize` and
`summarizer batch` against FakeOpenAIServer over real HTTP (real `openai` + `instructor`).

Every article of one run meets its own fault (the responder reads a `Case <name>.` marker in
the prompt), so one concurrent run checks all of them at once. Requests are counted at the
server, per article: that count must equal the attempts the library reports and stay within
the caps (`max_attempts` per request, `max_reasks + 1` answers per article).
Backend-level checks of the same faults live in test_backends_openai.py.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import use_only_api_key

from summarizer import cli
from summarizer.api import Outcome, summarize_many
from summarizer.backends import openai_compat
from summarizer.retry import BackoffPolicy
from summarizer.schemas import Article
from summarizer.testing import FakeOpenAIServer, RecordedRequest, Reply, json_answer

KEY = "sk-test-faults-0000"
MAX_ATTEMPTS = 3
MAX_REASKS = 2
TIMEOUT = 0.4

MEET = (
    "Foreign Minister Ilse Varga met Defence Minister Piet Aalto in Tallinn on Tuesday "
    "to discuss border security."
)
QUOTE = '"We will hold joint exercises in May," Varga told reporters.'
PLAN = "The two ministers plan to sign a defence pact in Helsinki next year."
VARGA = {"name": "Ilse Varga", "kind": "person", "role": "foreign minister"}
AALTO = {"name": "Piet Aalto", "kind": "person", "role": "defence minister"}
DRAFT: dict[str, Any] = {
    "summary": "Ilse Varga and Piet Aalto met in Tallinn and plan a defence pact.",
    "meetings": [
        {
            "participants": [VARGA, AALTO],
            "location": "Tallinn",
            "time": "on Tuesday",
            "topics": ["border security"],
            "format": "in_person",
            "evidence": [MEET[:-1]],
        }
    ],
    "statements": [
        {
            "speaker": VARGA,
            "content": "Varga said they will hold joint exercises in May.",
            "quote": "We will hold joint exercises in May,",
            "evidence": [QUOTE],
        }
    ],
    "planned_events": [
        {
            "description": "signing of a defence pact",
            "participants": [VARGA, AALTO],
            "location": "Helsinki",
            "time": "next year",
            "status": "planned",
            "evidence": [PLAN],
        }
    ],
}
INVENTED = json.loads(json.dumps(DRAFT))
INVENTED["meetings"][0]["evidence"] = ["Varga and Aalto shook hands on a frozen lake"]

_CASE = re.compile(r"Case (\w+)\.")
_ANSWER = json_answer(DRAFT)
_INVENTED_ANSWER = json_answer(INVENTED)
_SCHEMA_INVALID = json_answer({"meetings": "none at all"})


def _truncated(request: RecordedRequest) -> Reply:
    partial = '{"summary": "Ilse Varga met'
    if request.tool_name:
        return Reply.tool(request.tool_name, partial, finish_reason="length")
    return Reply.truncated(partial)


def _slow(request: RecordedRequest) -> Reply:
    return _ANSWER(request).with_delay(TIMEOUT + 0.6)


Step = Reply | Callable[[RecordedRequest], Reply]


@dataclass(frozen=True)
class Case:
    """One article's fault script: `steps` answer its first requests, then `then` answers."""

    steps: tuple[Step, ...] = ()
    then: Step = _ANSWER
    ok: bool = True
    requests: int = 1  # exactly what the server must see for this article
    error_type: str | None = None
    message: tuple[str, ...] = ()  # phrases the failure's message must hold
    status: int | None = None


_M = f"test-model: {{}} after {MAX_ATTEMPTS} attempt(s)"
_KEPT = "the endpoint kept failing: try again later or lower --concurrency/--rpm"
CASES: dict[str, Case] = {
    "ok": Case(),
    # Transient faults once: retried, then the answer (one more request).
    "r429": Case((Reply.error(429, "slow down"),), requests=2),
    "r429ra": Case((Reply.error(429, "slow down", retry_after=0.3),), requests=2),
    "r500": Case((Reply.error(500),), requests=2),
    "r502": Case((Reply.error(502),), requests=2),
    "r503": Case((Reply.error(503),), requests=2),
    "rslow": Case((_slow,), requests=2),
    "rreset": Case((Reply.reset(),), requests=2),
    "rbadjson": Case((Reply.invalid_json(),), requests=2),
    "rempty": Case((Reply.empty_choices(),), requests=2),
    # The same faults for ever: exactly max_attempts requests, then a recorded failure.
    "p429": Case(
        then=Reply.error(429, "slow down"), ok=False, requests=MAX_ATTEMPTS,
        error_type="TransportError", status=429,
        message=(_M.format("HTTP 429 (slow down)"), _KEPT),
    ),
    "p429ra": Case(
        then=Reply.error(429, "slow down", retry_after=0.1), ok=False, requests=MAX_ATTEMPTS,
        error_type="TransportError", status=429, message=(_M.format("HTTP 429 (slow down)"),),
    ),
    "p500": Case(
        then=Reply.error(500, "boom"), ok=False, requests=MAX_ATTEMPTS,
        error_type="TransportError", status=500, message=(_M.format("HTTP 500 (boom)"), _KEPT),
    ),
    "p502": Case(
        then=Reply.error(502, "bad gateway"), ok=False, requests=MAX_ATTEMPTS,
        error_type="TransportError", status=502, message=(_M.format("HTTP 502 (bad gateway)"),),
    ),
    "p503": Case(
        then=Reply.error(503, "overloaded"), ok=False, requests=MAX_ATTEMPTS,
        error_type="TransportError", status=503, message=(_M.format("HTTP 503 (overloaded)"),),
    ),
    "pslow": Case(
        then=_slow, ok=False, requests=MAX_ATTEMPTS, error_type="TransportError",
        message=(_M.format(f"the request timed out after {TIMEOUT:g} s"), "raise --timeout"),
    ),
    "preset": Case(
        then=Reply.reset(), ok=False, requests=MAX_ATTEMPTS, error_type="TransportError",
        message=(_M.format("the connection failed or was dropped"),),
    ),
    "pbadjson": Case(
        then=Reply.invalid_json(), ok=False, requests=MAX_ATTEMPTS, error_type="TransportError",
        message=(_M.format("the endpoint sent a 200 whose body is not valid JSON (truncated or garbled)"),),
    ),
    "pempty": Case(
        then=Reply.empty_choices(), ok=False, requests=MAX_ATTEMPTS, error_type="TransportError",
        message=(_M.format("the endpoint answered with no choices"),),
    ),
    # Answers that do not fit: re-asked within max_reasks, or failed at once.
    "truncated": Case(
        then=_truncated, ok=False, requests=1, error_type="ModelOutputError",
        message=("test-model: the answer was cut off at max_tokens=300 before the JSON was complete",),
    ),
    "schema1": Case((_SCHEMA_INVALID,), requests=2),
    "schema": Case(
        then=_SCHEMA_INVALID, ok=False, requests=MAX_REASKS + 1, error_type="ModelOutputError",
        message=(f"did not fit the summary schema after {MAX_REASKS + 1} answer(s) (summary: Field required)", "more --max-reasks"),
    ),
    "quotes": Case(then=_INVENTED_ANSWER, requests=2),  # one re-ask, then grounding drops it
    "refusal": Case(
        then=Reply.refusal("I can't help with that."), ok=False, requests=1,
        error_type="ModelOutputError",
        message=("test-model refused to answer (I can't help with that.)", "try another model"),
    ),
    # Every answer schema-invalid and each reached through two 503s: the caps multiply to
    # max_attempts * (max_reasks + 1) requests and never further.
    "both": Case(
        (Reply.error(503), Reply.error(503), _SCHEMA_INVALID) * (MAX_REASKS + 1),
        then=Reply.error(500, "past the cap"), ok=False,
        requests=MAX_ATTEMPTS * (MAX_REASKS + 1), error_type="ModelOutputError",
        message=(f"after {MAX_REASKS + 1} answer(s)",),
    ),
}


class CaseResponder:
    """Answers each article from its case's script; counts requests per article."""

    def __init__(self, cases: dict[str, Case]) -> None:
        self.cases = cases
        self.seen: Counter[str] = Counter()
        self.first_at: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Reply:
        found = _CASE.search(request.prompt_text())
        name = found.group(1) if found else "?"
        with self._lock:
            n = self.seen[name]
            self.seen[name] += 1
            self.first_at.setdefault(name, []).append(time.monotonic())
        case = self.cases[name]
        step = case.steps[n] if n < len(case.steps) else case.then
        return step if isinstance(step, Reply) else step(request)


def article_text(name: str) -> str:
    return f"{MEET} {QUOTE} {PLAN} Case {name}."


@pytest.fixture(autouse=True)
def _fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Shrink only the jittered back-off (caps and Retry-After are untouched): fast tests.
    use_only_api_key(monkeypatch, KEY)
    monkeypatch.setattr(
        openai_compat, "BackoffPolicy", functools.partial(BackoffPolicy, base=0.01)
    )


@pytest.fixture
def server() -> Iterator[tuple[FakeOpenAIServer, CaseResponder]]:
    responder = CaseResponder(CASES)
    with FakeOpenAIServer(responder) as srv:
        yield srv, responder


def _options(srv: FakeOpenAIServer) -> dict[str, Any]:
    return {
        "base_url": srv.base_url,
        "model": "test-model",
        "max_attempts": MAX_ATTEMPTS,
        "max_reasks": MAX_REASKS,
        "timeout": TIMEOUT,
        "max_tokens": 300,
    }


def _check_outcome(name: str, case: Case, outcome: Outcome, requests: int) -> None:
    assert requests == case.requests, (name, requests)
    assert requests <= MAX_ATTEMPTS * (MAX_REASKS + 1)
    assert outcome.ok is case.ok, (name, outcome.error)
    if case.ok:
        assert outcome.summary is not None and outcome.error is None
        assert outcome.summary.run.attempts == requests, name
        return
    error = outcome.error
    assert error is not None and outcome.summary is None
    assert error.type == case.error_type, (name, error)
    assert error.attempts == requests, (name, error)
    assert error.status == case.status, (name, error)
    for phrase in case.message:
        assert phrase in error.message, (name, error.message)
    assert "Traceback" not in error.message and "\n" not in error.message


def test_every_fault_through_summarize_many_is_retried_reasked_or_explained(
    server: tuple[FakeOpenAIServer, CaseResponder],
) -> None:
    srv, responder = server
    names = list(CASES)
    articles = [Article(id=name, text=article_text(name)) for name in names]
    started = time.monotonic()
    outcomes = summarize_many(articles, concurrency=8, **_options(srv))
    elapsed = time.monotonic() - started

    assert [o.id for o in outcomes] == names  # one outcome per article, in input order
    for name, outcome in zip(names, outcomes, strict=True):
        _check_outcome(name, CASES[name], outcome, responder.seen[name])
    assert sum(responder.seen.values()) == len(srv.requests_to("/chat/completions"))
    assert not srv.errors
    # A server's Retry-After is waited for (0.3 s) before the second request.
    waited = responder.first_at["r429ra"]
    assert waited[1] - waited[0] >= 0.28
    # The ungrounded invented evidence cost one re-ask, then grounding dropped its meeting.
    quotes = next(o for o in outcomes if o.id == "quotes").summary
    assert quotes is not None and quotes.run.reasks == 1
    assert quotes.meetings == [] and quotes.run.dropped == 1
    assert len(quotes.statements) == 1 and len(quotes.planned_events) == 1
    assert any("evidence not found in the article" in w for w in quotes.run.warnings)
    assert elapsed < 20


def test_every_fault_through_batch_gives_one_explained_line_each(
    server: tuple[FakeOpenAIServer, CaseResponder],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    srv, responder = server
    source = tmp_path / "in.jsonl"
    # In a batch every 429 without Retry-After pauses all workers (1 s, doubling while they
    # keep coming): "p429" alone would add 1 + 2 + 4 s, so it is left to summarize_many.
    names = [n for n in CASES if n != "p429"]
    source.write_text(
        "".join(json.dumps({"id": n, "text": article_text(n)}) + "\n" for n in names),
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    opts = _options(srv)
    argv = [
        "batch", str(source), "--out", str(out), "--concurrency", "8", "--progress", "off",
        "--base-url", opts["base_url"], "--model", opts["model"],
        "--max-attempts", str(MAX_ATTEMPTS), "--max-reasks", str(MAX_REASKS),
        "--timeout", str(TIMEOUT), "--max-tokens", "300",
    ]
    code = cli.main(argv)
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    assert sorted(line["id"] for line in lines) == sorted(names)
    failed = [n for n in names if not CASES[n].ok]
    for line in lines:
        outcome = Outcome.model_validate(line)
        _check_outcome(outcome.id, CASES[outcome.id], outcome, responder.seen[outcome.id])
    assert code == 1  # some articles failed; each line says why
    assert f"{len(names) - len(failed)} ok, {len(failed)} failed" in err
    assert "Traceback" not in err


_CLI_CASES = {
    "p503": "summarizer: model error: test-model: HTTP 503 (overloaded) after 3 attempt(s): "
    f"{_KEPT}",
    "pslow": f"summarizer: model error: test-model: the request timed out after {TIMEOUT:g} s "
    "after 3 attempt(s): raise --timeout, or try again when the endpoint is less busy",
    "preset": "summarizer: model error: test-model: the connection failed or was dropped after "
    "3 attempt(s): check that --base-url is right and the server is up, then try again",
    "refusal": "summarizer: model error: test-model refused to answer (I can't help with that.): "
    "the article may trip the provider's content policy; try another model",
    "truncated": "summarizer: model error: test-model: the answer was cut off at max_tokens=300 "
    "before the JSON was complete: raise max_tokens, or split the article into shorter parts",
}


@pytest.mark.parametrize("name", [*_CLI_CASES, "r503", "rreset", "schema1"])
def test_summarize_command_exits_1_with_one_line_or_recovers(
    server: tuple[FakeOpenAIServer, CaseResponder],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    srv, responder = server
    article = tmp_path / "article.txt"
    article.write_text(article_text(name), encoding="utf-8")
    opts = _options(srv)
    code = cli.main([
        "summarize", str(article), "--base-url", opts["base_url"], "--model", opts["model"],
        "--max-attempts", str(MAX_ATTEMPTS), "--max-reasks", str(MAX_REASKS),
        "--timeout", str(TIMEOUT), "--max-tokens", "300",
    ])
    captured = capsys.readouterr()
    assert responder.seen[name] == CASES[name].requests
    if name in _CLI_CASES:
        assert code == 1
        assert captured.err == _CLI_CASES[name] + "\n"
        assert captured.out == ""
    else:
        assert code == 0, captured.err
        assert json.loads(captured.out)["run"]["attempts"] == CASES[name].requests


def test_the_overall_retry_budget_caps_a_call_with_many_attempts_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real back-off (no shrinking): SUMMARIZER_MAX_RETRY_SECONDS must end the call even
    # though --max-attempts would allow 50 attempts.
    monkeypatch.setattr(openai_compat, "BackoffPolicy", BackoffPolicy)
    monkeypatch.setenv("SUMMARIZER_MAX_RETRY_SECONDS", "1")
    article = tmp_path / "article.txt"
    article.write_text(article_text("x"), encoding="utf-8")
    with FakeOpenAIServer(lambda _r: Reply.error(503, "overloaded")) as srv:
        started = time.monotonic()
        code = cli.main([
            "summarize", str(article), "--base-url", srv.base_url, "--model", "test-model",
            "--max-attempts", "50",
        ])
        elapsed = time.monotonic() - started
        requests = len(srv.requests_to("/chat/completions"))
    err = capsys.readouterr().err
    assert code == 1 and 1 <= requests < 50
    assert elapsed < 2.0
    assert err == (
        f"summarizer: model error: test-model: HTTP 503 (overloaded) after {requests} "
        f"attempt(s): {_KEPT}\n"
    )

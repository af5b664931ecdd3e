"""The fake OpenAI server, driven through the real `openai` and `instructor` clients."""

from __future__ import annotations

import asyncio
import io
import json
import os
import select
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import instructor
import openai
import pydantic
import pytest
from instructor.core import IncompleteOutputException, InstructorRetryException

from summarizer.testing import (
    FakeOpenAIServer,
    Faulty,
    RecordedRequest,
    Reply,
    Responder,
    Script,
    delayed,
    faulty,
    json_answer,
)

CANARY = "sk-test-canary"
REPO = Path(__file__).resolve().parents[1]
MESSAGES: list[Any] = [{"role": "user", "content": "Who met whom?"}]


class Meeting(pydantic.BaseModel):
    host: str
    guest: str
    day: int


ANSWER = {"host": "Lukashenko", "guest": "Putin", "day": 19}


def _client(srv: FakeOpenAIServer, timeout: float = 3.0, retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=srv.base_url, api_key=CANARY, max_retries=retries, timeout=timeout
    )


def _ask(client: openai.OpenAI, **kwargs: Any) -> Any:
    return client.chat.completions.create(model="gpt-test", messages=MESSAGES, **kwargs)


def _server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("fake-openai")]


@pytest.fixture(autouse=True)
def _no_thread_leaks() -> Iterator[None]:
    yield
    assert _server_threads() == []


# --- plain answers ------------------------------------------------------------


def test_chat_reply_parses_with_model_echoed_and_usage_estimated() -> None:
    with FakeOpenAIServer([Reply.chat("Putin met Lukashenko.")]) as srv:
        response = _ask(_client(srv))
    assert response.choices[0].message.content == "Putin met Lukashenko."
    assert response.choices[0].finish_reason == "stop"
    assert response.model == "gpt-test"
    assert response.usage is not None
    assert response.usage.prompt_tokens == len("Who met whom?") // 4 + 1
    assert response.usage.completion_tokens == len("Putin met Lukashenko.") // 4 + 1
    [request] = srv.requests
    assert request.path == "/v1/chat/completions"
    assert request.messages == MESSAGES


def test_tool_reply_and_explicit_usage() -> None:
    reply = Reply.tool("Meeting", ANSWER).with_usage(120, 7)
    with FakeOpenAIServer([reply]) as srv:
        response = _ask(_client(srv))
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    [call] = choice.message.tool_calls
    assert call.function.name == "Meeting"
    assert json.loads(call.function.arguments) == ANSWER
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (120, 7)


def test_refusal_truncation_and_empty_choices_reach_the_client_as_sent() -> None:
    script = [
        Reply.refusal("I can't help."),
        Reply.truncated('{"host": "Luk'),
        Reply.empty_choices(),
    ]
    with FakeOpenAIServer(script) as srv:
        client = _client(srv)
        refused, truncated, empty = _ask(client), _ask(client), _ask(client)
    assert refused.choices[0].message.refusal == "I can't help."
    assert refused.choices[0].message.content is None
    assert truncated.choices[0].finish_reason == "length"
    assert empty.choices == []


def test_script_answers_in_order_then_default() -> None:
    script = Script([Reply.chat("one"), Reply.chat("two")], default=Reply.chat("later"))
    with FakeOpenAIServer(script) as srv:
        client = _client(srv)
        texts = [_ask(client).choices[0].message.content for _ in range(4)]
    assert texts == ["one", "two", "later", "later"]
    assert script.consumed == 2 and script.exhausted


def test_plain_completion_and_models_endpoints() -> None:
    with FakeOpenAIServer(lambda request: Reply.chat(f"echo:{request.prompt_text()}")) as srv:
        client = _client(srv)
        completion = client.completions.create(model="base-model", prompt="JSON:")
        models = client.models.list()
    assert completion.choices[0].text == "echo:JSON:"
    assert completion.model == "base-model"
    assert [m.id for m in models.data] == ["fake-model"]


def test_unknown_endpoint_is_an_openai_style_404() -> None:
    with FakeOpenAIServer() as srv, pytest.raises(openai.NotFoundError) as caught:
        _client(srv).embeddings.create(model="m", input="x")
    assert "Unknown endpoint" in str(caught.value)


# --- recording ----------------------------------------------------------------


def test_authorization_value_is_never_stored() -> None:
    with FakeOpenAIServer() as srv:
        _ask(_client(srv))
        plain = urllib.request.Request(
            srv.base_url + "/models", headers={"Authorization": "Bearer " + CANARY + "-2"}
        )
        urllib.request.urlopen(plain, timeout=3).read()
        urllib.request.urlopen(srv.base_url + "/models", timeout=3).read()
    first, second, third = srv.requests
    assert first.has_authorization and second.has_authorization
    assert not third.has_authorization
    assert "authorization" not in first.headers
    assert first.headers["content-type"] == "application/json"
    assert CANARY not in repr(srv.requests)
    assert CANARY not in repr(srv.counters)


def test_keep_alive_serves_sequential_requests_on_one_connection() -> None:
    with FakeOpenAIServer() as srv:
        client = _client(srv)
        for _ in range(3):
            _ask(client)
    ports = {r.client_port for r in srv.requests}
    assert len(ports) == 1 and None not in ports
    assert srv.counters["chat_completions"] == 3


def test_sequential_requests_are_not_held_back_by_nagle() -> None:
    with FakeOpenAIServer() as srv:
        client = _client(srv)
        _ask(client)
        started = time.monotonic()
        for _ in range(20):
            _ask(client)
        per_request = (time.monotonic() - started) / 20
    # Nagle + delayed ACK would cost ~40 ms per response; loopback needs ~2 ms.
    assert per_request < 0.025


def test_responder_crash_becomes_a_500_and_is_reported() -> None:
    def broken(request: RecordedRequest) -> Reply:
        raise KeyError("missing")

    with FakeOpenAIServer(broken) as srv, pytest.raises(openai.InternalServerError):
        _ask(_client(srv))
    assert [type(e) for e in srv.errors] == [KeyError]


# --- faults -------------------------------------------------------------------


def test_rate_limit_with_retry_after_visible_on_the_response() -> None:
    with (
        FakeOpenAIServer([Reply.error(429, retry_after=2)]) as srv,
        pytest.raises(openai.RateLimitError) as caught,
    ):
        _ask(_client(srv))
    assert caught.value.response.headers["retry-after"] == "2"
    assert caught.value.code == "rate_limit_exceeded"


def test_openai_client_waits_for_retry_after_then_succeeds() -> None:
    with FakeOpenAIServer([Reply.error(429, retry_after=0.4), Reply.chat("ok")]) as srv:
        started = time.monotonic()
        response = _ask(_client(srv, retries=1))
        elapsed = time.monotonic() - started
    assert response.choices[0].message.content == "ok"
    assert elapsed >= 0.4
    assert len(srv.requests) == 2


@pytest.mark.parametrize(
    ("status", "exception"),
    [
        (400, openai.BadRequestError),
        (401, openai.AuthenticationError),
        (500, openai.InternalServerError),
        (502, openai.InternalServerError),
        (503, openai.InternalServerError),
    ],
)
def test_http_errors_map_to_openai_exceptions(status: int, exception: type[Exception]) -> None:
    with (
        FakeOpenAIServer([Reply.error(status, "scripted failure")]) as srv,
        pytest.raises(exception) as caught,
    ):
        _ask(_client(srv))
    assert isinstance(caught.value, openai.APIStatusError)
    assert caught.value.status_code == status
    assert "scripted failure" in caught.value.message
    assert "retry-after" not in caught.value.response.headers


def test_reply_slower_than_client_timeout_raises_timeout() -> None:
    with FakeOpenAIServer([Reply.chat("late").with_delay(2.0)]) as srv:
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            _ask(_client(srv, timeout=0.3))
        assert time.monotonic() - started < 1.5
    assert srv.errors == []


def test_delayed_error_keeps_its_kind() -> None:
    with FakeOpenAIServer([Reply.error(503).with_delay(0.2)]) as srv:
        started = time.monotonic()
        with pytest.raises(openai.InternalServerError):
            _ask(_client(srv))
    assert time.monotonic() - started >= 0.2


def test_reset_mid_body_is_a_connection_error_not_a_timeout() -> None:
    with FakeOpenAIServer([Reply.reset(), Reply.chat("after")]) as srv:
        client = _client(srv)
        with pytest.raises(openai.APIConnectionError) as caught:
            _ask(client)
        # The client recovers on a fresh connection.
        assert _ask(client).choices[0].message.content == "after"
    assert not isinstance(caught.value, openai.APITimeoutError)
    assert srv.errors == []
    assert "reset" in repr(caught.value.__cause__).lower()


def test_invalid_json_body_fails_to_decode() -> None:
    # The openai client lets json.JSONDecodeError through unwrapped: callers must catch it.
    with FakeOpenAIServer([Reply.invalid_json()]) as srv, pytest.raises(json.JSONDecodeError):
        _ask(_client(srv))


def test_async_client_gets_concurrent_answers_and_faults() -> None:
    script = [Reply.chat(f"answer {i}").with_delay(0.3) for i in range(4)]

    async def run(srv: FakeOpenAIServer) -> tuple[list[Any], float]:
        client = openai.AsyncOpenAI(
            base_url=srv.base_url, api_key=CANARY, max_retries=0, timeout=3.0
        )
        async with client:
            started = time.monotonic()
            calls = [client.chat.completions.create(model="m", messages=MESSAGES) for _ in range(5)]
            results = await asyncio.gather(*calls, return_exceptions=True)
            return results, time.monotonic() - started

    with FakeOpenAIServer([*script, Reply.error(429, retry_after=1)]) as srv:
        results, elapsed = asyncio.run(run(srv))
    texts = sorted(r.choices[0].message.content for r in results if not isinstance(r, Exception))
    errors = [r for r in results if isinstance(r, Exception)]
    assert texts == [f"answer {i}" for i in range(4)]
    assert [type(e) for e in errors] == [openai.RateLimitError]
    assert elapsed < 1.0  # four 0.3 s replies served in parallel, not in series


def test_many_simultaneous_connections_are_all_served() -> None:
    async def run(srv: FakeOpenAIServer) -> tuple[int, float]:
        async with openai.AsyncOpenAI(
            base_url=srv.base_url, api_key=CANARY, max_retries=0, timeout=5.0
        ) as client:
            started = time.monotonic()
            calls = [
                client.chat.completions.create(model="m", messages=MESSAGES) for _ in range(40)
            ]
            results = await asyncio.gather(*calls)
            return len(results), time.monotonic() - started

    with FakeOpenAIServer(delayed([], 0.3)) as srv:
        count, elapsed = asyncio.run(run(srv))
    assert count == 40
    assert elapsed < 2.0
    assert len({r.client_port for r in srv.requests}) == 40


# --- instructor ---------------------------------------------------------------


@pytest.mark.parametrize(
    "mode",
    [
        instructor.Mode.TOOLS,
        instructor.Mode.JSON,
        instructor.Mode.JSON_SCHEMA,
        instructor.Mode.MD_JSON,
    ],
)
def test_json_answer_parses_in_every_instructor_mode(mode: instructor.Mode) -> None:
    with FakeOpenAIServer(json_answer(ANSWER)) as srv:
        client = instructor.from_openai(_client(srv), mode=mode)
        meeting = client.chat.completions.create(
            model="gpt-test", response_model=Meeting, messages=MESSAGES, max_retries=0
        )
    assert meeting.model_dump() == ANSWER
    [request] = srv.requests
    assert (request.tool_name == "Meeting") == (mode is instructor.Mode.TOOLS)


def test_json_answer_builds_payload_from_the_request() -> None:
    def payload(request: RecordedRequest) -> dict[str, Any]:
        return {**ANSWER, "guest": request.messages[-1]["content"]}

    with FakeOpenAIServer(json_answer(payload)) as srv:
        client = instructor.from_openai(_client(srv), mode=instructor.Mode.TOOLS)
        meeting = client.chat.completions.create(
            model="m",
            response_model=Meeting,
            messages=[{"role": "user", "content": "Xi"}],
            max_retries=0,
        )
    assert meeting.guest == "Xi"


def test_instructor_surfaces_transport_and_truncation_faults() -> None:
    script = [Reply.error(429, retry_after=1), Reply.truncated('{"host": "Luk')]
    with FakeOpenAIServer(script) as srv:
        client = instructor.from_openai(_client(srv), mode=instructor.Mode.JSON)
        with pytest.raises(InstructorRetryException) as caught:
            client.chat.completions.create(
                model="m", response_model=Meeting, messages=MESSAGES, max_retries=0
            )
        assert isinstance(caught.value.__cause__, openai.RateLimitError)
        with pytest.raises(IncompleteOutputException):
            client.chat.completions.create(
                model="m", response_model=Meeting, messages=MESSAGES, max_retries=0
            )


def test_instructor_reasks_after_invalid_output_then_parses() -> None:
    # A script may mix fixed Replies and responders.
    script: list[Reply | Responder] = [Reply.tool("Meeting", {"host": "x"}), json_answer(ANSWER)]
    with FakeOpenAIServer(script) as srv:
        client = instructor.from_openai(_client(srv), mode=instructor.Mode.TOOLS)
        meeting = client.chat.completions.create(
            model="m", response_model=Meeting, messages=MESSAGES, max_retries=1
        )
    assert meeting.model_dump() == ANSWER
    first, second = srv.requests
    assert len(second.messages) > len(first.messages)  # the re-ask carries the error


# --- faulty -------------------------------------------------------------------


def _fake_request(index: int = 0) -> RecordedRequest:
    return RecordedRequest(
        index=index,
        method="POST",
        path="/v1/chat/completions",
        headers={},
        has_authorization=False,
        body={"model": "m", "messages": MESSAGES},
        received_at=0.0,
    )


def test_faulty_is_repeatable_per_seed_and_close_to_its_rate() -> None:
    def kinds(seed: int) -> list[str]:
        wrapper = faulty(lambda request: Reply.chat("fine"), rate=0.3, seed=seed)
        replies = [wrapper(_fake_request(i)) for i in range(400)]
        assert len(wrapper.injected) == sum(r != Reply.chat("fine") for r in replies)
        return [kind for _, kind in wrapper.injected]

    first, again, other = kinds(7), kinds(7), kinds(8)
    assert first == again
    assert first != other
    assert 0.22 < len(first) / 400 < 0.38
    assert len(set(first)) >= 6  # every kind family shows up at this volume


def test_faulty_extremes_and_validation() -> None:
    never = Faulty([], rate=0.0)
    always = Faulty([], rate=1.0, kinds=["reset"])
    assert all(never.fault_for(i) is None for i in range(100))
    assert {always(_fake_request(i)).kind for i in range(20)} == {"reset"}
    with pytest.raises(ValueError, match="fault kinds"):
        Faulty([], kinds=["meteor"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="rate"):
        Faulty([], rate=1.5)


def test_faulty_server_faults_reach_the_client_as_injected() -> None:
    wrapper = faulty(json_answer(ANSWER), rate=0.5, seed=3, kinds=["rate_limit", "server_error"])
    outcomes: list[str] = []
    with FakeOpenAIServer(wrapper) as srv:
        client = _client(srv)
        for _ in range(12):
            try:
                _ask(client)
                outcomes.append("ok")
            except openai.RateLimitError:
                outcomes.append("rate_limit")
            except openai.InternalServerError:
                outcomes.append("server_error")
    expected = [wrapper.fault_for(i) or "ok" for i in range(12)]
    assert outcomes == expected
    assert "ok" in outcomes and len(set(outcomes)) == 3


# --- batch API ----------------------------------------------------------------


def _batch_file(client: openai.OpenAI, n: int, url: str = "/v1/chat/completions") -> str:
    rows = [
        {
            "custom_id": f"article-{i}",
            "method": "POST",
            "url": url,
            "body": {"model": "gpt-test", "messages": [{"role": "user", "content": f"text {i}"}]},
        }
        for i in range(n)
    ]
    data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    uploaded = client.files.create(file=("requests.jsonl", io.BytesIO(data)), purpose="batch")
    assert uploaded.bytes == len(data)
    assert client.files.content(uploaded.id).content == data
    return uploaded.id


def _wait_done(client: openai.OpenAI, batch_id: str, timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        batch = client.batches.retrieve(batch_id)
        if batch.status in ("completed", "failed", "cancelled", "expired"):
            return batch
        assert time.monotonic() < deadline, f"batch stuck in {batch.status}"
        time.sleep(0.05)


def _jsonl(client: openai.OpenAI, file_id: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in client.files.content(file_id).text.splitlines()]


def test_batch_flow_end_to_end_through_the_openai_client() -> None:
    def responder(request: RecordedRequest) -> Reply:
        text = request.messages[-1]["content"]
        return Reply.error(400, "bad article") if text == "text 2" else Reply.chat(f"done {text}")

    with FakeOpenAIServer(responder) as srv:
        client = _client(srv)
        file_id = _batch_file(client, 4)
        created = client.batches.create(
            input_file_id=file_id,
            endpoint="/v1/chat/completions",
            completion_window="24h",
            metadata={"run": "t1"},
        )
        assert created.status == "validating"
        batch = _wait_done(client, created.id)
        outputs = _jsonl(client, batch.output_file_id)
        failures = _jsonl(client, batch.error_file_id)
    assert batch.status == "completed"
    assert batch.metadata == {"run": "t1"}
    assert (batch.request_counts.total, batch.request_counts.completed) == (4, 3)
    assert batch.request_counts.failed == 1
    assert [o["custom_id"] for o in outputs] == ["article-0", "article-1", "article-3"]
    body = outputs[1]["response"]["body"]
    assert body["choices"][0]["message"]["content"] == "done text 1"
    assert outputs[1]["error"] is None and outputs[1]["response"]["status_code"] == 200
    [failure] = failures
    assert failure["custom_id"] == "article-2"
    assert failure["response"]["status_code"] == 400
    assert failure["response"]["body"]["error"]["message"] == "bad article"
    assert batch.usage is not None and batch.usage.output_tokens > 0
    assert sorted(str(r.custom_id) for r in srv.requests if r.batch_id == batch.id) == [
        f"article-{i}" for i in range(4)
    ]


def test_batch_waits_for_its_delay_and_can_be_cancelled() -> None:
    with FakeOpenAIServer(batch_delay=30.0) as srv:
        client = _client(srv)
        file_id = _batch_file(client, 2)
        batch = client.batches.create(
            input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        assert client.batches.retrieve(batch.id).status == "in_progress"
        assert client.batches.cancel(batch.id).status == "cancelling"
        final = client.batches.retrieve(batch.id)
    assert final.status == "cancelled"
    assert final.output_file_id is None
    assert srv.counters.get("batch_lines", 0) == 0


def test_batch_with_lines_for_another_endpoint_fails_validation() -> None:
    with FakeOpenAIServer() as srv:
        client = _client(srv)
        file_id = _batch_file(client, 2, url="/v1/embeddings")
        batch = client.batches.create(
            input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        final = _wait_done(client, batch.id)
    assert final.status == "failed"
    assert final.errors is not None and final.errors.data is not None
    assert [(e.code, e.line) for e in final.errors.data] == [
        ("mismatched_endpoint", 1),
        ("mismatched_endpoint", 2),
    ]


def test_batch_for_unknown_file_is_rejected() -> None:
    with FakeOpenAIServer() as srv, pytest.raises(openai.BadRequestError, match="not uploaded"):
        _client(srv).batches.create(
            input_file_id="file-nope", endpoint="/v1/chat/completions", completion_window="24h"
        )


# --- lifecycle ----------------------------------------------------------------


def test_close_is_prompt_with_idle_keep_alive_and_pending_slow_reply() -> None:
    srv = FakeOpenAIServer([Reply.chat("fast"), Reply.chat("never").with_delay(60)]).start()
    client = _client(srv, timeout=10.0)
    _ask(client)  # leaves an idle kept-alive connection

    def slow_call() -> None:
        with pytest.raises(openai.APIConnectionError):
            _ask(client)

    caller = threading.Thread(target=slow_call)
    caller.start()
    assert srv.wait_for_requests(2, timeout=3)
    started = time.monotonic()
    srv.close()
    assert time.monotonic() - started < 2.0
    caller.join(5)
    assert not caller.is_alive()
    client.close()


def test_subprocess_mode_prints_url_and_answers_after_delay(tmp_path: Path) -> None:
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(ANSWER))
    command = [sys.executable, "-m", "summarizer.testing.server", "--port", "0"]
    command += ["--delay-ms", "500", "--answer", str(answer)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 10)
        assert ready, "server process printed nothing within 10 s"
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        client = openai.OpenAI(base_url=base_url, api_key=CANARY, max_retries=0, timeout=5)
        started = time.monotonic()
        meeting = instructor.from_openai(
            client, mode=instructor.Mode.TOOLS
        ).chat.completions.create(
            model="m", response_model=Meeting, messages=MESSAGES, max_retries=0
        )
        elapsed = time.monotonic() - started
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
    assert meeting.model_dump() == ANSWER
    assert 0.5 <= elapsed < 3.0
    assert proc.returncode == 0
    assert json.loads(stderr.strip().splitlines()[-1])["chat_completions"] == 1

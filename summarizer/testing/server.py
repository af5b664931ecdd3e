"""A fault-injecting OpenAI-compatible HTTP server for tests and benchmarks.

Real HTTP/1.1 (keep-alive, exact Content-Length) on 127.0.0.1, stdlib only, so
the real `openai` and `instructor` clients exercise their whole transport: a
scripted 429 surfaces as `openai.RateLimitError` with its `Retry-After`, a reset
as `APIConnectionError`, a slow reply as `APITimeoutError`.

    with FakeOpenAIServer([Reply.error(429, retry_after=1), Reply.chat("hi")]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="sk-test")

As a process (benchmarks keep client and server on separate GILs):

    python -m summarizer.testing.server --port 0 --delay-ms 500 --answer FILE.json

prints its base URL on the first stdout line and serves until SIGTERM/SIGINT.

Every request is recorded in `srv.requests`; the Authorization header's value
is never stored, only whether it was present.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import random
import signal
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import MappingProxyType, TracebackType
from typing import Any, Literal, Self, cast, get_args
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_MODEL",
    "FakeOpenAIServer",
    "FaultKind",
    "Faulty",
    "RecordedRequest",
    "Reply",
    "Responder",
    "Script",
    "ToolCall",
    "delayed",
    "faulty",
    "json_answer",
    "main",
]

DEFAULT_MODEL = "fake-model"

FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "function_call"]
ReplyKind = Literal["chat", "error", "reset", "invalid_json", "empty_choices"]
FaultKind = Literal[
    "rate_limit",
    "rate_limit_retry_after",
    "server_error",
    "bad_gateway",
    "unavailable",
    "reset",
    "slow",
    "invalid_json",
    "empty_choices",
]
ALL_FAULTS: tuple[FaultKind, ...] = get_args(FaultKind)

# Never kept in recordings: credentials must not leak into test logs or reports.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key", "x-api-key"})
_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "not_found"),
    409: ("invalid_request_error", "conflict"),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
}
_BATCH_ENDPOINTS = frozenset({"/v1/chat/completions", "/v1/completions"})
# A truncated chat completion: what a proxy that died mid-write leaves behind.
_INVALID_JSON = (
    b'{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"index": 0, "mess'
)


# ---------------------------------------------------------------------------
# What the server saw


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it (batch lines included).

    `headers` has lower-case names and never holds Authorization (or other
    credential headers); `has_authorization` says whether one was sent.
    """

    index: int
    method: str
    path: str
    headers: Mapping[str, str]
    has_authorization: bool
    body: Any
    received_at: float
    batch_id: str | None = None
    custom_id: str | None = None
    client_port: int | None = None  # same port on two requests = one kept-alive connection

    @property
    def endpoint(self) -> str:
        """The path without the `/v1` prefix, e.g. `/chat/completions`."""
        return self.path[3:] if self.path.startswith("/v1/") else self.path

    @property
    def is_chat(self) -> bool:
        return self.endpoint == "/chat/completions"

    @property
    def is_completion(self) -> bool:
        return self.endpoint == "/completions"

    @property
    def json(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}

    @property
    def model(self) -> str | None:
        model = self.json.get("model")
        return model if isinstance(model, str) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        messages = self.json.get("messages")
        return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []

    @property
    def tools(self) -> list[dict[str, Any]]:
        tools = self.json.get("tools")
        return [t for t in tools if isinstance(t, dict)] if isinstance(tools, list) else []

    @property
    def tool_name(self) -> str | None:
        """The function the client forces with `tool_choice`, else the first tool offered."""
        choice = self.json.get("tool_choice")
        if isinstance(choice, dict):
            name = (choice.get("function") or {}).get("name")
            if isinstance(name, str):
                return name
        for tool in self.tools:
            name = (tool.get("function") or {}).get("name")
            if isinstance(name, str):
                return name
        return None

    def prompt_text(self) -> str:
        """All text the model would read: message contents, or the completion prompt."""
        prompt = self.json.get("prompt")
        if isinstance(prompt, str):
            return prompt
        if isinstance(prompt, list):
            return "\n".join(p for p in prompt if isinstance(p, str))
        return "\n".join(_message_text(m) for m in self.messages)


def _message_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _estimate_tokens(text: str) -> int:
    # About four characters per token for English: enough for usage accounting in tests.
    return (len(text) + 3) // 4


# ---------------------------------------------------------------------------
# What the server answers


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: str  # JSON text, as the API sends it

    @classmethod
    def of(cls, name: str, arguments: Mapping[str, Any] | str) -> ToolCall:
        args = arguments if isinstance(arguments, str) else json.dumps(dict(arguments))
        return cls(name=name, arguments=args)


@dataclass(frozen=True)
class Reply:
    """One scripted answer. Build it with the class methods; they read like the fault."""

    kind: ReplyKind = "chat"
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    refusal_text: str | None = None
    finish_reason: FinishReason | None = None
    usage: tuple[int, int] | None = None  # (prompt_tokens, completion_tokens)
    model: str | None = None
    status: int = 200
    retry_after: float | None = None
    message: str | None = None
    error_type: str | None = None
    error_code: str | None = None
    delay: float = 0.0

    @classmethod
    def chat(
        cls,
        content: str | None = None,
        *,
        tool_calls: Sequence[ToolCall] = (),
        finish_reason: FinishReason | None = None,
        usage: tuple[int, int] | None = None,
        model: str | None = None,
    ) -> Reply:
        """A 200 chat completion with text content, tool calls, or both."""
        return cls(
            content=content,
            tool_calls=tuple(tool_calls),
            finish_reason=finish_reason,
            usage=usage,
            model=model,
        )

    @classmethod
    def tool(
        cls,
        name: str,
        arguments: Mapping[str, Any] | str,
        *,
        content: str | None = None,
        finish_reason: FinishReason | None = None,
    ) -> Reply:
        """A 200 chat completion calling `name` with these arguments (instructor TOOLS mode)."""
        return cls.chat(
            content, tool_calls=[ToolCall.of(name, arguments)], finish_reason=finish_reason
        )

    @classmethod
    def refusal(cls, text: str) -> Reply:
        """The model declines: `message.refusal` set, no content."""
        return cls(refusal_text=text, finish_reason="stop")

    @classmethod
    def truncated(cls, content: str) -> Reply:
        """Output cut by max_tokens: finish_reason "length"."""
        return cls(content=content, finish_reason="length")

    @classmethod
    def content_filtered(cls, content: str | None = None) -> Reply:
        return cls(content=content, finish_reason="content_filter")

    @classmethod
    def error(
        cls,
        status: int,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        type: str | None = None,
        code: str | None = None,
    ) -> Reply:
        """An HTTP error with an OpenAI-style error body, optionally with Retry-After (seconds)."""
        if not 400 <= status <= 599:
            raise ValueError(f"Reply.error needs a 4xx or 5xx status, got {status}")
        return cls(
            kind="error",
            status=status,
            retry_after=retry_after,
            message=message,
            error_type=type,
            error_code=code,
        )

    @classmethod
    def reset(cls) -> Reply:
        """Headers with a Content-Length, part of the body, then a TCP RST."""
        return cls(kind="reset", content="connection reset by fake server")

    @classmethod
    def invalid_json(cls) -> Reply:
        """Status 200, Content-Type application/json, a body that does not parse."""
        return cls(kind="invalid_json")

    @classmethod
    def empty_choices(cls) -> Reply:
        return cls(kind="empty_choices")

    def with_delay(self, seconds: float) -> Reply:
        """The same reply, sent after `seconds` (e.g. longer than the client timeout)."""
        return replace(self, delay=self.delay + seconds)

    def with_usage(self, prompt_tokens: int, completion_tokens: int) -> Reply:
        return replace(self, usage=(prompt_tokens, completion_tokens))


Responder = Callable[[RecordedRequest], Reply]
ResponderLike = Responder | Iterable["Reply | Responder"]

DEFAULT_REPLY = Reply.chat("OK")


class Script:
    """Replies consumed in order; after the last one, `default` answers (thread-safe).

    Items may be Replies or responders (called with the request).
    """

    def __init__(
        self, replies: Iterable[Reply | Responder], default: Reply | Responder = DEFAULT_REPLY
    ) -> None:
        self._items: Iterator[Reply | Responder] = iter(replies)
        self._default = default
        self._lock = threading.Lock()
        self.consumed = 0
        self.exhausted = False

    def __call__(self, request: RecordedRequest) -> Reply:
        with self._lock:
            try:
                item = next(self._items)
                self.consumed += 1
            except StopIteration:
                self.exhausted = True
                item = self._default
        return item if isinstance(item, Reply) else item(request)


def _as_responder(responder: ResponderLike | None) -> Responder:
    if responder is None:
        return lambda _request: DEFAULT_REPLY
    if callable(responder):
        return responder
    return Script(responder)


def json_answer(
    payload: Mapping[str, Any] | Callable[[RecordedRequest], Mapping[str, Any]],
) -> Responder:
    """Answer every chat request with this JSON in the shape each instructor mode parses.

    TOOLS (request has `tools`): a call of the forced (or first) function.
    MD_JSON (a message asks for a ```json codeblock): fenced content.
    JSON / JSON_SCHEMA and anything else: the bare JSON as message content.
    Plain completions get the bare JSON as text.
    """

    def respond(request: RecordedRequest) -> Reply:
        data = dict(payload(request) if callable(payload) else payload)
        name = request.tool_name
        if request.is_chat and name is not None:
            return Reply.tool(name, data)
        text = json.dumps(data, ensure_ascii=False)
        if request.is_chat and _asks_for_markdown_json(request):
            text = f"```json\n{text}\n```"
        return Reply.chat(text)

    return respond


def _asks_for_markdown_json(request: RecordedRequest) -> bool:
    return any("```json" in _message_text(m) for m in request.messages)


def delayed(responder: ResponderLike, seconds: float) -> Responder:
    """Every reply of `responder`, sent `seconds` later (simulated model latency)."""
    inner = _as_responder(responder)
    return lambda request: inner(request).with_delay(seconds)


class Faulty:
    """Wraps a responder and replaces a fraction of its replies with faults.

    Which calls fail depends only on (seed, call number), so a run is repeatable.
    """

    def __init__(
        self,
        responder: ResponderLike,
        *,
        rate: float = 0.2,
        seed: int = 0,
        kinds: Sequence[FaultKind] = ALL_FAULTS,
        slow_seconds: float = 2.0,
        retry_after: float = 1.0,
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate must be within [0, 1], got {rate}")
        unknown = set(kinds) - set(ALL_FAULTS)
        if unknown or not kinds:
            raise ValueError(
                f"fault kinds must be a non-empty subset of {list(ALL_FAULTS)}; got {list(kinds)}"
            )
        self._inner = _as_responder(responder)
        self.rate = rate
        self.seed = seed
        self.kinds = tuple(kinds)
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self._counter = itertools.count()
        self._lock = threading.Lock()
        self.injected: list[tuple[int, FaultKind]] = []

    def fault_for(self, call_number: int) -> FaultKind | None:
        """The fault injected at this call number, or None (pure function of the seed)."""
        rng = random.Random(f"{self.seed}:{call_number}")
        if rng.random() >= self.rate:
            return None
        return rng.choice(self.kinds)

    def __call__(self, request: RecordedRequest) -> Reply:
        with self._lock:
            call_number = next(self._counter)
        kind = self.fault_for(call_number)
        if kind is None:
            return self._inner(request)
        with self._lock:
            self.injected.append((call_number, kind))
        return self._fault(kind, request)

    def _fault(self, kind: FaultKind, request: RecordedRequest) -> Reply:
        match kind:
            case "rate_limit":
                return Reply.error(429, "Rate limit reached (injected)")
            case "rate_limit_retry_after":
                return Reply.error(
                    429, "Rate limit reached (injected)", retry_after=self.retry_after
                )
            case "server_error":
                return Reply.error(500, "Internal server error (injected)")
            case "bad_gateway":
                return Reply.error(502, "Bad gateway (injected)")
            case "unavailable":
                return Reply.error(503, "Service unavailable (injected)")
            case "reset":
                return Reply.reset()
            case "slow":
                return self._inner(request).with_delay(self.slow_seconds)
            case "invalid_json":
                return Reply.invalid_json()
            case "empty_choices":
                return Reply.empty_choices()


def faulty(
    responder: ResponderLike,
    rate: float = 0.2,
    seed: int = 0,
    kinds: Sequence[FaultKind] = ALL_FAULTS,
    *,
    slow_seconds: float = 2.0,
    retry_after: float = 1.0,
) -> Faulty:
    """`responder` with faults injected into about `rate` of the calls, repeatably per seed."""
    return Faulty(
        responder,
        rate=rate,
        seed=seed,
        kinds=kinds,
        slow_seconds=slow_seconds,
        retry_after=retry_after,
    )


# ---------------------------------------------------------------------------
# Rendering replies as OpenAI JSON


def _usage(reply: Reply, request: RecordedRequest) -> dict[str, int]:
    if reply.usage is not None:
        prompt, completion = reply.usage
    else:
        prompt = _estimate_tokens(request.prompt_text())
        if request.tools:
            prompt += _estimate_tokens(json.dumps(request.tools))
        out = (reply.content or "") + (reply.refusal_text or "")
        out += "".join(c.name + c.arguments for c in reply.tool_calls)
        completion = _estimate_tokens(out)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _render_chat(reply: Reply, request: RecordedRequest, created: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"chatcmpl-fake-{request.index}",
        "object": "chat.completion",
        "created": created,
        "model": reply.model or request.model or DEFAULT_MODEL,
        "choices": [],
        "usage": _usage(reply, request),
        "system_fingerprint": "fp_fake",
    }
    if reply.kind == "empty_choices":
        return body
    message: dict[str, Any] = {
        "role": "assistant",
        "content": reply.content,
        "refusal": reply.refusal_text,
    }
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_fake_{request.index}_{i}",
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for i, call in enumerate(reply.tool_calls)
        ]
    finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
    body["choices"] = [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}]
    return body


def _render_completion(reply: Reply, request: RecordedRequest, created: int) -> dict[str, Any]:
    finish = reply.finish_reason if reply.finish_reason in ("length", "content_filter") else "stop"
    choices = [{"index": 0, "text": reply.content or "", "finish_reason": finish, "logprobs": None}]
    return {
        "id": f"cmpl-fake-{request.index}",
        "object": "text_completion",
        "created": created,
        "model": reply.model or request.model or DEFAULT_MODEL,
        "choices": [] if reply.kind == "empty_choices" else choices,
        "usage": _usage(reply, request),
    }


def _render_ok(reply: Reply, request: RecordedRequest) -> dict[str, Any]:
    render = _render_completion if request.is_completion else _render_chat
    return render(reply, request, int(time.time()))


def _error_body(
    status: int, message: str | None, type_: str | None = None, code: str | None = None
) -> dict[str, Any]:
    default_type, default_code = _ERROR_TYPES.get(status, ("server_error", None))
    return {
        "error": {
            "message": message or f"Fake server error {status}",
            "type": type_ or default_type,
            "param": None,
            "code": code or default_code,
        }
    }


def _reply_error_body(reply: Reply) -> dict[str, Any]:
    return _error_body(reply.status, reply.message, reply.error_type, reply.error_code)


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


# ---------------------------------------------------------------------------
# Server state: recordings, files, batches


@dataclass
class _StoredFile:
    obj: dict[str, Any]
    content: bytes


@dataclass
class _Batch:
    obj: dict[str, Any]
    created_mono: float


class _State:
    """Everything the handlers share; one lock guards it all."""

    def __init__(self, responder: Responder, batch_delay: float, models: Sequence[str]) -> None:
        self.responder = responder
        self.batch_delay = batch_delay
        self.models = tuple(models)
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self.changed = threading.Condition(self.lock)
        self.requests: list[RecordedRequest] = []
        self.counters: Counter[str] = Counter()
        self.errors: list[BaseException] = []
        self.files: dict[str, _StoredFile] = {}
        self.batches: dict[str, _Batch] = {}
        self._ids = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        with self.lock:
            return f"{prefix}{next(self._ids):06d}"

    def record(
        self,
        method: str,
        path: str,
        headers: Iterable[tuple[str, str]],
        body: Any,
        *,
        batch_id: str | None = None,
        custom_id: str | None = None,
        client_port: int | None = None,
    ) -> RecordedRequest:
        kept: dict[str, str] = {}
        has_auth = False
        for name, value in headers:
            lower = name.lower()
            if lower == "authorization":
                has_auth = True
            if lower not in _SECRET_HEADERS:
                kept[lower] = value
        with self.lock:
            request = RecordedRequest(
                index=len(self.requests),
                method=method,
                path=path,
                headers=MappingProxyType(kept),
                has_authorization=has_auth,
                body=body,
                received_at=time.monotonic(),
                batch_id=batch_id,
                custom_id=custom_id,
                client_port=client_port,
            )
            self.requests.append(request)
            self.counters["requests"] += 1
            self.counters["batch_lines" if batch_id else "http_requests"] += 1
            self.changed.notify_all()
        return request

    def count(self, key: str) -> None:
        with self.lock:
            self.counters[key] += 1

    def note_error(self, error: BaseException) -> None:
        with self.lock:
            self.errors.append(error)
            self.counters["server_errors"] += 1

    def reply_for(self, request: RecordedRequest) -> Reply:
        try:
            reply = self.responder(request)
        except Exception as exc:  # a broken responder must show up in the test, not hang it
            self.note_error(exc)
            reply = Reply.error(500, f"fake server responder raised {type(exc).__name__}: {exc}")
        if not isinstance(reply, Reply):
            self.note_error(TypeError(f"responder returned {type(reply).__name__}, not Reply"))
            reply = Reply.error(500, "fake server responder did not return a Reply")
        self.count(f"reply_{'ok' if reply.kind == 'chat' else reply.kind}")
        if reply.delay:
            self.count("reply_delayed")
        return reply

    # -- files --------------------------------------------------------------

    def add_file(self, filename: str, purpose: str, content: bytes) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "id": self.new_id("file-fake"),
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
            "expires_at": None,
            "status_details": None,
        }
        with self.lock:
            self.files[obj["id"]] = _StoredFile(obj, content)
        return obj

    # -- batches ------------------------------------------------------------

    def create_batch(self, body: Mapping[str, Any]) -> dict[str, Any]:
        now = int(time.time())
        obj: dict[str, Any] = {
            "id": self.new_id("batch_fake"),
            "object": "batch",
            "endpoint": body["endpoint"],
            "input_file_id": body["input_file_id"],
            "completion_window": body.get("completion_window", "24h"),
            "status": "validating",
            "created_at": now,
            "expires_at": now + 24 * 3600,
            "in_progress_at": None,
            "finalizing_at": None,
            "completed_at": None,
            "failed_at": None,
            "expired_at": None,
            "cancelling_at": None,
            "cancelled_at": None,
            "output_file_id": None,
            "error_file_id": None,
            "errors": None,
            "metadata": body.get("metadata"),
            "model": None,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "usage": None,
        }
        with self.lock:
            self.batches[obj["id"]] = _Batch(obj, time.monotonic())
        return obj

    def advance_batch(self, batch_id: str) -> dict[str, Any] | None:
        """Move a batch along on a poll; processing happens once its delay has passed."""
        with self.lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return None
            obj = batch.obj
            now = int(time.time())
            if obj["status"] == "cancelling":
                obj.update(status="cancelled", cancelled_at=now)
            elif obj["status"] in ("validating", "in_progress"):
                if time.monotonic() - batch.created_mono >= self.batch_delay:
                    self._run_batch(batch)
                elif obj["status"] == "validating":
                    obj.update(status="in_progress", in_progress_at=now)
            return dict(obj)

    def _run_batch(self, batch: _Batch) -> None:
        obj = batch.obj
        now = int(time.time())
        obj["in_progress_at"] = obj["in_progress_at"] or now
        stored = self.files.get(obj["input_file_id"])
        lines, problems = _parse_batch_lines(stored.content if stored else b"", obj["endpoint"])
        if stored is None:
            problems = [_batch_problem("invalid_file", None, "input file no longer exists")]
        if problems:
            obj.update(status="failed", failed_at=now, errors={"object": "list", "data": problems})
            return
        outputs: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        tokens_in = tokens_out = 0
        for line in lines:
            request = self.record(
                str(line.get("method", "POST")),
                str(line["url"]),
                (),
                line.get("body"),
                batch_id=obj["id"],
                custom_id=str(line["custom_id"]),
            )
            result, ok = self._batch_line_result(request)
            if ok:
                usage = result["response"]["body"]["usage"]
                tokens_in += usage["prompt_tokens"]
                tokens_out += usage["completion_tokens"]
            (outputs if ok else failures).append(result)
        first_model = lines[0].get("body", {}).get("model") if lines else None
        obj.update(
            status="completed",
            finalizing_at=now,
            completed_at=now,
            model=first_model if isinstance(first_model, str) else None,
            request_counts={
                "total": len(lines),
                "completed": len(outputs),
                "failed": len(failures),
            },
            usage={
                "input_tokens": tokens_in,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": tokens_out,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": tokens_in + tokens_out,
            },
        )
        if outputs:
            obj["output_file_id"] = self._jsonl_file(f"{obj['id']}_output.jsonl", outputs)["id"]
        if failures:
            obj["error_file_id"] = self._jsonl_file(f"{obj['id']}_error.jsonl", failures)["id"]

    def _batch_line_result(self, request: RecordedRequest) -> tuple[dict[str, Any], bool]:
        # Delays and resets have no meaning inside a batch file: a reset line fails
        # without a response, as a line the provider could not complete.
        reply = self.reply_for(request)
        line: dict[str, Any] = {
            "id": f"batch_req_fake_{request.index}",
            "custom_id": request.custom_id,
            "response": None,
            "error": None,
        }
        request_id = f"req_fake_{request.index}"
        if reply.kind in ("chat", "empty_choices"):
            body = _render_ok(reply, request)
            line["response"] = {"status_code": 200, "request_id": request_id, "body": body}
            return line, True
        if reply.kind == "error":
            body = _reply_error_body(reply)
            line["response"] = {"status_code": reply.status, "request_id": request_id, "body": body}
        else:
            line["error"] = {"code": "server_error", "message": f"fake server: {reply.kind}"}
        return line, False

    def _jsonl_file(self, filename: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        content = "".join(json.dumps(row) + "\n" for row in rows).encode()
        return self.add_file(filename, "batch_output", content)

    def cancel_batch(self, batch_id: str) -> dict[str, Any] | None:
        with self.lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return None
            if batch.obj["status"] in ("validating", "in_progress"):
                batch.obj.update(status="cancelling", cancelling_at=int(time.time()))
            return dict(batch.obj)


def _batch_problem(code: str, line: int | None, message: str) -> dict[str, Any]:
    return {"code": code, "line": line, "message": message, "param": None}


def _parse_batch_lines(
    content: bytes, endpoint: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    lines: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, raw in enumerate(content.decode("utf-8", "replace").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(_batch_problem("invalid_json_line", number, f"not JSON: {exc}"))
            continue
        if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
            problems.append(_batch_problem("missing_required_parameter", number, "custom_id"))
            continue
        if line["custom_id"] in seen:
            problems.append(_batch_problem("duplicate_custom_id", number, line["custom_id"]))
            continue
        if line.get("url") != endpoint:
            message = f"url {line.get('url')!r} differs from the batch endpoint {endpoint!r}"
            problems.append(_batch_problem("mismatched_endpoint", number, message))
            continue
        seen.add(line["custom_id"])
        lines.append(line)
    if not lines and not problems:
        problems.append(_batch_problem("empty_file", None, "the input file has no requests"))
    return lines, problems


def _parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Form fields as name -> (filename, bytes); byte-exact, unlike the email parser."""
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_boundary()
    if not boundary:
        raise ValueError("multipart body without a boundary")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if part.startswith(b"--"):
            break
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        part_headers = Message()
        for raw_line in head.decode("latin-1").split("\r\n"):
            name, sep, value = raw_line.partition(":")
            if sep:
                part_headers[name.strip()] = value.strip()
        field_name = part_headers.get_param("name", header="content-disposition")
        if isinstance(field_name, str):
            fields[field_name] = (part_headers.get_filename(), data)
    return fields


# ---------------------------------------------------------------------------
# HTTP


class _HTTPServer(ThreadingHTTPServer):
    # Connection threads are tracked here and joined in `close`; the stock
    # ThreadingMixIn join would wait forever on idle keep-alive connections.
    daemon_threads = True
    block_on_close = False
    # Benchmarks open dozens of connections at once; the default backlog of 5
    # makes the kernel drop the excess and the clients see resets.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], state: _State) -> None:
        self.state = state
        self._live: dict[threading.Thread, socket.socket] = {}
        self._live_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="fake-openai-connection",
            daemon=True,
        )
        with self._live_lock:
            self._live[thread] = request
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._live_lock:
                self._live.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        # Clients hanging up (timeouts, resets) are normal here, not server bugs.
        if error is not None and not isinstance(error, ConnectionError | TimeoutError):
            self.state.note_error(error)

    def close_connections(self, timeout: float) -> list[threading.Thread]:
        """Wake every connection thread, join them; return those still alive."""
        with self._live_lock:
            live = list(self._live.items())
        for _thread, sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for thread, _sock in live:
            thread.join(max(0.0, deadline - time.monotonic()))
        return [thread for thread, _sock in live if thread.is_alive()]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle plus the
    # client's delayed ACK adds ~40 ms to every response.
    disable_nagle_algorithm = True
    server_version = "FakeOpenAI/1.0"

    @property
    def _state(self) -> _State:
        return cast(_HTTPServer, self.server).state

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `srv.requests`, not stderr."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # -- plumbing -------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(
        self,
        status: int,
        payload: bytes,
        *,
        content_type: str = "application/json",
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-request-id", self._request_id)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _send_json(self, status: int, obj: Any, headers: Sequence[tuple[str, str]] = ()) -> None:
        self._send(status, json.dumps(obj).encode(), headers=headers)

    def _send_error_json(self, status: int, message: str) -> None:
        self._send_json(status, _error_body(status, message))

    def _reset(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-request-id", self._request_id)
        self.end_headers()
        self.wfile.write(payload[: len(payload) // 2])
        # Let the partial body reach the client before the RST, as a dying upstream would.
        self._state.stopping.wait(0.05)
        self.close_connection = True
        # Linger 0 makes close() send RST instead of FIN: a real "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()

    def _dispatch(self, method: str) -> None:
        raw = self._read_body()
        path = urlsplit(self.path).path
        content_type = self.headers.get("Content-Type", "")
        body: Any = None
        bad_json = False
        form: dict[str, tuple[str | None, bytes]] = {}
        if content_type.startswith("multipart/form-data"):
            try:
                form = _parse_multipart(content_type, raw)
            except ValueError:
                bad_json = True
            body = {
                name: (
                    value.decode("utf-8", "replace")
                    if filename is None
                    else {"filename": filename, "bytes": len(value)}
                )
                for name, (filename, value) in form.items()
            }
        elif raw:
            try:
                body = json.loads(raw)
            except ValueError:
                bad_json = True
        port = self.client_address[1] if isinstance(self.client_address, tuple) else None
        request = self._state.record(method, path, self.headers.items(), body, client_port=port)
        self._request_id = f"req_fake_{request.index}"
        try:
            if bad_json:
                self._send_error_json(400, "The request body is not valid JSON or multipart.")
            else:
                self._route(request, form)
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away (e.g. its timeout fired)
        except Exception as exc:
            self._state.note_error(exc)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._send_error_json(500, f"fake server bug: {type(exc).__name__}: {exc}")

    # -- routes ---------------------------------------------------------------

    def _route(
        self, request: RecordedRequest, form: Mapping[str, tuple[str | None, bytes]]
    ) -> None:
        method, endpoint = request.method, request.endpoint
        parts = [p for p in endpoint.split("/") if p]
        state = self._state
        if method == "POST" and endpoint in ("/chat/completions", "/completions"):
            state.count("chat_completions" if request.is_chat else "completions")
            self._serve_reply(request, state.reply_for(request))
        elif method == "GET" and parts[:1] == ["models"]:
            state.count("models")
            self._models(parts[1:])
        elif parts[:1] == ["files"]:
            state.count("files")
            self._files(method, parts[1:], form)
        elif parts[:1] == ["batches"]:
            state.count("batches")
            self._batches(method, parts[1:], request.json)
        else:
            self._send_error_json(
                404, f"Unknown endpoint {method} {request.path} on the fake server."
            )

    def _serve_reply(self, request: RecordedRequest, reply: Reply) -> None:
        if reply.delay > 0 and self._state.stopping.wait(reply.delay):
            self.close_connection = True  # shutting down: drop the request
            return
        if reply.kind == "error":
            headers: list[tuple[str, str]] = []
            if reply.retry_after is not None:
                headers.append(("Retry-After", _format_seconds(reply.retry_after)))
            self._send_json(reply.status, _reply_error_body(reply), headers)
        elif reply.kind == "invalid_json":
            self._send(200, _INVALID_JSON)
        elif reply.kind == "reset":
            self._reset(json.dumps(_render_ok(replace(reply, kind="chat"), request)).encode())
        else:
            self._send_json(200, _render_ok(reply, request))

    def _models(self, rest: list[str]) -> None:
        models = [
            {"id": m, "object": "model", "created": 0, "owned_by": "summarizer-testing"}
            for m in self._state.models
        ]
        if not rest:
            self._send_json(200, {"object": "list", "data": models})
            return
        wanted = "/".join(rest)
        found = [m for m in models if m["id"] == wanted]
        if found:
            self._send_json(200, found[0])
        else:
            self._send_error_json(404, f"The model {wanted!r} does not exist on the fake server.")

    def _files(
        self, method: str, rest: list[str], form: Mapping[str, tuple[str | None, bytes]]
    ) -> None:
        state = self._state
        if method == "POST" and not rest:
            filename, content = form.get("file", (None, b""))
            purpose = form.get("purpose", (None, b""))[1].decode("utf-8", "replace")
            if filename is None or not purpose:
                self._send_error_json(400, "Upload needs multipart fields 'file' and 'purpose'.")
                return
            self._send_json(200, state.add_file(filename, purpose, content))
            return
        if method == "GET" and not rest:
            with state.lock:
                data = [dict(f.obj) for f in state.files.values()]
            self._send_json(200, {"object": "list", "data": data, "has_more": False})
            return
        with state.lock:
            stored = state.files.get(rest[0]) if rest else None
        if stored is None:
            self._send_error_json(404, f"No such file: {'/'.join(rest)!r}.")
        elif method == "GET" and len(rest) == 1:
            self._send_json(200, stored.obj)
        elif method == "GET" and rest[1:] == ["content"]:
            self._send(200, stored.content, content_type="application/octet-stream")
        elif method == "DELETE" and len(rest) == 1:
            with state.lock:
                state.files.pop(rest[0], None)
            self._send_json(200, {"id": rest[0], "object": "file", "deleted": True})
        else:
            self._send_error_json(404, f"Unknown files endpoint {method} /files/{'/'.join(rest)}.")

    def _batches(self, method: str, rest: list[str], body: Mapping[str, Any]) -> None:
        state = self._state
        if method == "POST" and not rest:
            input_file_id = body.get("input_file_id")
            endpoint = body.get("endpoint")
            with state.lock:
                known = input_file_id in state.files
            if endpoint not in _BATCH_ENDPOINTS:
                message = f"endpoint must be one of {sorted(_BATCH_ENDPOINTS)}, got {endpoint!r}."
                self._send_error_json(400, message)
            elif not known:
                self._send_error_json(400, f"input_file_id {input_file_id!r} was not uploaded.")
            else:
                self._send_json(200, state.create_batch(body))
            return
        if method == "GET" and not rest:
            with state.lock:
                ids = list(state.batches)
            data = [state.advance_batch(batch_id) for batch_id in ids]
            page = {
                "object": "list",
                "data": data,
                "has_more": False,
                "first_id": ids[0] if ids else None,
                "last_id": ids[-1] if ids else None,
            }
            self._send_json(200, page)
            return
        if method == "GET" and len(rest) == 1:
            found = state.advance_batch(rest[0])
        elif method == "POST" and rest[1:] == ["cancel"]:
            found = state.cancel_batch(rest[0])
        else:
            self._send_error_json(
                404, f"Unknown batches endpoint {method} /batches/{'/'.join(rest)}."
            )
            return
        if found is None:
            self._send_error_json(404, f"No such batch: {rest[0]!r}.")
        else:
            self._send_json(200, found)

    _request_id = "req_fake"


# ---------------------------------------------------------------------------
# Public server object


class FakeOpenAIServer:
    """An OpenAI-compatible server on 127.0.0.1 answering from `responder`.

    `responder` is a callable (RecordedRequest -> Reply) or a list/iterator of
    Replies consumed in order (then `Reply.chat("OK")`). Batches complete on the
    first poll after `batch_delay` seconds.
    """

    def __init__(
        self,
        responder: ResponderLike | None = None,
        *,
        port: int = 0,
        batch_delay: float = 0.0,
        models: Sequence[str] = (DEFAULT_MODEL,),
    ) -> None:
        self._state = _State(_as_responder(responder), batch_delay, models)
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            raise RuntimeError("FakeOpenAIServer is already started; use one `with` block.")
        self._httpd = _HTTPServer(("127.0.0.1", self._port), self._state)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-openai-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Stop serving, wake delayed replies, close connections and join every thread."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._state.stopping.set()
        httpd.shutdown()
        thread.join(timeout)
        leaked = httpd.close_connections(timeout)
        httpd.server_close()
        self._httpd = self._thread = None
        if leaked or thread.is_alive():
            raise RuntimeError(f"FakeOpenAIServer left {len(leaked)} connection threads running")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.close()
        except RuntimeError:
            if exc is None:  # never mask the test's own failure with a leak report
                raise

    # -- addresses --------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeOpenAIServer is not started; use it in a `with` block.")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What to pass as `base_url` to `openai.OpenAI`."""
        return f"{self.url}/v1"

    # -- recordings -------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request so far, in arrival order."""
        with self._state.lock:
            return list(self._state.requests)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """Requests whose endpoint (path without /v1) is `endpoint`, e.g. "/chat/completions"."""
        return [r for r in self.requests if r.endpoint == endpoint]

    @property
    def counters(self) -> dict[str, int]:
        """Counts of requests, routes and reply kinds (reply_ok, reply_error, reply_reset...)."""
        with self._state.lock:
            return dict(self._state.counters)

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised inside the server (responder bugs); empty in a healthy test."""
        with self._state.lock:
            return list(self._state.errors)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        """Block until at least `count` requests were recorded; False on timeout."""
        with self._state.changed:
            return self._state.changed.wait_for(lambda: len(self._state.requests) >= count, timeout)


# ---------------------------------------------------------------------------
# Process mode


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m summarizer.testing.server",
        description="Fake OpenAI-compatible server; prints its base URL on the first line.",
    )
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="latency of every reply")
    parser.add_argument(
        "--answer", help="JSON file answered to every chat request (as instructor expects)"
    )
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-delay", type=float, default=0.0, help="seconds")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    responder: Responder = _as_responder(None)
    if args.answer:
        with open(args.answer, encoding="utf-8") as handle:
            responder = json_answer(json.load(handle))
    if args.fault_rate > 0:
        responder = faulty(responder, rate=args.fault_rate, seed=args.seed)
    if args.delay_ms > 0:
        responder = delayed(responder, args.delay_ms / 1000.0)
    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    with FakeOpenAIServer(responder, port=args.port, batch_delay=args.batch_delay) as server:
        print(server.base_url, flush=True)  # the process contract: URL first
        while not stop.wait(0.2):
            pass
        print(json.dumps(server.counters, sort_keys=True), file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

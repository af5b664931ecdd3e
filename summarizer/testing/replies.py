"""What the fake server answers: replies, scripts of replies, fault injection."""

from __future__ import annotations

import itertools
import json
import random
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

__all__ = [
    "ALL_FAULTS",
    "DEFAULT_MODEL",
    "DEFAULT_REPLY",
    "FaultKind",
    "Faulty",
    "FinishReason",
    "Reply",
    "ReplyKind",
    "Responder",
    "ResponderLike",
    "Script",
    "ToolCall",
    "as_responder",
    "delayed",
    "faulty",
    "json_answer",
]

from summarizer.testing.recorded import RecordedRequest, message_text

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


def as_responder(responder: ResponderLike | None) -> Responder:
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
    return any("```json" in message_text(m) for m in request.messages)


def delayed(responder: ResponderLike, seconds: float) -> Responder:
    """Every reply of `responder`, sent `seconds` later (simulated model latency)."""
    inner = as_responder(responder)
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
        self._inner = as_responder(responder)
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

"""Any OpenAI-compatible endpoint, through `openai` + `instructor`.

instructor validates the answer against the draft schema and re-asks on
validation errors (bounded by `max_reasks`); each HTTP request inside it is
retried by tenacity on transient failures (bounded by `max_attempts` per request
and `max_retry_seconds` overall). A request that still fails ends as a
`TransportError`, which instructor does not re-ask, so the caps never multiply.
Responses can be recorded to, or replayed from, a content-addressed store.
`chat_request` builds a request and its store key without sending it, and
`extract(..., answer=...)` takes the answer when it came another way (the Batch API).

What each failure ends as (attempts = HTTP requests made, never above the caps):
- 429 / 408 / 409 / 425 / 5xx, timeouts, resets, a 200 body that is not JSON, a 200 with
  no choices: retried (Retry-After honoured), then `TransportError`;
- 429 `insufficient_quota` and other 4xx (401: "check OPENAI_API_KEY"): `TransportError`
  at once; the API key is scrubbed from every message;
- an answer that does not fit the schema: re-asked up to `max_reasks`, then
  `ModelOutputError`; a quote not in the article: one re-ask, then accepted (grounding
  decides);
- a refusal, or an answer cut at max_tokens: `ModelOutputError` at once (asking again
  would get the same answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import random
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import instructor
import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, Retrying, retry_if_exception

from summarizer.backends.base import Backend, ModelResult, StructuredResult
from summarizer.config import DEFAULT_OPENAI_MODEL, Settings
from summarizer.draft_schema import DraftSummary, QuoteCheck, checking_quotes, draft_json_schema
from summarizer.errors import (
    ConfigError,
    EndpointConfigError,
    ModelError,
    ModelOutputError,
    ReplayMissError,
    StoreError,
    TransportError,
)
from summarizer.extra_fields import draft_type
from summarizer.prompts import PromptInput, prompts_version, render_messages
from summarizer.retry import BackoffPolicy, MalformedResponseError, internal_cause, is_transient
from summarizer.stores.responses import ResponseStore, StoreMode, content_key

# instructor logs every failed attempt at ERROR; without a handler Python's last-resort
# handler would print them. Ours are counted and raised instead; a configured root still sees them.
logging.getLogger("instructor").addHandler(logging.NullHandler())

_MODES = {
    "tools": instructor.Mode.TOOLS,
    "json": instructor.Mode.JSON,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "md_json": instructor.Mode.MD_JSON,
}
# Modes whose answer is the bare JSON text of the message content.
_BARE_JSON_MODES = frozenset({instructor.Mode.JSON, instructor.Mode.JSON_SCHEMA})

# Request fields that decide the answer; anything else (timeouts, headers) does not.
# The user's key, base URL or model name is wrong: asking again cannot help.
_CONFIGURATION_STATUSES = frozenset({401, 403, 404})
_KEY_FIELDS = (
    "model", "messages", "tools", "tool_choice", "response_format", "temperature",
    "max_tokens", "seed", "top_p", "stop",
)

_KEPT_FAILING = "the endpoint kept failing: try again later or lower --concurrency/--rpm"

_Create = Callable[..., ChatCompletion]
# One event loop's clients: the loop (weakly), its openai client and the HTTP client under it.
_LoopClient = tuple[weakref.ref[asyncio.AbstractEventLoop], openai.AsyncOpenAI, openai.DefaultAsyncHttpxClient]
_ACreate = Callable[..., Awaitable[ChatCompletion]]
_M = TypeVar("_M", bound=BaseModel)


@dataclass
class _CallStats:
    """Counts for one `extract`: every HTTP attempt, and every answer received or replayed."""

    attempts: int = 0
    answers: int = 0
    replayed_answers: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def attempt(self) -> None:
        with self.lock:
            self.attempts += 1

    def answered(self, completion: ChatCompletion, *, replayed: bool) -> None:
        usage = completion.usage
        with self.lock:
            self.answers += 1
            self.replayed_answers += int(replayed)
            if usage is not None:
                self.tokens_in += int(usage.prompt_tokens or 0)
                self.tokens_out += int(usage.completion_tokens or 0)


def _status(exc: BaseException) -> int | None:
    return exc.status_code if isinstance(exc, openai.APIStatusError) else None


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error")
        message = body.get("message") or (inner.get("message") if isinstance(inner, dict) else None)
        if message:
            return str(message)
    return ""


def _repair_json_text(content: str) -> str | None:
    """Re-encode JSON whose strings hold raw control characters, or None if nothing to repair.

    llama.cpp grammars (llama-cpp-python 0.3.x) let raw newlines into JSON strings; strict
    parsers (pydantic, and so instructor) reject that, though the structure is valid.
    """
    try:
        json.loads(content)
        return None
    except ValueError:
        pass
    try:
        value = json.loads(content, strict=False)
    except ValueError:
        return None
    return json.dumps(value, ensure_ascii=False)


@functools.cache
def _response_model(draft: type[DraftSummary] = DraftSummary) -> type[DraftSummary]:
    """The draft prepared for instructor once per draft type: instructor 1.17 otherwise
    wraps it in a new ResponseSchema class on every request, so its schema cache never hits
    (about 5 ms of CPU per request, measured by benchmarks/bench_batch.py)."""
    from instructor.v2.core.function_calls import response_schema

    prepared: type[DraftSummary] = response_schema(draft)
    return prepared


@dataclass(frozen=True)
class ChatRequest:
    """One chat request exactly as a live call sends it, and its key in the response store."""

    body: dict[str, Any]
    """The JSON body: instructor's arguments for the backend's mode, after `prepare_request`."""
    key: str
    """`request_key(body)`: where a response store files the answer to this request."""


class OpenAIBackend(Backend):
    name = "openai"

    def __init__(
        self,
        settings: Settings,
        *,
        store: ResponseStore | None = None,
        store_mode: StoreMode = "off",
    ) -> None:
        self.settings = settings
        self.model = settings.model or DEFAULT_OPENAI_MODEL
        self.draft_type = draft_type(settings.summary_type)
        self.mode = _MODES[settings.instructor_mode]
        self.store = store
        self.store_mode: StoreMode = store_mode if store is not None else "off"
        self.policy = BackoffPolicy(
            max_attempts=max(1, settings.max_attempts), max_seconds=settings.max_retry_seconds
        )
        self._rng = random.Random(settings.seed)
        key = settings.api_key.get_secret_value() if settings.api_key else None
        if key is None and self.store_mode != "replay":
            if not settings.base_url:
                raise ConfigError(
                    "the openai backend needs an API key: set OPENAI_API_KEY, or give --base-url "
                    "for a local server that needs none"
                )
            key = "not-needed"
        # Kept only to scrub it from error text that a server might echo back.
        self._secret = key if key and len(key) >= 6 else None
        client_args: dict[str, Any] = {
            "api_key": key or "replay-only",
            "base_url": settings.base_url,
            "timeout": settings.timeout,
            # Retries are ours (caps, Retry-After, deadline); the client's would multiply them.
            "max_retries": 0,
        }
        self._client_args = client_args
        # The sync client is made on first use: a batch run never needs one, and each costs
        # an HTTP transport with its own SSL context (tens of ms of the CLI's start-up).
        self._sync_client: openai.OpenAI | None = None
        # An async client's connection pool belongs to the event loop that first used it, and
        # each `asyncio.run` (one per `summarize_many` or `asummarize` call) is a new loop:
        # one client per live loop, so no request ever runs on a pool of a closed loop.
        self._aclients: dict[int, _LoopClient] = {}
        self._aclients_lock = threading.Lock()

    @property
    def _client(self) -> openai.OpenAI:
        with self._aclients_lock:
            if self._sync_client is None:
                self._sync_client = openai.OpenAI(**self._client_args)
            return self._sync_client

    def _loop_client(self) -> _LoopClient:
        loop = asyncio.get_running_loop()
        with self._aclients_lock:
            for key, (ref, _client, _http) in list(self._aclients.items()):
                alive = ref()
                if alive is None or alive.is_closed():
                    # Its loop is gone, so it cannot be closed gracefully; dropping it frees it.
                    del self._aclients[key]
            entry = self._aclients.get(id(loop))
            if entry is None or entry[0]() is not loop:
                # Our own HTTP client (openai's defaults), so that `http_client` can hand it
                # out without reaching into the openai client's internals.
                http = openai.DefaultAsyncHttpxClient(timeout=self.settings.timeout)
                client = openai.AsyncOpenAI(**self._client_args, http_client=http)
                entry = (weakref.ref(loop), client, http)
                self._aclients[id(loop)] = entry
            return entry

    def async_client(self) -> openai.AsyncOpenAI:
        """The async client of the running event loop, made on its first use."""
        return self._loop_client()[1]

    def http_client(self) -> openai.DefaultAsyncHttpxClient:
        """The HTTP client under `async_client()`: engines hook rate limits into its events."""
        return self._loop_client()[2]

    def __repr__(self) -> str:
        return (
            f"OpenAIBackend(model={self.model!r}, base_url={self.settings.base_url!r}, "
            f"mode={self.settings.instructor_mode!r}, store_mode={self.store_mode!r})"
        )

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    def _scrub_exception(self, exc: BaseException) -> None:
        """Remove the key from a client exception (and those chained to it) in place.

        A server may echo the key in its error body; that exception is chained under ours,
        so a traceback (SUMMARIZER_DEBUG=1) or a caller's `logger.exception` would print it.
        """
        if self._secret is None:
            return
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            current.args = tuple(_scrubbed(a, self._secret) for a in current.args)
            for name in ("message", "body"):
                if isinstance(getattr(current, name, None), str | dict | list):
                    with contextlib.suppress(AttributeError):
                        setattr(current, name, _scrubbed(getattr(current, name), self._secret))
            current = current.__cause__ or current.__context__

    # -- the request as sent, and its identity in the store ------------------------------

    def prepare_request(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The request as sent, from instructor's arguments (the backend's own last touch)."""
        if (
            self.settings.json_object_schema
            and self.mode is instructor.Mode.JSON
            and kwargs.get("response_format") == {"type": "json_object"}
        ):
            schema_format = {"type": "json_object", "schema": draft_json_schema(self.draft_type)}
            kwargs = {**kwargs, "response_format": schema_format}
        return kwargs

    def request_key(self, kwargs: dict[str, Any]) -> str:
        """The key under which a request (as sent) is looked up in the response store."""
        return content_key({"backend": "openai", **{k: kwargs.get(k) for k in _KEY_FIELDS}})

    def chat_request(self, item: PromptInput) -> ChatRequest:
        """The first request `extract(item)` sends, built without sending anything: for callers
        that send it another way (the Batch API takes request bodies in a file)."""
        # instructor's own request builder: what its patched create runs before each call.
        from instructor.processing import handle_response_model

        _prepared, kwargs = handle_response_model(
            _response_model(self.draft_type), mode=self.mode, **self.build_request(item)
        )
        # Through JSON and back: what goes into a request file is what the key is computed from.
        body: dict[str, Any] = json.loads(
            json.dumps(self.prepare_request(kwargs), ensure_ascii=False)
        )
        return ChatRequest(body, self.request_key(body))

    def _from_store(self, key: str) -> ChatCompletion | None:
        if self.store is None or self.store_mode == "off":
            return None
        stored = self.store.get(key)
        if stored is not None:
            return ChatCompletion.model_validate(stored)
        if self.store_mode == "replay":
            raise ReplayMissError(
                f"no recorded response for this request in replay mode (prompt version "
                f"{prompts_version(self.settings.prompts)[:12]}, model {self.model}): the templates, examples, model or "
                "parameters changed since the recording, or it was never recorded. Record again "
                "without --replay (summarizer eval run SUITE --out BASELINE.json), commit the "
                "store, then replay",
                model=self.model,
                backend=self.name,
            )
        return None

    def _to_store(self, key: str, completion: ChatCompletion) -> None:
        if self.store is not None and self.store_mode == "record":
            self.store.put(key, completion.model_dump(mode="json"))

    # -- one HTTP request with transient retries -----------------------------------------

    def _retry_args(self, started: float) -> dict[str, Any]:
        remaining = max(0.0, self.policy.max_seconds - (time.monotonic() - started))
        return {
            "stop": self.policy.tenacity_stop(remaining),
            "retry": retry_if_exception(is_transient),
            "wait": self.policy.tenacity_wait(self._rng),
            "reraise": True,
        }

    @staticmethod
    def _usable(completion: ChatCompletion) -> ChatCompletion:
        if not completion.choices:
            raise MalformedResponseError("the endpoint answered with no choices")
        return completion

    def _transport_error(
        self, exc: BaseException, stats: _CallStats
    ) -> ModelError | EndpointConfigError | None:
        """The error a failed request ends with; None for exceptions that are not transport's."""
        self._scrub_exception(exc)
        status = _status(exc)
        if isinstance(exc, openai.APITimeoutError):
            reason = f"the request timed out after {self.settings.timeout:g} s"
            hint = "raise --timeout, or try again when the endpoint is less busy"
        elif isinstance(exc, openai.APIConnectionError):
            reason = "the connection failed or was dropped"
            hint = "check that --base-url is right and the server is up, then try again"
        elif isinstance(exc, openai.APIStatusError):
            detail = _server_message(exc)[:300]
            reason = f"HTTP {status}" + (f" ({detail})" if detail else "")
            hint = {
                400: "the endpoint rejected the request: check the model name, max_tokens and "
                "the server's context size",
                401: "the endpoint rejected the API key: check OPENAI_API_KEY (or api_key=) and "
                "that it belongs to this endpoint",
                403: "the API key may not use this model or endpoint: check its permissions",
                404: "check the model name and --base-url (it usually ends in /v1)",
            }.get(status or 0, _KEPT_FAILING)
        elif isinstance(exc, json.JSONDecodeError):
            reason = "the endpoint sent a 200 whose body is not valid JSON (truncated or garbled)"
            hint = "check any proxy between you and the endpoint, then try again"
        elif isinstance(exc, MalformedResponseError):
            reason = str(exc)
            hint = "the endpoint is misbehaving: try again later or use another endpoint"
        else:
            return None
        if status in _CONFIGURATION_STATUSES:
            return EndpointConfigError(
                self._scrub(f"{self.model}: {reason} after {stats.attempts} attempt(s): {hint}"),
                model=self.model,
                backend=self.name,
                status=status,
                attempts=stats.attempts,
            )
        return TransportError(
            self._scrub(f"{self.model}: {reason} after {stats.attempts} attempt(s): {hint}"),
            model=self.model,
            backend=self.name,
            status=status,
            attempts=stats.attempts,
        )

    def _checked(self, completion: ChatCompletion, stats: _CallStats) -> ChatCompletion:
        """Fail fast on refusals, and repair what strict JSON parsing would reject needlessly."""
        message = completion.choices[0].message
        refusal = getattr(message, "refusal", None)
        if refusal:
            # Asking again for the same article rarely changes a policy decision; it costs money.
            raise ModelOutputError(
                self._scrub(
                    f"{self.model} refused to answer ({str(refusal)[:200]}): the article may "
                    "trip the provider's content policy; try another model"
                ),
                model=self.model,
                backend=self.name,
                attempts=stats.attempts,
            )
        if self.mode in _BARE_JSON_MODES and message.content:
            repaired = _repair_json_text(message.content)
            if repaired is not None:
                completion = completion.model_copy(deep=True)
                completion.choices[0].message.content = repaired
        return completion

    def _create_sync(
        self, stats: _CallStats, started: float, answer: ChatCompletion | None = None
    ) -> _Create:
        given = [answer] if answer is not None else []

        def create(*args: Any, **kwargs: Any) -> ChatCompletion:
            if given:  # the first request, already answered elsewhere: re-asks are sent
                first = given.pop()
                stats.answered(first, replayed=False)
                return self._checked(first, stats)
            kwargs = self.prepare_request(kwargs)
            key = self.request_key(kwargs) if self.store_mode != "off" else ""
            completion = self._from_store(key)
            replayed = completion is not None
            if completion is None:
                try:
                    for attempt in Retrying(**self._retry_args(started)):
                        with attempt:
                            stats.attempt()
                            completion = self._usable(
                                self._client.chat.completions.create(*args, **kwargs)
                            )
                except Exception as exc:
                    bug = internal_cause(exc)
                    if bug is not None:
                        raise bug from None
                    error = self._transport_error(exc, stats)
                    if error is None:
                        raise
                    raise error from exc
                assert completion is not None  # the loop either returned an answer or raised
                self._to_store(key, completion)
            stats.answered(completion, replayed=replayed)
            return self._checked(completion, stats)

        return create

    def _create_async(
        self, stats: _CallStats, started: float, answer: ChatCompletion | None = None
    ) -> _ACreate:
        given = [answer] if answer is not None else []

        async def create(*args: Any, **kwargs: Any) -> ChatCompletion:
            if given:  # the first request, already answered elsewhere: re-asks are sent
                first = given.pop()
                stats.answered(first, replayed=False)
                return self._checked(first, stats)
            kwargs = self.prepare_request(kwargs)
            # Hashing the whole request costs about as much as rendering it: only with a store.
            key = self.request_key(kwargs) if self.store_mode != "off" else ""
            # SQLite lookups are sub-millisecond: not worth a thread hop per request.
            completion = self._from_store(key)
            replayed = completion is not None
            if completion is None:
                try:
                    async for attempt in AsyncRetrying(**self._retry_args(started)):
                        with attempt:
                            stats.attempt()
                            completion = self._usable(
                                await self.async_client().chat.completions.create(*args, **kwargs)
                            )
                except Exception as exc:
                    bug = internal_cause(exc)
                    if bug is not None:
                        raise bug from None
                    error = self._transport_error(exc, stats)
                    if error is None:
                        raise
                    raise error from exc
                assert completion is not None
                self._to_store(key, completion)
            stats.answered(completion, replayed=replayed)
            return self._checked(completion, stats)

        return create

    # -- extraction ------------------------------------------------------------------------

    def build_request(self, item: PromptInput) -> dict[str, Any]:
        """instructor's arguments for `item` (model, messages, sampling), without sending them."""
        request: dict[str, Any] = {
            "model": self.model,
            "messages": render_messages(item, prompts=self.settings.prompts),
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }
        if self.settings.seed:
            request["seed"] = self.settings.seed
        return request

    def _error(
        self, exc: BaseException, stats: _CallStats
    ) -> tuple[ModelError | EndpointConfigError, BaseException | None]:
        """One of our errors for whatever ended instructor's loop, and the exception behind it."""
        root = exc
        # instructor wraps whatever ended its loop; the cause says what really happened.
        while isinstance(root, instructor.core.InstructorRetryException) and root.__cause__:
            root = root.__cause__
        common: dict[str, Any] = {
            "model": self.model, "backend": self.name, "attempts": stats.attempts
        }
        if isinstance(root, ModelError | EndpointConfigError):
            root.attempts = root.attempts or stats.attempts
            return root, root.__cause__
        if isinstance(root, StoreError):  # the store failed, not the model: say so as it is
            raise root from None
        if isinstance(root, instructor.core.IncompleteOutputException):
            return ModelOutputError(
                f"{self.model}: the answer was cut off at max_tokens={self.settings.max_tokens} "
                "before the JSON was complete: raise max_tokens, or split the article into "
                "shorter parts",
                **common,
            ), root
        transport = self._transport_error(root, stats)
        if transport is not None:  # e.g. a non-retried error raised before any answer
            return transport, root
        schema_misfit = isinstance(root, ValidationError | ValueError | IndexError | KeyError)
        if not schema_misfit and not isinstance(
            root, openai.OpenAIError | instructor.core.InstructorError
        ):
            # A bug (ours or a library's), not the model's: it keeps its own type and traceback.
            raise root
        if schema_misfit or isinstance(exc, instructor.core.InstructorRetryException):
            return ModelOutputError(
                self._scrub(
                    f"{self.model}: the answer did not fit the summary schema after "
                    f"{stats.answers} answer(s) ({_first_problem(root)}): try a stronger model, "
                    "another --instructor-mode, or more --max-reasks"
                ),
                **common,
            ), root
        return ModelError(
            self._scrub(f"{self.model}: {type(root).__name__}: {str(root)[:200]}"), **common
        ), root

    def _result(self, draft: DraftSummary, stats: _CallStats, t0: float) -> ModelResult:
        return ModelResult(
            draft=draft,
            tokens_in=stats.tokens_in,
            tokens_out=stats.tokens_out,
            attempts=stats.attempts,
            reasks=max(0, stats.answers - 1),
            latency_s=time.monotonic() - t0,
            replayed=stats.answers > 0 and stats.replayed_answers == stats.answers,
        )

    def extract(
        self,
        item: PromptInput,
        check: QuoteCheck | None = None,
        *,
        answer: ChatCompletion | None = None,
    ) -> ModelResult:
        """The draft for `item`. `answer` is the answer to `chat_request(item)` when it came
        another way (the Batch API): it is validated like one just received, and counted as
        an answer but not as an attempt (this backend sent nothing); re-asks go out live."""
        stats = _CallStats()
        t0 = time.monotonic()
        create = instructor.patch(create=self._create_sync(stats, t0, answer), mode=self.mode)
        # Rendered outside the try: a user's template that fails is their ConfigError, not the model's.
        request = self.build_request(item)
        try:
            with checking_quotes(check or QuoteCheck(lambda _q: True, 0)):
                draft = create(
                    response_model=_response_model(self.draft_type),
                    max_retries=self.settings.max_reasks,
                    **request,
                )
        except Exception as exc:  # every failure becomes one of ours, with attempts and model
            error, cause = self._error(exc, stats)
            raise error from cause
        return self._result(draft, stats, t0)

    async def aextract(
        self,
        item: PromptInput,
        check: QuoteCheck | None = None,
        *,
        answer: ChatCompletion | None = None,
    ) -> ModelResult:
        """`extract`, without blocking the event loop."""
        stats = _CallStats()
        t0 = time.monotonic()
        create = instructor.patch(create=self._create_async(stats, t0, answer), mode=self.mode)
        # Rendered outside the try: a user's template that fails is their ConfigError, not the model's.
        request = self.build_request(item)
        try:
            with checking_quotes(check or QuoteCheck(lambda _q: True, 0)):
                draft = await cast(Any, create)(
                    response_model=_response_model(self.draft_type),
                    max_retries=self.settings.max_reasks,
                    **request,
                )
        except Exception as exc:
            error, cause = self._error(exc, stats)
            raise error from cause
        return self._result(draft, stats, t0)

    def structured(
        self,
        response_model: type[_M],
        messages: list[dict[str, str]],
        *,
        max_tokens: int | None = None,
    ) -> StructuredResult[_M]:
        """`messages` answered as `response_model` through instructor, with the same retries,
        re-asks and response store as `extract` (a replayed answer makes no request)."""
        stats = _CallStats()
        t0 = time.monotonic()
        send = self._create_sync(stats, t0)
        schema_format = {"type": "json_object", "schema": response_model.model_json_schema()}

        def create(*args: Any, **kwargs: Any) -> ChatCompletion:
            # The draft's schema is what `prepare_request` would put here: give this model's.
            if self.settings.json_object_schema and kwargs.get("response_format") == {
                "type": "json_object"
            }:
                kwargs = {**kwargs, "response_format": schema_format}
            return send(*args, **kwargs)

        request: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": self.settings.temperature,
            "max_tokens": max_tokens or self.settings.max_tokens,
        }
        if self.settings.seed:
            request["seed"] = self.settings.seed
        patched = instructor.patch(create=create, mode=self.mode)
        try:
            value = patched(
                response_model=response_model, max_retries=self.settings.max_reasks, **request
            )
        except Exception as exc:
            error, cause = self._error(exc, stats)
            raise error from cause
        return StructuredResult(
            value=value,
            tokens_in=stats.tokens_in,
            tokens_out=stats.tokens_out,
            attempts=stats.attempts,
            latency_s=time.monotonic() - t0,
            replayed=stats.answers > 0 and stats.replayed_answers == stats.answers,
        )

    @property
    def article_token_budget(self) -> int:
        return 24000

    async def aclose(self) -> None:
        """Close the running event loop's async client (the others close with their loops)."""
        with self._aclients_lock:
            entry = self._aclients.pop(id(asyncio.get_running_loop()), None)
        if entry is not None:
            await entry[1].close()
            await entry[2].aclose()

    def close(self) -> None:
        if self._sync_client is not None:
            self._sync_client.close()


def _scrubbed(value: Any, secret: str) -> Any:
    """`value` with `secret` replaced in every string inside it."""
    if isinstance(value, str):
        return value.replace(secret, "***")
    if isinstance(value, dict):
        return {k: _scrubbed(v, secret) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrubbed(v, secret) for v in value)
    return value


def _first_problem(exc: BaseException) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "answer"
        return f"{where}: {first.get('msg', 'invalid')}"[:200]
    lines = str(exc).splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]

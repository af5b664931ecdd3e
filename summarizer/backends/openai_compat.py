"""Any OpenAI-compatible endpoint, through `openai` + `instructor`.

instructor validates the answer against the draft schema and re-asks on
validation errors (bounded by `max_reasks`); each HTTP request inside it is
retried by tenacity on transient failures (bounded by `max_attempts` per request
and `max_retry_seconds` overall). Responses can be recorded to, or replayed from,
a content-addressed store.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import instructor
import openai
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
)

from summarizer.backends.base import Backend, ModelResult
from summarizer.config import DEFAULT_OPENAI_MODEL, Settings
from summarizer.draft import DraftSummary, QuoteCheck, checking_quotes
from summarizer.errors import ConfigError, ModelError, ModelOutputError, ReplayMissError, TransportError
from summarizer.prompts import PromptInput, render_messages
from summarizer.retry import BackoffPolicy, is_transient
from summarizer.store import ResponseStore, StoreMode, content_key

_MODES = {
    "tools": instructor.Mode.TOOLS,
    "json": instructor.Mode.JSON,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "md_json": instructor.Mode.MD_JSON,
}

# Request fields that decide the answer; anything else (timeouts, headers) does not.
_KEY_FIELDS = (
    "model", "messages", "tools", "tool_choice", "response_format", "temperature",
    "max_tokens", "seed", "top_p", "stop",
)


@dataclass
class _CallStats:
    """Counts for one `extract`: every HTTP attempt, and tokens of every answer received."""

    attempts: int = 0
    answers: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    replayed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, completion: Any) -> None:
        usage = getattr(completion, "usage", None)
        with self.lock:
            self.answers += 1
            if usage is not None:
                self.tokens_in += int(getattr(usage, "prompt_tokens", 0) or 0)
                self.tokens_out += int(getattr(usage, "completion_tokens", 0) or 0)


def _status(exc: BaseException) -> int | None:
    return exc.status_code if isinstance(exc, openai.APIStatusError) else None


def _describe(exc: BaseException) -> str:
    """A one-line reason that never includes request headers (where the key lives)."""
    if isinstance(exc, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "the connection failed or was dropped"
    if isinstance(exc, openai.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        message = body.get("message") or (body.get("error") or {}).get("message") if body else None
        detail = f": {str(message)[:200]}" if message else ""
        return f"HTTP {exc.status_code}{detail}"
    return type(exc).__name__


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
        client_args: dict[str, Any] = {
            "api_key": key or "replay-only",
            "base_url": settings.base_url,
            "timeout": settings.timeout,
            # Retries are ours (tenacity, with caps and Retry-After); the client's would multiply them.
            "max_retries": 0,
        }
        self._client = openai.OpenAI(**client_args)
        self._aclient = openai.AsyncOpenAI(**client_args)

    # -- request identity and the store -------------------------------------------------

    def _request_key(self, kwargs: dict[str, Any]) -> str:
        return content_key({"backend": "openai", **{k: kwargs.get(k) for k in _KEY_FIELDS}})

    def _from_store(self, key: str, stats: _CallStats) -> Any | None:
        if self.store is None or self.store_mode == "off":
            return None
        stored = self.store.get(key)
        if stored is not None:
            stats.replayed = True
            return openai.types.chat.ChatCompletion.model_validate(stored)
        if self.store_mode == "replay":
            raise ReplayMissError(
                "no recorded response for this request in replay mode: record it first "
                "(run without --replay), or check that prompt, model and parameters match the recording",
                model=self.model,
                backend=self.name,
            )
        return None

    def _to_store(self, key: str, completion: Any) -> None:
        if self.store is not None and self.store_mode == "record":
            self.store.put(key, completion.model_dump(mode="json"))

    # -- one HTTP request with transient retries -----------------------------------------

    def _retrying(self, stats: _CallStats, deadline_s: float) -> Retrying:
        return Retrying(
            stop=stop_after_attempt(self.policy.max_attempts) | stop_after_delay(deadline_s),
            retry=retry_if_exception(is_transient),
            wait=self.policy.tenacity_wait(self._rng),
            reraise=True,
        )

    def _create_sync(self, stats: _CallStats, started: float):  # type: ignore[no-untyped-def]
        def create(*args: Any, **kwargs: Any) -> Any:
            key = self._request_key(kwargs)
            cached = self._from_store(key, stats)
            if cached is not None:
                stats.answered(cached)
                return cached
            remaining = max(0.0, self.policy.max_seconds - (time.monotonic() - started))
            for attempt in self._retrying(stats, remaining):
                with attempt:
                    with stats.lock:
                        stats.attempts += 1
                    completion = self._client.chat.completions.create(*args, **kwargs)
            self._to_store(key, completion)
            stats.answered(completion)
            return completion

        return create

    def _create_async(self, stats: _CallStats, started: float):  # type: ignore[no-untyped-def]
        async def create(*args: Any, **kwargs: Any) -> Any:
            key = self._request_key(kwargs)
            cached = await asyncio.to_thread(self._from_store, key, stats)
            if cached is not None:
                stats.answered(cached)
                return cached
            remaining = max(0.0, self.policy.max_seconds - (time.monotonic() - started))
            retrying = AsyncRetrying(
                stop=stop_after_attempt(self.policy.max_attempts) | stop_after_delay(remaining),
                retry=retry_if_exception(is_transient),
                wait=self.policy.tenacity_wait(self._rng),
                reraise=True,
            )
            async for attempt in retrying:
                with attempt:
                    with stats.lock:
                        stats.attempts += 1
                    completion = await self._aclient.chat.completions.create(*args, **kwargs)
            await asyncio.to_thread(self._to_store, key, completion)
            stats.answered(completion)
            return completion

        return create

    # -- extraction ------------------------------------------------------------------------

    def _request(self, item: PromptInput) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.model,
            "messages": render_messages(item),
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }
        if self.settings.seed:
            request["seed"] = self.settings.seed
        return request

    def _error(self, exc: BaseException, stats: _CallStats) -> ModelError:
        root = exc
        # instructor wraps whatever ended its loop; the cause says what really happened.
        while isinstance(root, instructor.core.InstructorRetryException | RetryError) and (
            root.__cause__ or root.__context__
        ):
            root = root.__cause__ or root.__context__  # type: ignore[assignment]
        common = {"model": self.model, "backend": self.name, "attempts": stats.attempts}
        if isinstance(root, ModelError):
            root.attempts = root.attempts or stats.attempts
            return root
        if isinstance(root, openai.APIStatusError | openai.APIConnectionError):
            hint = (
                "check --base-url, the model name and the API key"
                if _status(root) in (400, 401, 403, 404)
                else "the endpoint kept failing: try again later or lower --concurrency/--rpm"
            )
            return TransportError(
                f"{self.model}: {_describe(root)} after {stats.attempts} attempt(s): {hint}",
                status=_status(root),
                **common,
            )
        if isinstance(root, ValidationError | ValueError) or isinstance(
            exc, instructor.core.InstructorRetryException
        ):
            return ModelOutputError(
                f"{self.model}: the answer did not fit the summary schema after "
                f"{stats.answers} answer(s) ({str(root).splitlines()[0][:200]}): try a stronger "
                "model, another --instructor-mode, or more --max-reasks",
                **common,
            )
        return ModelError(f"{self.model}: {type(root).__name__}: {str(root)[:200]}", **common)

    def _result(self, draft: DraftSummary, stats: _CallStats, check: QuoteCheck | None, t0: float) -> ModelResult:
        return ModelResult(
            draft=draft,
            tokens_in=stats.tokens_in,
            tokens_out=stats.tokens_out,
            attempts=stats.attempts,
            reasks=max(0, stats.answers - 1),
            latency_s=time.monotonic() - t0,
            replayed=stats.replayed,
        )

    def extract(self, item: PromptInput, check: QuoteCheck | None = None) -> ModelResult:
        stats = _CallStats()
        t0 = time.monotonic()
        create = instructor.patch(create=self._create_sync(stats, t0), mode=self.mode)
        try:
            with checking_quotes(check or QuoteCheck(lambda _q: True, 0)):
                draft = create(
                    response_model=DraftSummary,
                    max_retries=self.settings.max_reasks,
                    **self._request(item),
                )
        except Exception as exc:  # every failure becomes one of ours, with attempts and model
            raise self._error(exc, stats) from exc
        return self._result(draft, stats, check, t0)

    async def aextract(self, item: PromptInput, check: QuoteCheck | None = None) -> ModelResult:
        stats = _CallStats()
        t0 = time.monotonic()
        create = instructor.patch(create=self._create_async(stats, t0), mode=self.mode)
        try:
            with checking_quotes(check or QuoteCheck(lambda _q: True, 0)):
                draft = await create(
                    response_model=DraftSummary,
                    max_retries=self.settings.max_reasks,
                    **self._request(item),
                )
        except Exception as exc:
            raise self._error(exc, stats) from exc
        return self._result(draft, stats, check, t0)

    @property
    def article_token_budget(self) -> int:
        return 24000

    def close(self) -> None:
        self._client.close()

"""Retry policy for transient failures (429, 5xx, timeouts, dropped connections).

Exponential back-off with full jitter, a `Retry-After` from the server taking
precedence, capped in attempts and in total time. Schema-invalid answers are not
retried here: instructor re-asks those.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai
from tenacity import RetryCallState

TRANSIENT_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524})
# A 429 with one of these codes will not clear by waiting: the account is out of credit.
_PERMANENT_429_CODES = frozenset({"insufficient_quota", "billing_hard_limit_reached"})


_NETWORK_LIBRARIES = frozenset(
    {"httpx", "httpx2", "httpcore", "h11", "h2", "anyio", "aiohttp", "ssl", "socket"}
)


class MalformedResponseError(Exception):
    """A 200 whose body is unusable (e.g. no `choices`): a proxy or server glitch, worth a retry."""


def internal_cause(exc: BaseException) -> BaseException | None:
    """The bug behind an `APIConnectionError` that no network failure caused, else None.

    openai wraps *every* exception raised while sending as a connection error, a
    `RuntimeError: Event loop is closed` included; calling that a transport failure (and
    retrying it) would send the user to check a server that is fine.
    """
    if not isinstance(exc, openai.APIConnectionError) or isinstance(exc, openai.APITimeoutError):
        return None
    cause = exc.__cause__
    if cause is None or isinstance(cause, OSError | EOFError):
        return None
    # openai's HTTP stack has changed packages between versions: judge by the raising library.
    if type(cause).__module__.split(".")[0] in _NETWORK_LIBRARIES:
        return None
    return cause


def is_transient(exc: BaseException) -> bool:
    """True for failures that the same request may not meet again."""
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code == 429 and getattr(exc, "code", None) in _PERMANENT_429_CODES:
            return False
        return exc.status_code in TRANSIENT_STATUS
    # openai 3.x lets the decode error of a truncated or garbled 200 body escape unwrapped;
    # it is what a proxy that died mid-write leaves, so the same request may well succeed.
    if isinstance(exc, json.JSONDecodeError | MalformedResponseError):
        return True
    # Timeouts (APITimeoutError is a subclass) and connection errors (resets, refused).
    return isinstance(exc, openai.APIConnectionError) and internal_cause(exc) is None


def _header(headers: Any, name: str) -> str | None:
    try:
        value = headers.get(name)
    except AttributeError:
        return None
    return value if isinstance(value, str) and value.strip() else None


def retry_after_seconds(exc: BaseException, *, now: float | None = None) -> float | None:
    """The server's own wait hint, from `retry-after-ms`, or `Retry-After` in seconds or as an
    HTTP date; None when absent or unreadable. Never negative."""
    response = getattr(exc, "response", None)
    headers: Any = getattr(response, "headers", None)
    if headers is None:
        return None
    raw_ms = _header(headers, "retry-after-ms")
    if raw_ms is not None:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = _header(headers, "retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:  # "-0000" (zone unknown); HTTP dates are GMT anyway
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return max(0.0, parsed.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class BackoffPolicy:
    max_attempts: int = 4
    max_seconds: float = 120.0
    base: float = 0.5
    cap: float = 20.0
    # A server asking for a longer wait than this means "not now": we fail rather than hang.
    max_retry_after: float = 60.0

    def wait(self, attempt: int, exc: BaseException | None, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        hinted = retry_after_seconds(exc) if exc is not None else None
        if hinted is not None:
            return hinted
        return rng.uniform(0.0, min(self.cap, self.base * (2 ** (attempt - 1))))

    def should_stop(
        self, attempt: int, elapsed: float, upcoming_sleep: float, deadline: float
    ) -> bool:
        """Stop after `max_attempts`, or when the next wait would end past `deadline` seconds
        (so the total time stays within the budget), or when the server asks for too long a wait."""
        return (
            attempt >= self.max_attempts
            or upcoming_sleep > self.max_retry_after
            or elapsed + upcoming_sleep > deadline
        )

    def tenacity_wait(self, rng: random.Random | None = None) -> Callable[[RetryCallState], float]:
        generator = rng or random.Random()

        def _wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome is not None else None
            return self.wait(state.attempt_number, exc, generator)

        return _wait

    def tenacity_stop(self, deadline: float) -> Callable[[RetryCallState], bool]:
        """A tenacity `stop` for one request; `deadline` is the seconds left of `max_seconds`."""

        def _stop(state: RetryCallState) -> bool:
            elapsed = state.seconds_since_start or 0.0
            return self.should_stop(state.attempt_number, elapsed, state.upcoming_sleep, deadline)

        return _stop

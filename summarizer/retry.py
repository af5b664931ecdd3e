"""Retry policy for transient failures (429, 5xx, timeouts, dropped connections).

Exponential back-off with full jitter, a `Retry-After` from the server taking
precedence, capped in attempts and in total time. Schema-invalid answers are not
retried here: instructor re-asks those.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai
from tenacity import RetryCallState

TRANSIENT_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524})


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in TRANSIENT_STATUS
    # Timeouts and connection errors (resets, refused, truncated bodies).
    return isinstance(exc, openai.APIConnectionError)


def retry_after_seconds(exc: BaseException) -> float | None:
    """The server's own wait hint, from `Retry-After` (seconds or HTTP date) or `retry-after-ms`."""
    response = getattr(exc, "response", None)
    headers: Any = getattr(response, "headers", None)
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(raw) if raw else None
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())


@dataclass(frozen=True)
class BackoffPolicy:
    max_attempts: int = 4
    max_seconds: float = 120.0
    base: float = 0.5
    cap: float = 20.0
    # A server asking for more than this is treated as "not now": we fail rather than hang.
    max_retry_after: float = 60.0

    def wait(self, attempt: int, exc: BaseException | None, rng: random.Random) -> float:
        hinted = retry_after_seconds(exc) if exc is not None else None
        if hinted is not None:
            return min(hinted, self.max_retry_after)
        return rng.uniform(0, min(self.cap, self.base * (2 ** (attempt - 1))))

    def tenacity_wait(self, rng: random.Random | None = None) -> Callable[[RetryCallState], float]:
        generator = rng or random.Random()

        def _wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome is not None else None
            return self.wait(state.attempt_number, exc, generator)

        return _wait

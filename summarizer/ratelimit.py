"""Client-side rate limits shared by every worker of a batch.

A `RateLimiter` spaces request starts so that they stay under a requests-per-
minute and a tokens-per-minute budget (token buckets holding about one second of
budget, so a batch never opens with a burst of a whole minute's worth), and it
holds a shared pause: `penalize(seconds)` stops every new start, in every
worker, until the pause is over. That is how one 429 slows the whole batch
instead of only the worker that saw it.

`gate_http_client` attaches the limiter to an `httpx.AsyncClient` through its
event hooks, so every HTTP attempt (the backend's own retries and re-asks
included) waits for the limiter, and every 429 (or a response carrying
`Retry-After`) penalises everyone.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from summarizer.retry import retry_after_seconds


def estimate_tokens(text_chars: int, answer_tokens: int) -> int:
    """Tokens one request is charged against --tpm: its prompt (~4 characters a token) plus
    the answer budget, which is what a provider reserves before it answers."""
    return max(1, text_chars // 4) + max(0, answer_tokens)


class _Bucket:
    """A token bucket that can be reserved into the future (its level may go negative)."""

    def __init__(self, per_minute: float, now: float) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate)  # one second of budget
        self.level = self.capacity
        self.stamp = now

    def _level_at(self, when: float) -> float:
        return min(self.capacity, self.level + (when - self.stamp) * self.rate)

    def ready_at(self, cost: float, not_before: float) -> float:
        # A request bigger than the bucket waits for a full bucket, then overdraws it.
        needed = min(cost, self.capacity)
        level = self._level_at(not_before)
        return not_before if level >= needed else not_before + (needed - level) / self.rate

    def take(self, cost: float, when: float) -> None:
        self.level = self._level_at(when) - cost
        self.stamp = when


@dataclass
class LimiterStats:
    acquired: int = 0
    waited_s: float = 0.0
    penalties: int = 0
    paused_s: float = 0.0


class RateLimiter:
    """Request and token budgets plus a shared pause. Use from one event loop."""

    def __init__(
        self,
        rpm: float | None = None,
        tpm: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        for name, value in (("rpm", rpm), ("tpm", tpm)):
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive, got {value}")
        self._clock = clock
        self._sleep = sleep
        now = clock()
        self._requests = _Bucket(rpm, now) if rpm else None
        self._tokens = _Bucket(tpm, now) if tpm else None
        self._last_start = now
        self._paused_until = now
        self.stats = LimiterStats()

    @property
    def paused_until(self) -> float:
        return self._paused_until

    def penalize(self, seconds: float) -> None:
        """Pause every new start for `seconds` from now (a longer pause already set wins)."""
        if seconds <= 0:
            return
        until = self._clock() + seconds
        if until > self._paused_until:
            self.stats.paused_s += until - max(self._paused_until, self._clock())
            self._paused_until = until
        self.stats.penalties += 1

    def _reserve(self, tokens: int) -> float:
        """Book the earliest start for one request; starts are first come, first served."""
        start = max(self._clock(), self._paused_until, self._last_start)
        if self._requests is not None:
            start = max(start, self._requests.ready_at(1, start))
        if self._tokens is not None:
            start = max(start, self._tokens.ready_at(tokens, start))
        if self._requests is not None:
            self._requests.take(1, start)
        if self._tokens is not None:
            self._tokens.take(tokens, start)
        self._last_start = start
        return start

    async def acquire(self, tokens: int = 1) -> None:
        """Wait until one request of about `tokens` tokens may start."""
        start = self._reserve(tokens)
        began = self._clock()
        while True:
            # A pause set while we slept (a 429 elsewhere) holds us back too.
            delay = max(start, self._paused_until) - self._clock()
            if delay <= 0:
                break
            await self._sleep(delay)
        self.stats.acquired += 1
        self.stats.waited_s += self._clock() - began

    async def wait_pause(self) -> None:
        """Wait out the shared pause only (for attempts already inside the budget)."""
        while (delay := self._paused_until - self._clock()) > 0:
            await self._sleep(delay)


@dataclass
class BackoffOnLimit:
    """How long a 429 without `Retry-After` pauses everyone: doubling while they keep coming."""

    base: float = 1.0
    cap: float = 30.0
    streak_window: float = 10.0
    _streak: int = 0
    _last: float = float("-inf")

    def next_pause(self, hinted: float | None, now: float) -> float:
        self._streak = self._streak + 1 if now - self._last <= self.streak_window else 1
        self._last = now
        if hinted is not None:
            return min(hinted, self.cap)
        return min(self.cap, self.base * 2.0 ** (self._streak - 1))

    def succeeded(self) -> None:
        """A successful answer ends the streak: the next 429 pauses for `base` again."""
        self._streak = 0
        self._last = float("-inf")


def gate_http_client(
    client: Any,
    limiter: RateLimiter,
    *,
    answer_tokens: int,
    on_limited: Callable[[float], None] | None = None,
) -> bool:
    """Make every request of an `httpx.AsyncClient` wait for `limiter`, and make a 429 (or any
    answer with `Retry-After`) pause all requests. False when `client` has no event hooks."""
    hooks = getattr(client, "event_hooks", None)
    if not isinstance(hooks, dict) or "request" not in hooks or "response" not in hooks:
        return False
    backoff = BackoffOnLimit()

    async def before(request: Any) -> None:
        size = len(getattr(request, "content", b"") or b"")
        await limiter.acquire(estimate_tokens(size, answer_tokens))

    async def after(response: Any) -> None:
        status = getattr(response, "status_code", 0)
        hinted = retry_after_seconds(_ResponseHint(response))
        if status == 429 or hinted is not None:
            pause = backoff.next_pause(hinted, time.monotonic())
            limiter.penalize(pause)
            if on_limited is not None:
                on_limited(pause)
        elif 200 <= status < 300:
            backoff.succeeded()

    client.event_hooks = {
        "request": [*hooks["request"], before],
        "response": [*hooks["response"], after],
    }
    return True


class _ResponseHint(Exception):
    """`retry_after_seconds` reads the headers of an exception's `.response`."""

    def __init__(self, response: Any) -> None:
        super().__init__("response")
        self.response = response

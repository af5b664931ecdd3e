"""Client-side rate limits and the shared back-off."""

from __future__ import annotations

import asyncio
import time

import httpx2
import pytest

from summarizer.ratelimit import BackoffOnLimit, RateLimiter, estimate_tokens, gate_http_client
from summarizer.testing import FakeOpenAIServer, Reply, Script


class FakeTime:
    """A clock that only moves when someone sleeps: limiter timing without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def _limiter(t: FakeTime, **kwargs: float | None) -> RateLimiter:
    return RateLimiter(kwargs.get("rpm"), kwargs.get("tpm"), clock=t.clock, sleep=t.sleep)


def _starts(limiter: RateLimiter, t: FakeTime, costs: list[int]) -> list[float]:
    async def run() -> list[float]:
        starts: list[float] = []
        for cost in costs:
            await limiter.acquire(cost)
            starts.append(round(t.now - 1000.0, 6))
        return starts

    return asyncio.run(run())


def test_rpm_allows_one_second_of_burst_then_spaces_requests() -> None:
    t = FakeTime()
    starts = _starts(_limiter(t, rpm=120), t, [1] * 6)  # 2 per second, bucket of 2
    assert starts == [0.0, 0.0, 0.5, 1.0, 1.5, 2.0]


def test_tpm_charges_each_request_its_token_estimate() -> None:
    t = FakeTime()
    # 6000 tokens a minute = 100 a second; the bucket holds one second (100 tokens).
    starts = _starts(_limiter(t, tpm=6000), t, [50, 50, 50, 100])
    assert starts == [0.0, 0.0, 0.5, 1.5]


def test_a_request_larger_than_the_bucket_waits_for_a_full_bucket_then_overdraws() -> None:
    t = FakeTime()
    starts = _starts(_limiter(t, tpm=6000), t, [400, 100])
    assert starts == [0.0, 4.0]


def test_both_limits_apply_and_the_stricter_wins() -> None:
    t = FakeTime()
    starts = _starts(_limiter(t, rpm=600, tpm=600), t, [10, 10, 10])  # 10 req/s but 10 tok/s
    assert starts == [0.0, 1.0, 2.0]


def test_no_limits_means_no_waiting() -> None:
    t = FakeTime()
    assert _starts(_limiter(t), t, [10_000] * 5) == [0.0] * 5


def test_penalize_pauses_new_starts_and_a_longer_pause_wins() -> None:
    t = FakeTime()
    limiter = _limiter(t)
    limiter.penalize(3.0)
    limiter.penalize(1.0)  # shorter: does not shorten the pause
    assert _starts(limiter, t, [1]) == [3.0]
    assert limiter.stats.penalties == 2


def test_a_pause_set_while_waiting_holds_back_requests_already_booked() -> None:
    t = FakeTime()
    limiter = _limiter(t, rpm=60)

    async def run() -> list[float]:
        starts: list[float] = []

        async def one() -> None:
            await limiter.acquire(1)
            starts.append(t.now - 1000.0)

        first = asyncio.create_task(one())
        second = asyncio.create_task(one())  # booked for t=1, now sleeping
        await first
        penalized_at = t.now - 1000.0
        limiter.penalize(5.0)  # a 429 seen elsewhere
        await second
        return [*starts, penalized_at]

    first, second, penalized_at = asyncio.run(run())
    assert first == 0.0
    assert second == penalized_at + 5.0


def test_invalid_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="rpm must be positive"):
        RateLimiter(rpm=0)
    with pytest.raises(ValueError, match="tpm must be positive"):
        RateLimiter(tpm=-5)


def test_token_estimate_is_a_quarter_of_the_characters_plus_the_answer_budget() -> None:
    assert estimate_tokens(4000, 1024) == 1000 + 1024
    assert estimate_tokens(0, 0) == 1


def test_backoff_doubles_while_429s_keep_coming_and_honours_retry_after() -> None:
    backoff = BackoffOnLimit(base=1.0, cap=8.0, streak_window=10.0)
    assert [backoff.next_pause(None, now) for now in (0, 1, 2, 3, 4)] == [1, 2, 4, 8, 8]
    assert backoff.next_pause(None, 100.0) == 1.0  # a quiet spell resets the streak
    assert backoff.next_pause(2.5, 101.0) == 2.5
    assert backoff.next_pause(120.0, 102.0) == 8.0  # capped


def test_gate_refuses_an_object_without_event_hooks() -> None:
    assert gate_http_client(object(), RateLimiter(), answer_tokens=10) is False


def test_a_429_seen_by_one_worker_pauses_the_other_workers() -> None:
    """Three workers share one gated client; the first answer is a 429 with Retry-After.
    Requests the other workers start after that answer must wait the pause out."""
    pause = 0.5
    script = Script([Reply.error(429, retry_after=pause)], default=Reply.chat("ok").with_delay(0.1))
    seen: list[float] = []

    async def run(base_url: str) -> list[int]:
        limiter = RateLimiter()
        client = httpx2.AsyncClient(timeout=5.0)
        assert gate_http_client(client, limiter, answer_tokens=16, on_limited=seen.append)
        statuses: list[int] = []

        async def worker() -> None:
            for _ in range(2):
                response = await client.post(
                    f"{base_url}/chat/completions",
                    json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
                )
                statuses.append(response.status_code)

        await asyncio.gather(*(worker() for _ in range(3)))
        await client.aclose()
        return statuses

    with FakeOpenAIServer(script) as srv:
        statuses = asyncio.run(run(srv.base_url))
        requests = srv.requests
    assert sorted(statuses) == [200] * 5 + [429]
    assert seen == [pause]
    limited_at = requests[0].received_at
    later = [r.received_at - limited_at for r in requests[3:]]
    assert len(later) == 3
    # Without the shared pause these would start ~0.1 s after the 429 (when the others'
    # first answers come back).
    assert min(later) >= pause - 0.05, later


def test_the_gate_meters_every_http_attempt_against_rpm() -> None:
    async def run(base_url: str) -> float:
        limiter = RateLimiter(rpm=600)  # 10 a second, bucket of 10
        client = httpx2.AsyncClient(timeout=5.0)
        gate_http_client(client, limiter, answer_tokens=16)
        started = time.monotonic()
        await asyncio.gather(*(client.get(f"{base_url}/models") for _ in range(15)))
        await client.aclose()
        return time.monotonic() - started

    with FakeOpenAIServer() as srv:
        elapsed = asyncio.run(run(srv.base_url))
    assert elapsed >= 0.45  # the 5 past the burst are spaced 0.1 s apart


def test_backoff_streak_resets_after_a_success() -> None:
    from summarizer.ratelimit import BackoffOnLimit

    backoff = BackoffOnLimit(base=1.0, cap=30.0)
    assert [backoff.next_pause(None, t) for t in (0.0, 1.0, 2.0)] == [1.0, 2.0, 4.0]
    backoff.succeeded()
    assert backoff.next_pause(None, 3.0) == 1.0

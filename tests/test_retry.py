"""Transient-failure classification, Retry-After parsing and the back-off policy."""

from __future__ import annotations

import json
import random
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2
import openai
import pydantic
import pytest
from tenacity import Retrying, retry_if_exception

from summarizer.retry import (
    BackoffPolicy,
    MalformedResponseError,
    internal_cause,
    is_transient,
    retry_after_seconds,
)

_REQUEST = httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def _status_error(
    status: int, headers: dict[str, str] | None = None, code: str | None = None
) -> Any:
    response = httpx2.Response(status, headers=headers or {}, request=_REQUEST)
    body = {"message": "x", "code": code} if code else None
    return openai.APIStatusError("failed", response=response, body=body)


def _validation_error() -> pydantic.ValidationError:
    class Model(pydantic.BaseModel):
        n: int

    try:
        Model.model_validate({"n": "many"})
    except pydantic.ValidationError as exc:
        return exc
    raise AssertionError("the model accepted an invalid value")


# -- Retry-After ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # the finer hint wins
        ({"retry-after-ms": "soon", "retry-after": "4"}, 4.0),
        ({"retry-after": "whenever"}, None),
        ({"retry-after": ""}, None),
        ({}, None),
    ],
)
def test_retry_after_seconds(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_seconds(_status_error(429, headers)) == seconds


def test_retry_after_http_date() -> None:
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    then = parsedate_to_datetime(date).timestamp()
    error = _status_error(503, {"Retry-After": date})
    assert retry_after_seconds(error, now=then - 30) == pytest.approx(30.0)
    assert retry_after_seconds(error, now=then + 30) == 0.0  # a date in the past: go now
    # "-0000" (zone unknown) parses to a naive datetime: read it as GMT, as HTTP dates are.
    naive = _status_error(503, {"retry-after": "Wed, 21 Oct 2015 07:28:00 -0000"})
    assert retry_after_seconds(naive, now=then - 5) == pytest.approx(5.0)


def test_retry_after_without_a_response() -> None:
    assert retry_after_seconds(ValueError("no response")) is None
    assert retry_after_seconds(openai.APIConnectionError(request=_REQUEST)) is None


# -- what is transient -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "transient"),
    [(408, True), (409, True), (425, True), (429, True), (500, True), (502, True), (503, True),
     (504, True), (400, False), (401, False), (403, False), (404, False), (422, False)],
)  # fmt: skip
def test_is_transient_status(status: int, transient: bool) -> None:
    assert is_transient(_status_error(status)) is transient


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (openai.APITimeoutError(request=_REQUEST), True),
        (openai.APIConnectionError(request=_REQUEST), True),
        (json.JSONDecodeError("Unterminated string", '{"id": "x', 7), True),
        (MalformedResponseError("no choices"), True),
        (_status_error(429, code="insufficient_quota"), False),
        (_status_error(429, code="rate_limit_exceeded"), True),
        (ValueError("bad"), False),
        (_validation_error(), False),
        (RuntimeError("bug"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_is_transient_other_failures(exc: BaseException, transient: bool) -> None:
    assert is_transient(exc) is transient


# -- back-off ----------------------------------------------------------------------------------


@pytest.mark.parametrize("attempt", [1, 2, 3, 4, 8])
def test_backoff_is_full_jitter_within_the_exponential_bound(attempt: int) -> None:
    policy = BackoffPolicy(base=0.5, cap=3.0)
    rng = random.Random(attempt)
    waits = [policy.wait(attempt, None, rng) for _ in range(400)]
    bound = min(3.0, 0.5 * 2 ** (attempt - 1))
    assert all(0.0 <= w <= bound for w in waits)
    # Full jitter spreads over the whole range: some waits near zero, some near the bound.
    assert min(waits) < 0.1 * bound and max(waits) > 0.9 * bound


def test_server_hint_overrides_jitter() -> None:
    policy = BackoffPolicy(base=0.5, cap=3.0)
    error = _status_error(429, {"retry-after": "7"})
    assert policy.wait(1, error, random.Random(0)) == 7.0


@pytest.mark.parametrize(
    ("attempt", "elapsed", "sleep", "deadline", "stop"),
    [
        (1, 0.0, 0.1, 10.0, False),
        (3, 0.0, 0.1, 10.0, True),  # max_attempts=3 reached
        (1, 9.5, 1.0, 10.0, True),  # the wait would end past the deadline
        (1, 0.0, 61.0, 500.0, True),  # the server asks for longer than max_retry_after
        (2, 1.0, 59.0, 500.0, False),
    ],
)
def test_should_stop(
    attempt: int, elapsed: float, sleep: float, deadline: float, stop: bool
) -> None:
    policy = BackoffPolicy(max_attempts=3, max_retry_after=60.0)
    assert policy.should_stop(attempt, elapsed, sleep, deadline) is stop


def _run(policy: BackoffPolicy, deadline: float, failures: int) -> int:
    """Attempts tenacity makes, with this policy, on a call that fails `failures` times."""
    calls = 0
    retrying = Retrying(
        stop=policy.tenacity_stop(deadline),
        wait=policy.tenacity_wait(random.Random(0)),
        retry=retry_if_exception(is_transient),
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                calls += 1
                if calls <= failures:
                    raise openai.APIConnectionError(request=_REQUEST)
    except openai.APIConnectionError:
        pass
    return calls


def test_tenacity_integration_caps_attempts() -> None:
    policy = BackoffPolicy(max_attempts=4, base=0.001)
    assert _run(policy, deadline=10.0, failures=2) == 3
    assert _run(policy, deadline=10.0, failures=100) == 4
    # No time left: one attempt, no waiting for a second.
    assert _run(policy, deadline=0.0, failures=100) == 1


def _connection_error(cause: BaseException) -> openai.APIConnectionError:
    try:
        raise openai.APIConnectionError(request=_REQUEST) from cause
    except openai.APIConnectionError as exc:
        return exc


def test_a_bug_wrapped_as_a_connection_error_is_not_transient() -> None:
    bug = RuntimeError("Event loop is closed")
    wrapped = _connection_error(bug)
    assert internal_cause(wrapped) is bug
    assert is_transient(wrapped) is False


@pytest.mark.parametrize(
    "cause",
    [ConnectionResetError("reset"), httpx2.ReadError("eof", request=_REQUEST)],
    ids=lambda value: type(value).__name__,
)
def test_a_network_failure_stays_transient(cause: BaseException) -> None:
    wrapped = _connection_error(cause)
    assert internal_cause(wrapped) is None
    assert is_transient(wrapped) is True

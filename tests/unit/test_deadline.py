"""``deadline=``: one bound on the whole call, timed by the fake clock (nothing sleeps)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import llmport
from llmport.testing import FakeClock, HttpRequest, HttpResponse

from .conftest import USER, Harness, chat
from .test_dispatch import delta, error, failing, sse

MakeHarness = Callable[[Callable[[HttpRequest], Any]], Harness]


def timed(harness: MakeHarness, handler: Callable[[FakeClock, HttpRequest], HttpResponse]) -> Harness:
    """A harness whose handler sees the harness's fake clock (to let fake time pass)."""
    made: list[Harness] = []
    h = harness(lambda request: handler(made[0].clock, request))
    made.append(h)
    return h


def slow(seconds: float, answer: HttpResponse) -> Callable[[FakeClock, HttpRequest], HttpResponse]:
    """An answer that takes ``seconds`` of fake time to arrive."""

    def handler(clock: FakeClock, request: HttpRequest) -> HttpResponse:
        clock.now += seconds
        return answer

    return handler


def test_each_attempts_timeouts_shrink_to_what_remains(harness: MakeHarness) -> None:
    h = harness(failing(error(500), chat()))
    h.client.completion("gpt-4o", USER, deadline=10)  # default timeouts: connect 5 s, the rest 600 s
    first, second = (r.timeout for r in h.transport.requests)
    assert (first.connect, first.read, first.write, first.pool) == (5.0, 10.0, 10.0, 10.0)
    (slept,) = h.clock.sleeps
    assert second.connect == 5.0
    assert second.read == pytest.approx(10 - slept)


def test_without_a_deadline_timeouts_are_untouched(harness: MakeHarness) -> None:
    h = harness(lambda request: chat())
    h.client.completion("gpt-4o", USER, timeout=30)
    assert h.transport.last_request.timeout.read == 30.0


def test_a_retry_after_beyond_the_deadline_raises_the_last_error_at_once(harness: MakeHarness) -> None:
    h = harness(lambda request: error(429, **{"retry-after": "30"}))
    with pytest.raises(llmport.RateLimitError) as caught:
        h.client.completion("gpt-4o", USER, deadline=10)
    assert caught.value.status_code == 429
    assert len(h.transport.requests) == 1
    assert h.clock.sleeps == []


def test_a_backoff_beyond_the_deadline_raises_the_last_error_at_once(harness: MakeHarness) -> None:
    h = harness(lambda request: error(500))
    with pytest.raises(llmport.InternalServerError):
        h.client.completion("gpt-4o", USER, deadline=0.3)  # the first backoff is 0.375-0.5 s
    assert len(h.transport.requests) == 1
    assert h.clock.sleeps == []


def test_retries_stop_when_the_next_sleep_would_cross_the_deadline(harness: MakeHarness) -> None:
    h = harness(lambda request: error(503, **{"retry-after": "4"}))
    with pytest.raises(llmport.ServiceUnavailableError):
        h.client.completion("gpt-4o", USER, deadline=10, num_retries=5)
    assert h.clock.sleeps == [4.0, 4.0]  # a third 4 s sleep would end at 12 s
    assert len(h.transport.requests) == 3


def test_a_passed_deadline_raises_timeout_naming_it(harness: MakeHarness) -> None:
    h = timed(harness, slow(11, error(500)))
    with pytest.raises(llmport.Timeout, match=r"deadline of 10 s passed after 1 attempt on gpt-4o") as caught:
        h.client.completion("gpt-4o", USER, deadline=10)
    assert caught.value.status_code == 408
    assert caught.value.llm_provider == "openai"
    assert isinstance(caught.value.__cause__, llmport.InternalServerError)
    assert len(h.transport.requests) == 1
    assert h.clock.sleeps == []


def test_a_non_retryable_error_after_the_deadline_is_raised_as_it_is(harness: MakeHarness) -> None:
    h = timed(harness, slow(11, error(401)))
    with pytest.raises(llmport.AuthenticationError):
        h.client.completion("gpt-4o", USER, deadline=10)


def test_the_deadline_covers_fallbacks(harness: MakeHarness) -> None:
    primary = slow(4, error(500))
    h = timed(harness, lambda clock, r: primary(clock, r) if r.json()["model"] == "gpt-4o" else chat("mini"))
    response = h.client.completion(
        "gpt-4o", USER, deadline=10, num_retries=0, fallbacks=["openai/gpt-4o-mini"]
    )
    assert response.choices[0].message.content == "mini"
    assert h.transport.requests[1].timeout.read == 6.0  # what the primary left


def test_no_fallback_starts_after_the_deadline(harness: MakeHarness) -> None:
    h = timed(harness, slow(11, error(500)))
    with pytest.raises(llmport.Timeout, match="deadline of 10 s") as caught:
        h.client.completion("gpt-4o", USER, deadline=10, num_retries=0, fallbacks=["openai/gpt-4o-mini"])
    assert len(h.transport.requests) == 1
    assert isinstance(caught.value.__cause__, llmport.InternalServerError)


def test_a_context_window_fallback_is_not_started_after_the_deadline(harness: MakeHarness) -> None:
    too_long = {"error": {"message": "too long", "type": "x", "code": "context_length_exceeded"}}
    h = timed(harness, slow(11, HttpResponse.from_json(too_long, 400)))
    with pytest.raises(llmport.Timeout, match="deadline of 10 s") as caught:
        h.client.completion("gpt-4o", USER, deadline=10, context_window_fallbacks=["openai/gpt-4o-128k"])
    assert len(h.transport.requests) == 1
    assert isinstance(caught.value.__cause__, llmport.ContextWindowExceededError)
    assert "primary: gpt-4o -> ContextWindowExceededError" in "\n".join(caught.value.__notes__)


def test_a_stream_is_bounded_until_it_opens(harness: MakeHarness) -> None:
    body = sse(delta("a"), delta(finish="stop"))
    h = harness(failing(error(502), body))
    stream = h.client.completion("gpt-4o", USER, stream=True, deadline=5)
    h.clock.now += 60  # iteration is governed by the read timeout, not the deadline
    assert [c.choices[0].delta.content for c in stream] == ["a", None]
    (slept,) = h.clock.sleeps
    assert h.transport.requests[1].timeout.read == pytest.approx(5 - slept)


async def test_async_calls_honour_the_deadline(harness: MakeHarness) -> None:
    h = harness(lambda request: error(429, **{"retry-after": "30"}))
    with pytest.raises(llmport.RateLimitError):
        await h.client.acompletion("gpt-4o", USER, deadline=10)
    assert h.clock.sleeps == []
    h = timed(harness, slow(11, error(500)))
    with pytest.raises(llmport.Timeout, match="deadline"):
        await h.client.acompletion("gpt-4o", USER, stream=True, deadline=10)


@pytest.mark.parametrize("value", [0, -1, "10", True, math.inf, math.nan])
def test_a_bad_deadline_is_refused_before_sending(harness: MakeHarness, value: object) -> None:
    h = harness(lambda request: chat())
    with pytest.raises(llmport.BadRequestError, match="deadline must be a positive number") as caught:
        h.client.completion("gpt-4o", USER, deadline=value)
    assert caught.value.param == "deadline"
    assert h.transport.requests == []

"""Retry timing under the clock port: retry-after as an HTTP date, num_retries and its alias."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest

import llmport
from llmport.testing import FakeClock, FakeTransport, HttpRequest, HttpResponse, StaticCredentials

from .conftest import USER, Harness, chat
from .test_dispatch import error, failing

MakeHarness = Callable[[Callable[[HttpRequest], Any]], Harness]


START = FakeClock().now  # every harness clock starts here, years away from the real clock


def http_date(seconds_ahead: float) -> str:
    return format_datetime(datetime.fromtimestamp(START + seconds_ahead, UTC), usegmt=True)


@pytest.mark.parametrize(
    ("ahead", "slept"),
    [(30, [30.0]), (-120, [0.0])],
    ids=["30s-ahead-sleeps-30s", "past-date-sleeps-0"],
)
def test_an_http_date_retry_after_is_timed_by_the_fake_clock(
    harness: MakeHarness, ahead: float, slept: list[float]
) -> None:
    h = harness(failing(error(429, **{"retry-after": http_date(ahead)}), chat()))
    h.client.completion("gpt-4o", USER)
    assert h.clock.sleeps == slept
    assert len(h.transport.requests) == 2


def test_an_http_date_beyond_60_seconds_gives_normal_backoff(harness: MakeHarness) -> None:
    h = harness(failing(error(503, **{"retry-after": http_date(90)}), chat()))
    h.client.completion("gpt-4o", USER)
    (slept,) = h.clock.sleeps
    assert 0.375 <= slept <= 0.5


def test_the_error_reports_an_http_date_as_seconds_from_the_clock(harness: MakeHarness) -> None:
    h = harness(lambda request: error(429, **{"retry-after": http_date(45)}))
    with pytest.raises(llmport.RateLimitError) as caught:
        h.client.completion("gpt-4o", USER, num_retries=0)
    assert caught.value.retry_after == 45.0
    assert caught.value.retry_at == START + 45
    assert len(h.transport.requests) == 1


@pytest.mark.parametrize(
    ("kwargs", "requests"),
    [
        ({"num_retries": 0}, 1),
        ({"max_retries": 0}, 1),
        ({"max_retries": 3}, 4),
        ({"num_retries": None, "max_retries": 1}, 2),
        ({"num_retries": 1, "max_retries": 3}, 2),
    ],
)
def test_max_retries_is_a_per_call_alias(harness: MakeHarness, kwargs: dict[str, Any], requests: int) -> None:
    h = harness(lambda request: error(500))
    with pytest.raises(llmport.InternalServerError) as caught:
        h.client.completion("gpt-4o", USER, **kwargs)
    assert caught.value.status_code == 500
    assert len(h.transport.requests) == requests
    assert len(h.clock.sleeps) == requests - 1


@pytest.mark.parametrize("alias", [False, True])
def test_the_client_takes_either_name(alias: bool) -> None:
    fake = FakeTransport(lambda request: error(502))
    clock = FakeClock()
    keys = StaticCredentials({"OPENAI_API_KEY": "sk-x"})
    if alias:
        client = llmport.Client(transport=fake, clock=clock, credentials=keys, max_retries=0)
    else:
        client = llmport.Client(transport=fake, clock=clock, credentials=keys, num_retries=0)
    with pytest.raises(llmport.BadGatewayError):
        client.completion("gpt-4o", USER)
    assert len(fake.requests) == 1
    assert clock.sleeps == []


def test_a_bad_max_retries_names_the_parameter_given(harness: MakeHarness) -> None:
    h = harness(lambda request: chat())
    with pytest.raises(llmport.BadRequestError) as caught:
        h.client.completion("gpt-4o", USER, max_retries=-1)
    assert caught.value.param == "max_retries"
    assert h.transport.requests == []


def test_an_unreadable_retry_after_gives_normal_backoff(harness: MakeHarness) -> None:
    response = HttpResponse.from_json({"error": {"message": "busy"}}, 429, {"retry-after": "garbage"})
    h = harness(failing(response, chat("ok")))
    assert h.client.completion("gpt-4o", USER).choices[0].message.content == "ok"
    (slept,) = h.clock.sleeps
    assert 0.375 <= slept <= 0.5

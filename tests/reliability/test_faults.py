"""The fault matrix: every scenario, every codec, sync and async (a subset over async httpx too).

Each test scripts the fault server, calls llmport's public API, and asserts what the issue
promises: the requests the server saw, the time slept on the fake clock, the exception class
and its ``status_code``, and the chunks a stream delivered before it failed.
"""

from __future__ import annotations

from email.utils import formatdate

import pytest

from llmport import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    Timeout,
    UnprocessableEntityError,
)

from .conftest import ALL_MODES, Caller
from .fault_server import End, FaultServer, Reply, Stream
from .wire import PROTOCOLS, SECRET_KEY, WireProtocol

BODY_OR_STREAM = pytest.mark.parametrize("stream", [False, True], ids=["body", "stream"])
# Backoff before retry n is 0.5 * 2**(n-1) s, scaled down by up to 25 % of jitter.
FIRST_BACKOFF = (0.375, 0.5)
SECOND_BACKOFF = (0.75, 1.0)


def success(wire: WireProtocol, *, stream: bool) -> Reply | Stream:
    """The recorded success answer, whole or streamed."""
    return Stream(wire.stream) if stream else Reply(200, wire.success_body)


def expected_text(wire: WireProtocol, *, stream: bool) -> str:
    return wire.stream_text if stream else wire.success_text


def within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


# -- retried failures -------------------------------------------------------------------------


@BODY_OR_STREAM
@pytest.mark.parametrize("mode", ALL_MODES)
def test_429_with_retry_after_waits_that_long_then_succeeds(
    caller: Caller, server: FaultServer, wire: WireProtocol, stream: bool
) -> None:
    server.queue(Reply(429, wire.error_body(429), {"retry-after": "3"}), success(wire, stream=stream))

    response = caller.call(stream=stream)

    assert response.choices[0].message.content == expected_text(wire, stream=stream)
    assert len(server.requests) == 2
    assert caller.clock.sleeps == [3.0]


def test_retry_after_ms_wins_over_retry_after(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    headers = {"retry-after-ms": "1500", "retry-after": "9"}
    server.queue(Reply(429, wire.error_body(429), headers), success(wire, stream=False))

    caller.complete()

    assert len(server.requests) == 2
    assert caller.clock.sleeps == [1.5]


def test_retry_after_over_60_seconds_falls_back_to_backoff(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Reply(429, wire.error_body(429), {"retry-after": "120"}), success(wire, stream=False))

    caller.complete()

    assert len(server.requests) == 2
    assert within(caller.slept, FIRST_BACKOFF)


def test_retry_after_as_an_http_date_is_honoured(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    # The date is read against the client's clock port, so the fake clock decides the wait exactly.
    date = formatdate(caller.clock.time() + 5, usegmt=True)
    server.queue(Reply(429, wire.error_body(429), {"retry-after": date}), success(wire, stream=False))

    caller.complete()

    assert len(server.requests) == 2
    assert caller.slept == 5


@BODY_OR_STREAM
def test_500_then_success_backs_off_once(
    caller: Caller, server: FaultServer, wire: WireProtocol, stream: bool
) -> None:
    server.queue(Reply(500, wire.error_body(500)), success(wire, stream=stream))

    response = caller.call(stream=stream)

    assert response.choices[0].message.content == expected_text(wire, stream=stream)
    assert len(server.requests) == 2
    assert len(caller.clock.sleeps) == 1
    assert within(caller.slept, FIRST_BACKOFF)


@pytest.mark.parametrize("status", [408, 409, 502, 503, 504, 529])
def test_every_retryable_status_is_retried(
    caller: Caller, server: FaultServer, wire: WireProtocol, status: int
) -> None:
    server.queue(Reply(status, wire.error_body(status)), success(wire, stream=False))

    response = caller.complete()

    assert response.choices[0].message.content == wire.success_text
    assert len(server.requests) == 2
    assert within(caller.slept, FIRST_BACKOFF)


def test_retries_exhausted_raise_the_last_error(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(*[Reply(500, wire.error_body(500)) for _ in range(3)])

    with pytest.raises(InternalServerError) as caught:
        caller.complete()

    assert caught.value.status_code == 500
    assert caught.value.llm_provider == wire.name
    assert len(server.requests) == 3  # the default num_retries is 2
    first, second = caller.clock.sleeps
    assert within(first, FIRST_BACKOFF)
    assert within(second, SECOND_BACKOFF)


@pytest.mark.parametrize("num_retries", [0, 1])
def test_num_retries_bounds_the_attempts(
    caller: Caller, server: FaultServer, wire: WireProtocol, num_retries: int
) -> None:
    server.queue(*[Reply(429, wire.error_body(429), {"retry-after": "2"}) for _ in range(num_retries + 1)])

    with pytest.raises(RateLimitError) as caught:
        caller.complete(num_retries=num_retries)

    assert caught.value.status_code == 429
    assert len(server.requests) == num_retries + 1
    assert caller.clock.sleeps == [2.0] * num_retries


# -- never retried ----------------------------------------------------------------------------


@BODY_OR_STREAM
@pytest.mark.parametrize("mode", ALL_MODES)
def test_401_is_not_retried(caller: Caller, server: FaultServer, wire: WireProtocol, stream: bool) -> None:
    # An OAuth auth refreshes its token and sends once more; a key is never sent again.
    server.queue(*[Reply(401, wire.error_body(401))] * (1 + wire.resends_after_401))

    with pytest.raises(AuthenticationError) as caught:
        caller.call(stream=stream)

    error = caught.value
    assert (error.status_code, error.llm_provider) == (401, wire.name)
    assert error.request_id is not None
    assert error.request_id.startswith("req_")
    assert len(server.requests) == 1 + wire.resends_after_401
    assert caller.clock.sleeps == []
    assert server.requests[0].path == (wire.stream_path if stream and wire.stream_path else wire.path)
    assert SECRET_KEY not in f"{error!s} {error!r} {error.body!r}"


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
    ],
)
def test_other_4xx_are_not_retried(
    caller: Caller, server: FaultServer, wire: WireProtocol, status: int, error_class: type[APIError]
) -> None:
    server.queue(Reply(status, wire.error_body(status)))

    with pytest.raises(error_class) as caught:
        caller.complete()

    assert caught.value.status_code == status
    assert len(server.requests) == 1
    assert caller.clock.sleeps == []


def test_409_is_a_conflict_and_retried(caller: Caller, server: FaultServer, wire: WireProtocol) -> None:
    server.queue(*[Reply(409, wire.error_body(409)) for _ in range(2)])

    with pytest.raises(ConflictError) as caught:
        caller.complete(num_retries=1)

    assert caught.value.status_code == 409
    assert len(server.requests) == 2


# -- streams failing before the first chunk: retried ------------------------------------------


@pytest.mark.parametrize("mode", ALL_MODES)
def test_stream_dropped_before_its_first_event_is_retried(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Stream((), end=End.DROP), Stream(wire.stream))

    outcome = caller.stream()

    assert outcome.error is None
    assert outcome.text == wire.stream_text
    assert len(server.requests) == 2
    assert within(caller.slept, FIRST_BACKOFF)


def test_stream_error_event_before_any_chunk_is_retried(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Stream((wire.error_event,)), Stream(wire.stream))

    outcome = caller.stream()

    assert outcome.error is None
    assert outcome.text == wire.stream_text
    assert len(server.requests) == 2


# -- streams failing after chunks reached the caller: raised, never retried -------------------


@pytest.mark.parametrize("mode", ALL_MODES)
def test_disconnect_mid_stream_raises_after_the_chunks_already_yielded(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Stream(wire.events[: wire.head], end=End.DROP))

    outcome = caller.stream()

    assert isinstance(outcome.error, APIConnectionError)
    assert (outcome.error.llm_provider, outcome.error.model) == (wire.name, wire.model)
    assert outcome.text == wire.head_text
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", ALL_MODES)
def test_stream_without_its_terminal_event_raises(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Stream(wire.events[: wire.head], end=End.CLEAN))

    outcome = caller.stream()

    assert isinstance(outcome.error, APIConnectionError)
    assert outcome.text == wire.head_text
    assert len(server.requests) == 1


def test_error_event_mid_stream_raises_the_providers_error(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Stream((*wire.events[: wire.head], wire.error_event)))

    outcome = caller.stream()

    assert isinstance(outcome.error, wire.error_event_class)
    assert outcome.error.llm_provider == wire.name
    assert outcome.text == wire.head_text
    assert len(server.requests) == 1
    assert caller.clock.sleeps == []


def test_malformed_chunk_raises_llmports_error(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    bad = wire.cut(wire.events[wire.head])
    server.queue(Stream((*wire.events[: wire.head], bad, *wire.events[wire.head + 1 :], wire.terminal)))

    outcome = caller.stream()

    assert isinstance(outcome.error, APIResponseValidationError)
    assert outcome.text == wire.head_text
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "data",
    [b"[1]", b'"text"', b"null", b"\xff\xfe", b'{"type": 7, "choices": 7, "index": "x", "delta": []}'],
    ids=repr,
)
def test_hostile_event_data_gives_llmports_error_or_is_ignored(
    caller: Caller, server: FaultServer, wire: WireProtocol, data: bytes
) -> None:
    hostile = wire.with_payload(wire.events[wire.head], data)
    server.queue(Stream((*wire.events[: wire.head], hostile, *wire.events[wire.head :], wire.terminal)))

    outcome = caller.stream()

    # Never KeyError/TypeError/JSONDecodeError: llmport's own error, or the event skipped.
    if outcome.error is None:
        assert outcome.text == wire.stream_text
    else:
        assert isinstance(outcome.error, APIResponseValidationError), repr(outcome.error)
        assert outcome.text == wire.head_text
    assert len(server.requests) == 1


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"null", b"\xff\xfe"], ids=repr)
def test_malformed_body_raises_llmports_error(
    caller: Caller, server: FaultServer, wire: WireProtocol, body: bytes
) -> None:
    server.queue(Reply(200, body))

    with pytest.raises(APIResponseValidationError) as caught:
        caller.complete()

    assert caught.value.llm_provider == wire.name
    assert len(server.requests) == 1


def test_cut_success_body_raises_llmports_error(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Reply(200, wire.success_body[: len(wire.success_body) // 2]))

    with pytest.raises(APIResponseValidationError):
        caller.complete()


# -- timeouts (real waits: kept to a few short ones) ------------------------------------------


def test_stalled_stream_raises_timeout_after_the_chunks_already_yielded(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Stream(wire.events[: wire.head], end=End.STALL, stall=6))

    outcome = caller.stream(timeout=2)

    assert isinstance(outcome.error, Timeout)
    assert outcome.text == wire.head_text
    assert len(server.requests) == 1  # chunks reached the caller: never retried


@pytest.mark.parametrize("wire", PROTOCOLS[:1], ids=lambda wire: wire.name)
@pytest.mark.parametrize("mode", ["httpx-async"])
def test_stalled_stream_raises_timeout_over_async_httpx(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Stream(wire.events[: wire.head], end=End.STALL, stall=6))

    outcome = caller.stream(timeout=2)

    assert isinstance(outcome.error, Timeout)
    assert outcome.text == wire.head_text


@pytest.mark.parametrize("mode", ALL_MODES)
def test_slow_headers_raise_timeout(caller: Caller, server: FaultServer, wire: WireProtocol) -> None:
    server.queue(Reply(200, wire.success_body, delay_headers=3))

    with pytest.raises(Timeout) as caught:
        caller.complete(timeout=1, num_retries=0)

    assert (caught.value.llm_provider, caught.value.model) == (wire.name, wire.model)
    assert len(server.requests) == 1


def test_slow_headers_are_retried_then_the_stream_succeeds(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Stream(wire.stream, delay_headers=3), Stream(wire.stream))

    outcome = caller.stream(timeout=1)

    assert outcome.error is None
    assert outcome.text == wire.stream_text
    assert len(server.requests) == 2
    assert within(caller.slept, FIRST_BACKOFF)


# -- hostile content --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wire", [w for w in PROTOCOLS if w.tool_events is not None], ids=lambda wire: wire.name
)
def test_malformed_tool_arguments_in_a_stream_arrive_as_the_raw_string(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    assert wire.tool_events is not None
    server.queue(Stream(wire.tool_events))

    outcome = caller.stream()

    assert outcome.error is None
    calls = outcome.built().choices[0].message.tool_calls
    assert calls is not None
    assert calls[0].function.arguments == wire.tool_arguments


@pytest.mark.parametrize(
    "wire", [w for w in PROTOCOLS if w.tool_body is not None], ids=lambda wire: wire.name
)
def test_malformed_tool_arguments_in_a_body_arrive_as_the_raw_string(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    assert wire.tool_body is not None
    server.queue(Reply(200, wire.tool_body))

    response = caller.complete()

    calls = response.choices[0].message.tool_calls
    assert calls is not None
    assert calls[0].function.arguments == wire.tool_body_arguments

"""Gemini rows the generic matrix cannot express: RetryInfo as the retry hint, JSON-array streams.

The matrix in ``test_faults.py`` runs Gemini's SSE form through every scenario; here the retry
hint Google puts in the body (``RetryInfo.retryDelay``, recorded in vercel-ai's
google-429-retry-info.json) and the JSON-array stream form (recorded by llm-gemini) meet the
same faults: dropped, cut, an error object mid-array, garbage between elements.
"""

from __future__ import annotations

import json

import pytest

from llmport import APIConnectionError, APIResponseValidationError, RateLimitError, ServiceUnavailableError
from tests.contract.fixtures_loader import load_exchange

from .conftest import Caller
from .fault_server import End, FaultServer, Reply, Stream
from .wire import PROTOCOLS, WireProtocol

GEMINI = [w for w in PROTOCOLS if w.name == "gemini"]
RETRY_INFO = load_exchange("gemini", "vercel_google_429_retry_info").body  # retryDelay "34.4s"
ARRAY = load_exchange("gemini", "sw_prompt_with_pydantic_schema").body
ARRAY_FRAMES = json.loads(ARRAY)
ARRAY_TEXT = "".join(
    p.get("text", "")
    for f in ARRAY_FRAMES
    for c in f["candidates"]
    for p in c["content"]["parts"]
    if not p.get("thought")
)
pytestmark = pytest.mark.parametrize("wire", GEMINI, ids=lambda wire: wire.name)


def _array(frames: list[object], close: bool = True) -> list[bytes]:
    """A JSON-array body as Gemini streams it: ``[`` + elements joined by ``\\n,\\r\\n`` (+ ``\\n]``)."""
    pieces = [(b"[" if i == 0 else b"\n,\r\n") + json.dumps(f).encode() for i, f in enumerate(frames)]
    return pieces + ([b"\n]"] if close else [])


def test_retry_info_in_the_body_is_the_wait(caller: Caller, server: FaultServer, wire: WireProtocol) -> None:
    server.queue(Reply(429, RETRY_INFO), Reply(200, wire.success_body))

    response = caller.complete()

    assert response.choices[0].message.content == wire.success_text
    assert caller.clock.sleeps == [34.4]


def test_retry_info_is_on_the_error_when_retries_run_out(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Reply(429, RETRY_INFO))

    with pytest.raises(RateLimitError) as caught:
        caller.complete(num_retries=0)

    assert caught.value.retry_after == 34.4


def test_the_recorded_json_array_stream_is_read(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Stream([ARRAY[:100], ARRAY[100:]]))

    outcome = caller.stream()

    assert outcome.error is None
    assert outcome.text == ARRAY_TEXT


def test_a_json_array_stream_cut_before_the_finish_raises(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Stream(_array(ARRAY_FRAMES[:-1], close=False), end=End.DROP))

    outcome = caller.stream()

    assert isinstance(outcome.error, APIConnectionError)
    assert len(server.requests) == 1


def test_an_error_object_inside_the_array_raises_the_mapped_error(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    error = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    server.queue(Stream(_array([*ARRAY_FRAMES[:-1], error])))

    outcome = caller.stream()

    assert isinstance(outcome.error, ServiceUnavailableError)
    assert outcome.chunks  # the frames before it were delivered first
    assert len(server.requests) == 1


def test_garbage_between_array_elements_is_llmports_error(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    frames = _array(ARRAY_FRAMES)
    server.queue(Stream([frames[0], b"\n, oops", *frames[1:]]))

    outcome = caller.stream()

    assert isinstance(outcome.error, APIResponseValidationError)

"""``deadline=`` is a wall clock around each attempt, however a server trickles its answer.

Per-read timeouts restart on every byte, so before the deadline held the whole attempt each of
these calls hung for as long as the server kept sending (one byte, one ``: ping`` or one empty
event at a time). Each case runs on the real clock with a 1 s deadline, over httpx and aiohttp,
sync and async, and must end with ``Timeout`` within the deadline plus a small margin.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator
from typing import Any

import pytest

import llmport
from llmport import Timeout

from .trickle_server import Step, TrickleServer, chunked, head, trickle

DEADLINE = 1.0
# Loaded CI machines: the call must end this soon after the deadline (the old behaviour: never).
MARGIN = 0.75
USER = [{"role": "user", "content": "hi"}]
BODY = (
    b'{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,'
    b'"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}]}'
)
SSE_HEAD = head(200, {"content-type": "text/event-stream", "transfer-encoding": "chunked"})


def content_event(text: str) -> bytes:
    chunk = (
        '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":'
        f'[{{"index":0,"delta":{{"content":"{text}"}},"finish_reason":null}}]}}'
    )
    return f"data: {chunk}\n\n".encode()


def headers_trickle() -> Iterator[Step]:
    yield from trickle(head(200, {"content-type": "application/json", "content-length": str(len(BODY))}), 0.2)
    yield BODY


def body_trickle() -> Iterator[Step]:
    yield head(200, {"content-type": "application/json", "content-length": str(len(BODY))})
    yield from trickle(BODY, 0.2)


def pings_before_first_chunk() -> Iterator[Step]:
    yield SSE_HEAD
    for _ in range(100):
        yield chunked(b": ping\n\n")
        yield 0.1


def empty_event_flood() -> Iterator[Step]:
    yield SSE_HEAD
    for _ in range(2000):
        yield chunked(b"\n\n" * 50 + b"event: ping\n\n" * 50)
        yield 0.005


SCENARIOS = {
    "headers-trickle": (headers_trickle, False),
    "body-trickle": (body_trickle, False),
    "pings-before-first-chunk": (pings_before_first_chunk, True),
    "empty-event-flood": (empty_event_flood, True),
}
MODES = ("httpx-sync", "httpx-async", "aiohttp-sync", "aiohttp-async")


def make_client(mode: str, **settings: Any) -> llmport.Client:
    # The sync side is httpx either way; AiohttpTransport's own sync side is httpx too.
    if mode == "aiohttp-sync":
        return llmport.Client(api_key="sk-test-deadline", transport=llmport.AiohttpTransport(), **settings)
    side = "httpx" if mode.startswith("httpx") else "aiohttp"
    return llmport.Client(api_key="sk-test-deadline", async_transport=side, **settings)


def call(
    mode: str, client: llmport.Client, server: TrickleServer, *, stream: bool, **params: Any
) -> list[str]:
    """Run one call in ``mode`` and return the text it delivered (a stream read to its end)."""
    kwargs: dict[str, Any] = {"api_base": server.base_url, "stream": stream, **params}

    def sync() -> list[str]:
        result = client.completion("openai/m", USER, **kwargs)
        if not stream:
            return [result.choices[0].message.content]
        with result:
            return [chunk.choices[0].delta.content or "" for chunk in result if chunk.choices]

    async def run_async() -> list[str]:
        try:
            result = await client.acompletion("openai/m", USER, **kwargs)
            if not stream:
                return [result.choices[0].message.content]
            async with result:
                return [chunk.choices[0].delta.content or "" async for chunk in result if chunk.choices]
        finally:
            await client.aclose()

    return sync() if mode.endswith("sync") and not mode.endswith("async") else asyncio.run(run_async())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_trickling_server_cannot_hold_a_call_past_its_deadline(mode: str, scenario: str) -> None:
    script, stream = SCENARIOS[scenario]
    with TrickleServer() as server, make_client(mode) as client:
        server.queue(script, script, script)
        started = time.monotonic()
        with pytest.raises(Timeout):
            call(mode, client, server, stream=stream, deadline=DEADLINE, timeout=2)
        elapsed = time.monotonic() - started
    assert elapsed < DEADLINE + MARGIN, f"{scenario} over {mode} took {elapsed:.2f} s"


def pings_after_a_chunk() -> Iterator[Step]:
    yield SSE_HEAD
    yield chunked(content_event("hi"))
    for _ in range(12):
        yield chunked(b": ping\n\n")
        yield 0.1
    yield chunked(content_event(" there"))
    yield chunked(b"data: [DONE]\n\n")
    yield b"0\r\n\r\n"


@pytest.mark.parametrize("mode", ["httpx-sync", "aiohttp-async"])
def test_keep_alive_comments_do_not_count_as_progress_between_chunks(mode: str) -> None:
    with TrickleServer() as server, make_client(mode, num_retries=0) as client:
        server.queue(pings_after_a_chunk)
        started = time.monotonic()
        with pytest.raises(Timeout, match="stream_idle_timeout"):
            call(mode, client, server, stream=True, timeout=0.5)
        elapsed = time.monotonic() - started
    assert elapsed < 0.5 + MARGIN


@pytest.mark.parametrize("mode", ["httpx-async", "aiohttp-sync"])
def test_stream_idle_timeout_inf_lets_keep_alive_comments_count(mode: str) -> None:
    with TrickleServer() as server, make_client(mode, stream_idle_timeout=math.inf) as client:
        server.queue(pings_after_a_chunk)
        assert call(mode, client, server, stream=True, timeout=0.5) == ["hi", " there"]

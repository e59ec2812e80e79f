"""Pools of event loops closed without ``shutdown_asyncgens()`` are released, on both transports.

``new_event_loop()`` / ``run_until_complete()`` / ``close()`` never runs the loop's async-generator
finalisers, so before this each such loop left one pooled connection (and its fd, and the
server's end of it) open for the client's lifetime, even after ``client.close()``.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import Iterator

import pytest

import llmport

from .trickle_server import Step, TrickleServer, head

LOOPS = 50
USER = [{"role": "user", "content": "hi"}]
BODY = (
    b'{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,'
    b'"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}]}'
)


def answer() -> Iterator[Step]:
    yield head(200, {"content-type": "application/json", "content-length": str(len(BODY))}) + BODY


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def settled(server: TrickleServer, connections: int) -> bool:
    """Wait a little for the server to see the client's closes."""
    for _ in range(100):
        if server.open_connections <= connections:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
def test_pools_of_loops_closed_without_shutdown_are_released(transport: str) -> None:
    with TrickleServer() as server:
        server.repeat = answer
        client = llmport.Client(api_key="sk-loops", api_base=server.base_url, async_transport=transport)
        gc.collect()
        baseline = open_fds()
        for _ in range(LOOPS):
            loop = asyncio.new_event_loop()
            response = loop.run_until_complete(client.acompletion("openai/m", USER))
            assert response.choices[0].message.content == "hello"
            loop.close()  # no shutdown_asyncgens(): the pool's finaliser never runs
        assert server.requests == LOOPS
        # Each new loop released the pools of the closed ones: only the last loop's is left.
        assert settled(server, 1), server.open_connections
        assert open_fds() <= baseline + 2  # its client socket, and the server's end of it
        client.close()
        assert settled(server, 0), server.open_connections
        gc.collect()
        assert open_fds() <= baseline

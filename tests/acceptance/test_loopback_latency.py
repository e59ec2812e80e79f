"""The loopback fakes answer in about a millisecond: TCP_NODELAY, so no Nagle/delayed-ACK stall.

Without it every call waits ~44 ms for the client's delayed ACK (50 calls: over 2 s). The
bound below is twenty times the ~1 ms a call takes here, to stay green on a loaded machine.
"""

from __future__ import annotations

import socket
import time

import pytest

import llmport
from llmport.testing import FakeAnthropicServer, FakeOpenAIServer

pytestmark = pytest.mark.acceptance
HELLO = [{"role": "user", "content": "hi"}]
FAKES = [(FakeOpenAIServer, "openai/gpt-4o"), (FakeAnthropicServer, "anthropic/claude-3-5-haiku-latest")]


@pytest.mark.parametrize(("fake", "model"), FAKES, ids=["openai", "anthropic"])
def test_fifty_sequential_calls_take_under_a_second(fake: type, model: str) -> None:
    with fake() as server, llmport.Client(api_key="sk-test", api_base=server.base_url) as client:
        client.completion(model, HELLO)  # connect once, as any client keeps its connection
        started = time.perf_counter()
        for _ in range(50):
            client.completion(model, HELLO)
        elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"50 calls took {elapsed:.2f} s: is TCP_NODELAY set on the fake's sockets?"


@pytest.mark.parametrize(("fake", "model"), FAKES, ids=["openai", "anthropic"])
def test_the_fakes_served_sockets_have_tcp_nodelay(fake: type, model: str) -> None:
    with fake() as server, llmport.Client(api_key="sk-test", api_base=server.base_url) as client:
        client.completion(model, HELLO)
        connections = list(server._server._connections)
        assert connections
        for connection in connections:
            assert connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)

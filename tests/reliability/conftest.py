"""Fixtures of the fault suite: a fault server, a wire protocol per codec, and a caller per mode.

Every scenario runs once per codec (``wire``) and per way of calling (``mode``): ``sync``
(``Client.completion``: the default transport's httpx side) and ``async`` (``Client.acompletion``:
the default transport's aiohttp side); a scenario that also runs over httpx's async client
(``Client(async_transport="httpx")``) parametrizes ``mode`` with ``ALL_MODES``. Retry sleeps go
through a ``FakeClock``: no test waits for a backoff.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import llmport
from llmport import ModelResponse, ModelResponseStream
from llmport.testing import FakeClock

from .fault_server import FaultServer
from .wire import PROTOCOLS, WireProtocol

MODES = ("sync", "async")
ALL_MODES = (*MODES, "httpx-async")
USER = [{"role": "user", "content": "hi"}]


@dataclass
class StreamOutcome:
    """What a caller saw of a stream: the chunks it received, then the exception, if one ended it."""

    chunks: list[ModelResponseStream] = field(default_factory=list)
    error: BaseException | None = None

    @property
    def text(self) -> str:
        """The assistant text of the chunks received."""
        return "".join(chunk.choices[0].delta.content or "" for chunk in self.chunks if chunk.choices)

    def built(self) -> ModelResponse:
        """The chunks rebuilt into one response, as litellm's ``stream_chunk_builder`` does."""
        response = llmport.stream_chunk_builder(self.chunks)
        assert response is not None
        return response


class Caller:
    """Calls llmport's public API against the fault server, in one mode.

    Args:
        mode: ``sync`` (over httpx), ``async`` (over aiohttp, the default) or ``httpx-async``.
        wire: The codec's protocol description.
        server: The fault server.
        clock: The fake clock every client gets.
    """

    def __init__(self, mode: str, wire: WireProtocol, server: FaultServer, clock: FakeClock) -> None:
        self.mode = mode
        self.wire = wire
        self.server = server
        self.clock = clock

    def complete(self, **params: Any) -> ModelResponse:
        """Run a non-streamed completion and return its response (or raise its error)."""
        if self.mode == "sync":
            with self._client() as client:
                response = client.completion(self.wire.model, USER, **params)
        else:
            response = asyncio.run(self._acomplete(params))
        assert isinstance(response, ModelResponse)
        return response

    def stream(self, **params: Any) -> StreamOutcome:
        """Open a stream (an error opening it propagates) and read it until it ends or raises."""
        if self.mode != "sync":
            return asyncio.run(self._astream(params))
        outcome = StreamOutcome()
        with self._client() as client:
            stream = client.completion(self.wire.model, USER, stream=True, **params)
            try:
                for chunk in stream:
                    outcome.chunks.append(chunk)
            except Exception as error:  # the caller's iteration raising is what is under test
                outcome.error = error
        return outcome

    def call(self, *, stream: bool, **params: Any) -> ModelResponse:
        """Complete, streamed or not; a streamed answer must end cleanly and is rebuilt."""
        if not stream:
            return self.complete(**params)
        outcome = self.stream(**params)
        if outcome.error is not None:
            raise outcome.error
        return outcome.built()

    @property
    def slept(self) -> float:
        """Seconds the clients slept on the fake clock (retry backoff)."""
        return sum(self.clock.sleeps)

    async def _acomplete(self, params: dict[str, Any]) -> ModelResponse | Any:
        async with self._client() as client:
            return await client.acompletion(self.wire.model, USER, **params)

    async def _astream(self, params: dict[str, Any]) -> StreamOutcome:
        outcome = StreamOutcome()
        async with self._client() as client:
            stream = await client.acompletion(self.wire.model, USER, stream=True, **params)
            try:
                async for chunk in stream:
                    outcome.chunks.append(chunk)
            except Exception as error:  # the caller's iteration raising is what is under test
                outcome.error = error
        return outcome

    def _client(self) -> llmport.Client:
        return llmport.Client(
            **self.wire.credentials(),
            api_base=self.wire.api_base(self.server.root_url),
            clock=self.clock,
            async_transport="httpx" if self.mode == "httpx-async" else "aiohttp",
        )


@pytest.fixture(params=PROTOCOLS, ids=lambda wire: wire.name)
def wire(request: pytest.FixtureRequest) -> WireProtocol:
    """Each codec's protocol description in turn."""
    protocol: WireProtocol = request.param
    return protocol


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Each way of calling in turn; a test parametrizing ``mode`` itself overrides this."""
    value: str = request.param
    return value


@pytest.fixture
def server() -> Iterator[FaultServer]:
    """A fresh fault server; a test that leaves scripted actions unused fails."""
    with FaultServer() as srv:
        yield srv
        assert srv.pending == 0, f"{srv.pending} scripted action(s) were never requested"


@pytest.fixture
def clock() -> FakeClock:
    """The fake clock the clients sleep on."""
    return FakeClock()


@pytest.fixture
def caller(mode: str, wire: WireProtocol, server: FaultServer, clock: FakeClock) -> Caller:
    """Calls llmport in ``mode`` against ``server`` speaking ``wire``."""
    return Caller(mode, wire, server, clock)

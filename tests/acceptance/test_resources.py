"""Resource safety, proven from the server side: abandoned streams and closed clients hang up.

A held-stream server sends the start of a stream and then waits, with the response unfinished,
for the client to hang up; a stream left early (break, close, or just dropped) must make it see
the connection close. A client used as a context manager must close its pooled keep-alive
connections, which the fake server sees as its open connections dropping to zero.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import pytest

from llmport import AiohttpTransport, Client, CompletionStream
from llmport.testing import FakeOpenAIServer
from llmport.testing.loopback import LoopbackFake, QuietHandler

from .conftest import FAKE_OPENAI_KEY

USER = [{"role": "user", "content": "hi"}]
MODEL = "openai/gpt-4o-mini"
HANG_UP_WAIT = 10.0  # generous: a hang-up is seen in milliseconds; this only bounds a failure
TRANSPORTS: dict[str, Callable[[], Any]] = {
    "httpx": lambda: None,  # the client's default transport
    "aiohttp": lambda: AiohttpTransport(ssl_verify=False),
}


def _frame(delta: dict[str, Any]) -> bytes:
    chunk = {
        "id": "chatcmpl-held",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


class _HeldStreamHandler(QuietHandler):
    server: Any
    frames: ClassVar[list[bytes]] = [_frame({"role": "assistant", "content": ""}), _frame({"content": "one"})]

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        owner: HeldStreamServer = self.server.owner
        owner.streams_started += 1  # before any byte goes out: the client may be quicker
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for frame in self.frames:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
        self.wfile.flush()
        # The response is unfinished: the only thing the client may do now is hang up.
        self.connection.settimeout(HANG_UP_WAIT)
        try:
            hung_up = self.connection.recv(1) == b""
        except TimeoutError:
            hung_up = False
        except OSError:  # reset by the peer: a hang-up too
            hung_up = True
        if hung_up:
            owner.hung_up.set()
        self.close_connection = True


class HeldStreamServer(LoopbackFake):
    """Starts every stream and holds it open until the client hangs up (``hung_up`` is then set)."""

    handler = _HeldStreamHandler
    thread_name = "llmport-held-stream"

    def __init__(self) -> None:
        super().__init__(require_auth=False)
        self.hung_up = threading.Event()
        self.streams_started = 0

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL."""
        return f"{self.root_url}/v1"


@pytest.fixture
def held() -> Iterator[HeldStreamServer]:
    with HeldStreamServer() as server:
        yield server


def client_for(base_url: str, transport: str = "httpx") -> Client:
    return Client(
        api_key=FAKE_OPENAI_KEY, api_base=base_url, transport=TRANSPORTS[transport](), num_retries=0
    )


def first_content(stream: CompletionStream) -> str | None:
    return next(stream).choices[0].delta.content


# -- sync streams: both transports' sync path -------------------------------------------------


def _with_block_break(client: Client) -> None:
    with client.completion(MODEL, USER, stream=True) as stream:
        for _chunk in stream:
            break


def _loop_break_on_a_temporary(client: Client) -> None:
    for _chunk in client.completion(MODEL, USER, stream=True):
        break  # nothing keeps the stream: dropping it closes it


def _close_after_one(client: Client) -> None:
    stream = client.completion(MODEL, USER, stream=True)
    first_content(stream)
    stream.close()


def _drop_after_one(client: Client) -> None:
    stream = client.completion(MODEL, USER, stream=True)
    first_content(stream)
    del stream


SYNC_WAYS = [_with_block_break, _loop_break_on_a_temporary, _close_after_one, _drop_after_one]


@pytest.mark.parametrize("transport", TRANSPORTS, ids=list(TRANSPORTS))
@pytest.mark.parametrize("leave", SYNC_WAYS, ids=[way.__name__.strip("_") for way in SYNC_WAYS])
def test_leaving_a_stream_early_hangs_up(
    held: HeldStreamServer, leave: Callable[[Client], None], transport: str
) -> None:
    client = client_for(held.base_url, transport)
    leave(client)
    assert held.streams_started == 1
    assert held.hung_up.wait(HANG_UP_WAIT), "the server still holds the abandoned stream's connection"
    client.close()


def test_a_stream_still_held_keeps_its_connection(held: HeldStreamServer) -> None:
    # The control for the tests above: the hang-up is the stream's closing, nothing else.
    client = client_for(held.base_url)
    stream = client.completion(MODEL, USER, stream=True)
    assert first_content(stream) == ""
    assert not held.hung_up.wait(0.3)
    stream.close()
    assert held.hung_up.wait(HANG_UP_WAIT)
    client.close()


# -- async streams: httpx and aiohttp ----------------------------------------------------------


async def _async_with_block_break(client: Client) -> None:
    async with await client.acompletion(MODEL, USER, stream=True) as stream:
        async for _chunk in stream:
            break


async def _async_loop_break_on_a_temporary(client: Client) -> None:
    async for _chunk in await client.acompletion(MODEL, USER, stream=True):
        break  # the event loop finalises the dropped async generator


async def _aclose_after_one(client: Client) -> None:
    stream = await client.acompletion(MODEL, USER, stream=True)
    await anext(stream)
    await stream.aclose()


async def _adrop_after_one(client: Client) -> None:
    stream = await client.acompletion(MODEL, USER, stream=True)
    await anext(stream)
    del stream


ASYNC_WAYS = [_async_with_block_break, _async_loop_break_on_a_temporary, _aclose_after_one, _adrop_after_one]


@pytest.mark.parametrize("transport", TRANSPORTS, ids=list(TRANSPORTS))
@pytest.mark.parametrize("leave", ASYNC_WAYS, ids=[way.__name__.strip("_") for way in ASYNC_WAYS])
def test_leaving_an_async_stream_early_hangs_up(
    held: HeldStreamServer, leave: Callable[[Client], Any], transport: str
) -> None:
    client = client_for(held.base_url, transport)

    async def main() -> bool:
        await leave(client)
        # Waiting in a thread keeps the loop running, so it can finalise a dropped generator.
        return await asyncio.to_thread(held.hung_up.wait, HANG_UP_WAIT)

    assert asyncio.run(main()), "the server still holds the abandoned stream's connection"
    assert held.streams_started == 1
    client.close()


# -- clients as context managers ---------------------------------------------------------------


def wait_until(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + HANG_UP_WAIT
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_client_as_a_context_manager_closes_its_pool(server: FakeOpenAIServer) -> None:
    with client_for(server.base_url) as client:
        client.completion(MODEL, USER)
        client.completion(MODEL, USER)
        # One keep-alive connection, reused, idle in the pool: the server still holds it.
        assert server.open_connections == 1
    assert wait_until(lambda: server.open_connections == 0)


def test_without_closing_the_pool_keeps_its_connection(server: FakeOpenAIServer) -> None:
    # The control for the test above: the drop to zero is the client's doing, not the server's.
    client = client_for(server.base_url)
    client.completion(MODEL, USER)
    time.sleep(0.2)
    assert server.open_connections == 1
    client.close()
    assert wait_until(lambda: server.open_connections == 0)


@pytest.mark.parametrize("transport", TRANSPORTS, ids=list(TRANSPORTS))
def test_a_client_as_an_async_context_manager_closes_its_pools(
    server: FakeOpenAIServer, transport: str
) -> None:
    async def main() -> tuple[int, bool]:
        async with client_for(server.base_url, transport) as client:
            await client.acompletion(MODEL, USER)
            await client.acompletion(MODEL, USER)
            during = server.open_connections
        # Still inside the loop: the pool closed at the block's end, not at the loop's.
        return during, await asyncio.to_thread(wait_until, lambda: server.open_connections == 0)

    during, closed = asyncio.run(main())
    assert during == 1
    assert closed

"""One contract suite for the transport port, run against every adapter.

Each adapter is driven through a small "wire" harness that knows how to make the transport
receive a given answer: the httpx wire scripts a loopback HTTP server (127.0.0.1 only), the fake
wires return the answer from the ``FakeTransport`` handler (as an ``HttpResponse`` or as a
``FakeStream``). The test functions are the same for all of them.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import socket
import ssl
import subprocess
import sys
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import httpx
import pytest

from llmport import APIConnectionError, LLMPortError, Timeout
from llmport.adapters.transport.aiohttp_transport import AiohttpTransport
from llmport.adapters.transport.fake import FakeAnswer, FakeStream, FakeTransport
from llmport.adapters.transport.httpx_transport import HttpxTransport
from llmport.adapters.transport.routing import RoutingTransport
from llmport.adapters.transport.split import default_transport
from llmport.domain.models.request import TimeoutConfig
from llmport.ports.transport import HttpRequest, HttpResponse, Transport
from llmport.testing.loopback import LoopbackHTTPServer, QuietHandler

SECRET = "SECRET123456"
NORMAL = TimeoutConfig(connect=5, read=5, write=5, pool=5)
FAST = TimeoutConfig(connect=1, read=0.2, write=1, pool=1)
# A stream that stops mid-body: generous enough that the head and first piece always arrive first.
STALL = TimeoutConfig(connect=1, read=0.5, write=1, pool=1)
SSE = (b'data: {"n": 1}\n\n', b'data: {"n": 2}\n\n', b"data: [DONE]\n\n")
SSE_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
SECRET_PATHS = {
    "query-key": f"/v1/models/m:generateContent?alt=sse&key={SECRET}",
    "path": f"/v1/{SECRET}/chat/completions",
}

# Every secret placement on a refused connection; a timeout (slow by nature) with one of them.
FAILURES = [("refused", "query-key"), ("refused", "path"), ("silent", "query-key")]

Ending = Literal["complete", "hold", "drop", "stall"]


@dataclass(frozen=True)
class Seen:
    """A request as the peer received it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes


class Wire(Protocol):
    """How a test makes a transport's peer answer."""

    gate_timed_out: bool

    @property
    def transport(self) -> Transport:
        """The adapter under test."""
        ...

    def url(self, path: str = "/v1/echo") -> str:
        """A URL the peer answers on."""
        ...

    def answer(
        self, status: int, headers: dict[str, str], pieces: tuple[bytes, ...], *, ending: Ending = "complete"
    ) -> None:
        """Script the next answer.

        ``hold`` sends the first piece, then waits for ``release()``; ``drop`` sends the pieces and
        hangs up mid-body; ``stall`` sends the first piece and then nothing.
        """
        ...

    def release(self) -> None:
        """Let a held answer continue."""
        ...

    def received(self) -> list[Seen]:
        """Every request the peer got."""
        ...

    def refused_url(self, path: str) -> str:
        """A URL whose connection is refused."""
        ...

    def silent_url(self, path: str) -> str:
        """A URL whose peer accepts and never answers."""
        ...

    def close(self) -> None:
        """Release everything."""
        ...


# -- the httpx wire: a loopback HTTP/1.1 server ----------------------------------------------


@dataclass(frozen=True)
class _Script:
    status: int
    headers: dict[str, str]
    pieces: tuple[bytes, ...]
    ending: Ending


class _Server(LoopbackHTTPServer):
    # Room for a hundred simultaneous connects (the aiohttp concurrency test) without SYN retries.
    request_queue_size = 128

    def __init__(self, wire: HttpxWire) -> None:
        self.wire = wire
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(QuietHandler):
    server: _Server

    def _serve(self) -> None:
        wire = self.server.wire
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        wire.record(Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        script = wire.next_script() or _Script(
            200, {"Content-Type": "application/octet-stream"}, (body,), "complete"
        )
        if script.ending == "complete" and len(script.pieces) <= 1:
            data = b"".join(script.pieces)
            self.wfile.write(self._head(script, {"Content-Length": str(len(data))}) + data)
            return
        # The head and the first piece leave in one write, so a tight read timeout only ever
        # measures the deliberate stall, not this thread's scheduling.
        first, *rest = script.pieces
        self.wfile.write(self._head(script, {"Transfer-Encoding": "chunked"}) + self._chunk(first))
        if script.ending == "stall":
            wire.stopping.wait(10)
            self.close_connection = True
            return
        if script.ending == "hold":
            wire.wait_for_release()
        for piece in rest:
            self.wfile.write(self._chunk(piece))
        if script.ending == "drop":
            self.close_connection = True  # no terminating chunk: a truncated body
            return
        self.wfile.write(b"0\r\n\r\n")

    do_GET = do_POST = _serve

    def _head(self, script: _Script, framing: dict[str, str]) -> bytes:
        reason = self.responses.get(script.status, ("Whatever",))[0]
        lines = [f"HTTP/1.1 {script.status} {reason}"]
        lines += [f"{name}: {value}" for name, value in {**script.headers, **framing}.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    @staticmethod
    def _chunk(data: bytes) -> bytes:
        return b"%x\r\n%s\r\n" % (len(data), data) if data else b""


class HttpxWire:
    """A real transport (``HttpxTransport`` unless given) against a loopback server, plus a
    refusing port and a silent listener."""

    def __init__(self, transport: Transport | None = None) -> None:
        # Plain http on loopback: skip loading a CA bundle (tens of ms per transport).
        self.transport = transport or HttpxTransport(ssl_verify=False)
        self.gate_timed_out = False
        self.stopping = threading.Event()
        self._gate = threading.Event()
        self._lock = threading.Lock()
        self._scripts: deque[_Script] = deque()
        self._seen: list[Seen] = []
        self._sockets: list[socket.socket] = []
        self._server = _Server(self)
        self._server.serve_in_thread("transport-contract", poll_interval=0.01)

    def url(self, path: str = "/v1/echo") -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def answer(
        self, status: int, headers: dict[str, str], pieces: tuple[bytes, ...], *, ending: Ending = "complete"
    ) -> None:
        with self._lock:
            self._scripts.append(_Script(status, headers, pieces, ending))

    def release(self) -> None:
        self._gate.set()

    def received(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def refused_url(self, path: str) -> str:
        # Bound but not listening: the kernel refuses connections, and nobody else can take the port.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._sockets.append(sock)
        return f"http://127.0.0.1:{sock.getsockname()[1]}{path}"

    def silent_url(self, path: str) -> str:
        # Listening but never accepting: the kernel completes the handshake, nobody ever answers.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        self._sockets.append(sock)
        return f"http://127.0.0.1:{sock.getsockname()[1]}{path}"

    def close(self) -> None:
        self.transport.close()
        self.stopping.set()
        self._gate.set()
        self._server.stop()
        for sock in self._sockets:
            sock.close()

    # called from the server's threads
    def record(self, seen: Seen) -> None:
        with self._lock:
            self._seen.append(seen)

    def next_script(self) -> _Script | None:
        with self._lock:
            return self._scripts.popleft() if self._scripts else None

    def wait_for_release(self) -> None:
        if not self._gate.wait(5):
            self.gate_timed_out = True


def _no_local_transport() -> Transport:
    raise AssertionError("a non-local URL must never build the local transport")


# -- the fake wires: the handler is the peer --------------------------------------------------

_FAKE_BASE = "http://127.0.0.1:9"


class FakeWire:
    """``FakeTransport`` whose handler plays the peer, answering ``HttpResponse`` or ``FakeStream``."""

    def __init__(self, *, as_stream: bool) -> None:
        self.transport = FakeTransport(self._handle)
        self.gate_timed_out = False
        self._as_stream = as_stream
        self._scripts: deque[Callable[[HttpRequest], FakeAnswer]] = deque()

    def url(self, path: str = "/v1/echo") -> str:
        return f"{_FAKE_BASE}{path}"

    def answer(
        self, status: int, headers: dict[str, str], pieces: tuple[bytes, ...], *, ending: Ending = "complete"
    ) -> None:
        def respond(request: HttpRequest) -> FakeAnswer:
            if ending == "drop":
                drop = APIConnectionError(f"RemoteProtocolError on {request.safe_url}: hung up")
                return FakeStream(status, headers, (*pieces, drop))
            if ending == "stall":
                stall = Timeout(f"ReadTimeout on {request.method} {request.safe_url}: timed out")
                return FakeStream(status, headers, (pieces[0], stall))
            if self._as_stream:
                return FakeStream(status, headers, pieces)
            return HttpResponse(status, headers, chunks=pieces)

        self._scripts.append(respond)

    def release(self) -> None:
        """A fake answer is never held."""

    def received(self) -> list[Seen]:
        seen = []
        for request in self.transport.requests:
            parts = urlsplit(request.url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            seen.append(Seen(request.method, target, dict(request.headers), request.body))
        return seen

    def refused_url(self, path: str) -> str:
        def refuse(request: HttpRequest) -> FakeAnswer:
            raise APIConnectionError(f"ConnectError on {request.method} {request.safe_url}: refused")

        self._scripts.append(refuse)
        return self.url(path)

    def silent_url(self, path: str) -> str:
        def time_out(request: HttpRequest) -> FakeAnswer:
            raise Timeout(f"ReadTimeout on {request.method} {request.safe_url}: timed out")

        self._scripts.append(time_out)
        return self.url(path)

    def close(self) -> None:
        self.transport.close()

    def _handle(self, request: HttpRequest) -> FakeAnswer:
        if self._scripts:
            return self._scripts.popleft()(request)
        return HttpResponse(200, {"Content-Type": "application/octet-stream"}, request.body)


WIRES: dict[str, Callable[[], Wire]] = {
    "aiohttp": lambda: HttpxWire(AiohttpTransport(ssl_verify=False)),
    "httpx": HttpxWire,
    # RoutingTransport in front of httpx: every non-local:// URL behaves exactly as httpx.
    "routing-httpx": lambda: HttpxWire(
        RoutingTransport(HttpxTransport(ssl_verify=False), local=_no_local_transport)
    ),
    # The container's default: httpx for sync calls, aiohttp (built on the first async call) for async.
    "default": lambda: HttpxWire(default_transport(ssl_verify=False)),
    "fake-response": lambda: FakeWire(as_stream=False),
    "fake-stream": lambda: FakeWire(as_stream=True),
}


@pytest.fixture(params=sorted(WIRES))
def wire(request: pytest.FixtureRequest) -> Iterator[Wire]:
    made = WIRES[request.param]()
    yield made
    made.close()


@pytest.fixture
def httpx_wire() -> Iterator[HttpxWire]:
    made = HttpxWire()
    yield made
    made.close()


def req(
    url: str,
    *,
    method: str = "POST",
    body: bytes = b"{}",
    headers: dict[str, str] | None = None,
    timeout: TimeoutConfig = NORMAL,
    secrets: tuple[str, ...] = (),
) -> HttpRequest:
    return HttpRequest(
        method, url, {"content-type": "application/json", **(headers or {})}, body, timeout, secrets
    )


def exchange(transport: Transport, api: str, request: HttpRequest) -> tuple[int, dict[str, str], bytes]:
    if api == "send":
        response = transport.send(request)
        return response.status_code, dict(response.headers), response.content
    with transport.stream(request) as streamed:
        return streamed.status_code, dict(streamed.headers), b"".join(streamed.iter_bytes())


async def aexchange(
    transport: Transport, api: str, request: HttpRequest
) -> tuple[int, dict[str, str], bytes]:
    if api == "asend":
        response = await transport.asend(request)
        return response.status_code, dict(response.headers), response.content
    async with transport.astream(request) as streamed:
        return (
            streamed.status_code,
            dict(streamed.headers),
            b"".join([p async for p in streamed.aiter_bytes()]),
        )


def read_into(pieces: Iterator[bytes], received: list[bytes]) -> None:
    for piece in pieces:
        received.append(piece)


async def aread_into(transport: Transport, request: HttpRequest, received: list[bytes]) -> None:
    async with transport.astream(request) as streamed:
        async for piece in streamed.aiter_bytes():
            received.append(piece)


def failing_url(wire: Wire, failure: str, path: str) -> str:
    return wire.refused_url(path) if failure == "refused" else wire.silent_url(path)


def assert_no_secret(error: BaseException) -> None:
    texts = [
        str(error),
        repr(error),
        getattr(error, "message", ""),
        "".join(traceback.format_exception(error)),
    ]
    for text in texts:
        assert SECRET not in text, text


# -- the contract -------------------------------------------------------------------------------


def test_adapter_is_a_transport(wire: Wire) -> None:
    assert isinstance(wire.transport, Transport)


BODIES = {"json": b'{"ok": true}', "binary": bytes(range(256)) * 1024, "empty": b""}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_send_returns_status_lower_case_headers_and_the_exact_body(wire: Wire, body: bytes) -> None:
    wire.answer(201, {"Content-Type": "application/json", "X-Request-ID": "req_42"}, (body,))
    response = wire.transport.send(req(wire.url()))
    assert isinstance(response, HttpResponse)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"] == "req_42"
    assert all(name == name.lower() for name in response.headers)
    assert response.content == body


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
async def test_asend_returns_status_lower_case_headers_and_the_exact_body(wire: Wire, body: bytes) -> None:
    wire.answer(201, {"Content-Type": "application/json", "X-Request-ID": "req_42"}, (body,))
    response = await wire.transport.asend(req(wire.url()))
    assert isinstance(response, HttpResponse)
    assert response.status_code == 201
    assert response.headers["x-request-id"] == "req_42"
    assert all(name == name.lower() for name in response.headers)
    assert response.content == body


@pytest.mark.parametrize("api", ["send", "stream"])
def test_an_error_status_is_an_answer_not_an_exception(wire: Wire, api: str) -> None:
    body = b'{"error": {"message": "slow down"}}'
    wire.answer(429, {"Retry-After": "7", "Content-Type": "application/json"}, (body,))
    status, headers, content = exchange(wire.transport, api, req(wire.url()))
    assert (status, headers["retry-after"], content) == (429, "7", body)


@pytest.mark.parametrize("api", ["asend", "astream"])
async def test_an_error_status_is_an_async_answer_not_an_exception(wire: Wire, api: str) -> None:
    body = b'{"error": {"message": "down"}}'
    wire.answer(503, {"Content-Type": "application/json"}, (body,))
    status, _, content = await aexchange(wire.transport, api, req(wire.url()))
    assert (status, content) == (503, body)


def test_method_target_headers_and_body_reach_the_peer(wire: Wire) -> None:
    target = "/v1/chat/completions?api-version=2024-10-21"
    wire.transport.send(req(wire.url(target), body=b'{"model": "m"}', headers={"x-custom": "yes"}))
    wire.transport.send(HttpRequest("GET", wire.url("/v1/models"), timeout=NORMAL))
    post, get = wire.received()
    assert (post.method, post.target, post.body) == ("POST", target, b'{"model": "m"}')
    assert post.headers["x-custom"] == "yes"
    assert post.headers["content-type"] == "application/json"
    assert (get.method, get.target, get.body) == ("GET", "/v1/models", b"")


async def test_asend_delivers_method_target_headers_and_body(wire: Wire) -> None:
    await wire.transport.asend(req(wire.url("/v1/x?a=1"), body=b"payload", headers={"x-custom": "yes"}))
    (seen,) = wire.received()
    assert (seen.method, seen.target, seen.body) == ("POST", "/v1/x?a=1", b"payload")
    assert seen.headers["x-custom"] == "yes"


# A percent-encoded path travels byte for byte: SigV4 signs the path as the codec encoded it
# (Bedrock's model ids: ``:`` as %3A, an ARN's ``/`` as %2F), so a transport must not re-quote it.
ENCODED_TARGET = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.m-v1%3A0/converse"


def test_a_percent_encoded_target_reaches_the_peer_unchanged(wire: Wire) -> None:
    wire.transport.send(req(wire.url(ENCODED_TARGET), body=b"{}"))
    (seen,) = wire.received()
    assert seen.target == ENCODED_TARGET


async def test_a_percent_encoded_target_reaches_the_peer_unchanged_async(wire: Wire) -> None:
    await wire.transport.asend(req(wire.url(ENCODED_TARGET), body=b"{}"))
    async with wire.transport.astream(req(wire.url(ENCODED_TARGET), body=b"{}")) as response:
        await response.aread()
    assert [seen.target for seen in wire.received()] == [ENCODED_TARGET, ENCODED_TARGET]


def test_stream_yields_the_body_in_order_as_it_arrives(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE, ending="hold")
    with wire.transport.stream(req(wire.url())) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert all(name == name.lower() for name in response.headers)
        pieces = response.iter_bytes()
        received = b""
        while len(received) < len(SSE[0]):
            received += next(pieces)
        # The first event is readable while the peer still holds back the rest: no buffering.
        assert received == SSE[0]
        wire.release()
        rest = list(pieces)
    assert all(isinstance(piece, bytes) for piece in rest)
    assert received + b"".join(rest) == b"".join(SSE)
    assert not wire.gate_timed_out


async def test_astream_yields_the_body_in_order_as_it_arrives(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE, ending="hold")
    async with wire.transport.astream(req(wire.url())) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        pieces = response.aiter_bytes()
        received = b""
        while len(received) < len(SSE[0]):
            received += await anext(pieces)
        assert received == SSE[0]
        wire.release()
        rest = [piece async for piece in pieces]
    assert all(isinstance(piece, bytes) for piece in rest)
    assert received + b"".join(rest) == b"".join(SSE)
    assert not wire.gate_timed_out


def test_stream_read_returns_the_whole_body(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE)
    with wire.transport.stream(req(wire.url())) as response:
        assert response.read() == b"".join(SSE)


async def test_astream_aread_returns_the_whole_body(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE)
    async with wire.transport.astream(req(wire.url())) as response:
        assert await response.aread() == b"".join(SSE)


def test_leaving_a_stream_early_releases_it(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE)
    with wire.transport.stream(req(wire.url())) as response:
        first = next(iter(response.iter_bytes()))
    assert SSE[0].startswith(first[: len(SSE[0])])
    gc.collect()
    assert wire.transport.send(req(wire.url(), body=b"next")).content == b"next"


async def test_leaving_an_async_stream_early_releases_it(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE)
    async with wire.transport.astream(req(wire.url())) as response:
        pieces = response.aiter_bytes()
        first = await anext(pieces)
        await pieces.aclose()  # type: ignore[attr-defined]
    assert SSE[0].startswith(first[: len(SSE[0])])
    assert (await wire.transport.asend(req(wire.url(), body=b"next"))).content == b"next"


async def test_leaving_an_async_stream_early_without_closing_the_iterator(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE)
    async with wire.transport.astream(req(wire.url())) as response:
        pieces = response.aiter_bytes()
        await anext(pieces)
    del pieces, response
    gc.collect()
    await asyncio.sleep(0)  # the loop finalises the abandoned async generator
    assert (await wire.transport.asend(req(wire.url(), body=b"next"))).content == b"next"


def test_an_error_in_the_caller_inside_a_stream_is_not_translated(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE)
    with pytest.raises(KeyError), wire.transport.stream(req(wire.url())):
        raise KeyError("the caller's own bug")
    assert wire.transport.send(req(wire.url(), body=b"next")).content == b"next"


async def test_an_error_in_the_caller_inside_an_async_stream_is_not_translated(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE)
    with pytest.raises(KeyError):
        async with wire.transport.astream(req(wire.url())):
            raise KeyError("the caller's own bug")
    assert (await wire.transport.asend(req(wire.url(), body=b"next"))).content == b"next"


def test_close_is_idempotent(wire: Wire) -> None:
    wire.transport.close()
    wire.transport.send(req(wire.url(), body=b"one"))
    wire.transport.close()
    wire.transport.close()


async def test_aclose_is_idempotent(wire: Wire) -> None:
    await wire.transport.aclose()
    assert (await wire.transport.asend(req(wire.url(), body=b"one"))).content == b"one"
    await wire.transport.aclose()
    await wire.transport.aclose()


async def test_concurrent_asends_each_get_their_own_answer(wire: Wire) -> None:
    bodies = [f"body-{i}".encode() for i in range(6)]
    responses = await asyncio.gather(*(wire.transport.asend(req(wire.url(), body=b)) for b in bodies))
    assert [r.content for r in responses] == bodies


def test_threads_sharing_a_transport_each_get_their_own_answer(wire: Wire) -> None:
    bodies = [f"body-{i}".encode() for i in range(12)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda b: wire.transport.send(req(wire.url(), body=b)), bodies))
    assert [r.content for r in responses] == bodies


@pytest.mark.parametrize("api", ["send", "stream"])
def test_a_refused_connection_is_api_connection_error(wire: Wire, api: str) -> None:
    request = req(wire.refused_url("/v1/chat/completions"), timeout=FAST)
    with pytest.raises(APIConnectionError) as caught:
        exchange(wire.transport, api, request)
    assert not isinstance(caught.value, Timeout)


@pytest.mark.parametrize("api", ["asend", "astream"])
async def test_a_refused_async_connection_is_api_connection_error(wire: Wire, api: str) -> None:
    request = req(wire.refused_url("/v1/chat/completions"), timeout=FAST)
    with pytest.raises(APIConnectionError) as caught:
        await aexchange(wire.transport, api, request)
    assert not isinstance(caught.value, Timeout)


@pytest.mark.parametrize("api", ["send", "stream"])
def test_a_read_timeout_is_timeout(wire: Wire, api: str) -> None:
    request = req(wire.silent_url("/v1/chat/completions"), timeout=FAST)
    started = time.monotonic()
    with pytest.raises(Timeout):
        exchange(wire.transport, api, request)
    assert time.monotonic() - started < 3  # the request's own read timeout applied


@pytest.mark.parametrize("api", ["asend", "astream"])
async def test_an_async_read_timeout_is_timeout(wire: Wire, api: str) -> None:
    request = req(wire.silent_url("/v1/chat/completions"), timeout=FAST)
    started = time.monotonic()
    with pytest.raises(Timeout):
        await aexchange(wire.transport, api, request)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(("failure", "shape"), FAILURES)
@pytest.mark.parametrize("api", ["send", "stream"])
def test_a_secret_in_the_url_never_reaches_the_error_text(
    wire: Wire, api: str, failure: str, shape: str
) -> None:
    url = failing_url(wire, failure, SECRET_PATHS[shape])
    with pytest.raises(APIConnectionError) as caught:
        exchange(wire.transport, api, req(url, timeout=FAST, secrets=(SECRET,)))
    assert_no_secret(caught.value)


@pytest.mark.parametrize(("failure", "shape"), FAILURES)
@pytest.mark.parametrize("api", ["asend", "astream"])
async def test_a_secret_in_the_url_never_reaches_the_async_error_text(
    wire: Wire, api: str, failure: str, shape: str
) -> None:
    url = failing_url(wire, failure, SECRET_PATHS[shape])
    with pytest.raises(APIConnectionError) as caught:
        await aexchange(wire.transport, api, req(url, timeout=FAST, secrets=(SECRET,)))
    assert_no_secret(caught.value)


def test_a_dropped_stream_raises_api_connection_error_after_what_arrived(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE[:2], ending="drop")
    received: list[bytes] = []
    request = req(wire.url(SECRET_PATHS["query-key"]), secrets=(SECRET,))
    with wire.transport.stream(request) as response, pytest.raises(APIConnectionError) as caught:
        read_into(response.iter_bytes(), received)
    assert b"".join(received) == b"".join(SSE[:2])
    assert not isinstance(caught.value, Timeout)
    assert_no_secret(caught.value)


async def test_a_dropped_async_stream_raises_api_connection_error_after_what_arrived(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE[:2], ending="drop")
    received: list[bytes] = []
    request = req(wire.url(SECRET_PATHS["query-key"]), secrets=(SECRET,))
    with pytest.raises(APIConnectionError) as caught:
        await aread_into(wire.transport, request, received)
    assert b"".join(received) == b"".join(SSE[:2])
    assert not isinstance(caught.value, Timeout)
    assert_no_secret(caught.value)


def test_a_stalled_stream_raises_timeout_after_what_arrived(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE, ending="stall")
    received: list[bytes] = []
    request = req(wire.url(SECRET_PATHS["path"]), timeout=STALL, secrets=(SECRET,))
    with wire.transport.stream(request) as response, pytest.raises(Timeout) as caught:
        read_into(response.iter_bytes(), received)
    assert b"".join(received) == SSE[0]
    assert_no_secret(caught.value)


async def test_a_stalled_async_stream_raises_timeout_after_what_arrived(wire: Wire) -> None:
    wire.answer(200, SSE_HEADERS, SSE, ending="stall")
    received: list[bytes] = []
    request = req(wire.url(SECRET_PATHS["path"]), timeout=STALL, secrets=(SECRET,))
    with pytest.raises(Timeout) as caught:
        await aread_into(wire.transport, request, received)
    assert b"".join(received) == SSE[0]
    assert_no_secret(caught.value)


EVERY_WIRE = sorted(WIRES)


def escaped(outcome: Callable[[], object]) -> Exception | None:
    try:
        outcome()
    except Exception as error:  # the point: see what escapes
        return error
    return None


async def aescaped(outcome: Awaitable[object]) -> Exception | None:
    try:
        await outcome
    except Exception as error:  # the point: see what escapes
        return error
    return None


def assert_only_llmport_errors(error: Exception | None) -> None:
    """The call may succeed; if it fails, the failure is llmport's and carries no secret."""
    if error is not None:
        assert isinstance(error, LLMPortError), f"{type(error).__module__}.{type(error).__name__} escaped"
        assert_no_secret(error)


CORRUPT_GZIP = ({"Content-Encoding": "gzip", "Content-Type": "application/json"}, (b"this is not gzip",))


@pytest.mark.parametrize("wire", EVERY_WIRE, indirect=True)
@pytest.mark.parametrize("api", ["send", "stream"])
def test_an_undecodable_body_never_escapes_as_a_foreign_error(wire: Wire, api: str) -> None:
    wire.answer(200, *CORRUPT_GZIP)
    assert_only_llmport_errors(escaped(lambda: exchange(wire.transport, api, req(wire.url()))))


@pytest.mark.parametrize("wire", EVERY_WIRE, indirect=True)
@pytest.mark.parametrize("api", ["asend", "astream"])
async def test_an_undecodable_async_body_never_escapes_as_a_foreign_error(wire: Wire, api: str) -> None:
    wire.answer(200, *CORRUPT_GZIP)
    assert_only_llmport_errors(await aescaped(aexchange(wire.transport, api, req(wire.url()))))


@pytest.mark.parametrize("wire", EVERY_WIRE, indirect=True)
@pytest.mark.parametrize("api", ["send", "stream"])
def test_an_unsendable_header_never_escapes_as_a_foreign_error(wire: Wire, api: str) -> None:
    # A key pasted with an invisible trailing character (zero-width space): a classic.
    key = f"sk-{SECRET}\u200b"
    request = req(wire.url(), headers={"authorization": f"Bearer {key}"}, secrets=(key, SECRET))
    assert_only_llmport_errors(escaped(lambda: exchange(wire.transport, api, request)))


# -- both async transports ---------------------------------------------------------------------


async def _read_whole(streamed: Any) -> bytes:
    body: bytes = await streamed.aread()
    return body


async def _read_pieces(streamed: Any) -> bytes:
    return b"".join([piece async for piece in streamed.aiter_bytes()])


# Both async transports pool per event loop; a client or session bound to the first loop would
# fail in the second run ("Event loop is closed"). Each reads the body its own way too.
@pytest.mark.parametrize(
    ("make", "read"),
    [(HttpxTransport, _read_whole), (lambda: AiohttpTransport(ssl_verify=False), _read_pieces)],
    ids=["httpx", "aiohttp"],
)
def test_consecutive_asyncio_runs_without_leaks(
    httpx_wire: HttpxWire, make: Callable[[], Transport], read: Callable[[Any], Awaitable[bytes]]
) -> None:
    transport = make()

    async def one_run(tag: bytes) -> tuple[bytes, bytes]:
        sent = await transport.asend(req(httpx_wire.url(), body=tag))
        httpx_wire.answer(200, SSE_HEADERS, SSE)
        async with transport.astream(req(httpx_wire.url())) as streamed:
            body = await read(streamed)
        return sent.content, body

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = asyncio.run(one_run(b"first"))
        second = asyncio.run(one_run(b"second"))
        transport.close()
        gc.collect()
    assert first == (b"first", b"".join(SSE))
    assert second == (b"second", b"".join(SSE))
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == []


# -- HttpxTransport only ------------------------------------------------------------------------


async def test_httpx_a_cancelled_asend_leaves_the_transport_usable(httpx_wire: HttpxWire) -> None:
    transport = httpx_wire.transport
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(transport.asend(req(httpx_wire.silent_url("/v1/x"))), 0.05)
    assert (await transport.asend(req(httpx_wire.url(), body=b"after"))).content == b"after"


def test_httpx_rebuilds_its_own_client_after_close(httpx_wire: HttpxWire) -> None:
    transport = httpx_wire.transport
    assert transport.send(req(httpx_wire.url(), body=b"before")).content == b"before"
    transport.close()
    assert transport.send(req(httpx_wire.url(), body=b"after")).content == b"after"


def test_httpx_uses_the_given_client_and_leaves_it_open(httpx_wire: HttpxWire) -> None:
    used: list[str] = []
    client = httpx.Client(event_hooks={"request": [lambda request: used.append(str(request.url))]})
    try:
        transport = HttpxTransport(http_client=client)
        assert transport.send(req(httpx_wire.url(), body=b"mine")).content == b"mine"
        transport.close()
        transport.close()
        assert not client.is_closed
        with transport.stream(req(httpx_wire.url(), body=b"again")) as response:
            assert response.read() == b"again"
        assert used == [httpx_wire.url(), httpx_wire.url()]
    finally:
        client.close()


async def test_httpx_uses_the_given_async_client_and_leaves_it_open(httpx_wire: HttpxWire) -> None:
    used: list[str] = []

    async def hook(request: httpx.Request) -> None:
        used.append(str(request.url))

    client = httpx.AsyncClient(event_hooks={"request": [hook]})
    try:
        transport = HttpxTransport(async_http_client=client)
        assert (await transport.asend(req(httpx_wire.url(), body=b"mine"))).content == b"mine"
        async with transport.astream(req(httpx_wire.url(), body=b"again")) as response:
            assert await response.aread() == b"again"
        await transport.aclose()
        await transport.aclose()
        assert not client.is_closed
        assert used == [httpx_wire.url(), httpx_wire.url()]
    finally:
        await client.aclose()


# -- AiohttpTransport only ----------------------------------------------------------------------


@pytest.fixture
def aiohttp_wire() -> Iterator[HttpxWire]:
    made = HttpxWire(AiohttpTransport(ssl_verify=False))
    yield made
    made.close()


async def test_aiohttp_a_stalled_body_under_asend_is_timeout(aiohttp_wire: HttpxWire) -> None:
    aiohttp_wire.answer(200, SSE_HEADERS, SSE, ending="stall")
    request = req(aiohttp_wire.url(SECRET_PATHS["query-key"]), timeout=STALL, secrets=(SECRET,))
    with pytest.raises(Timeout) as caught:
        await aiohttp_wire.transport.asend(request)
    assert_no_secret(caught.value)
    assert (await aiohttp_wire.transport.asend(req(aiohttp_wire.url(), body=b"after"))).content == b"after"


async def test_aiohttp_a_thousand_concurrent_asends_all_succeed(aiohttp_wire: HttpxWire) -> None:
    bodies = [f"body-{i}".encode() for i in range(1000)]
    transport = aiohttp_wire.transport
    responses = await asyncio.gather(*(transport.asend(req(aiohttp_wire.url(), body=b)) for b in bodies))
    assert [(r.status_code, r.content) for r in responses] == [(200, b) for b in bodies]
    assert len(aiohttp_wire.received()) == 1000


async def test_aiohttp_leaving_a_stream_early_frees_its_connection(aiohttp_wire: HttpxWire) -> None:
    # One connection in the pool: if the abandoned stream kept it, the next call could not start.
    transport = AiohttpTransport(ssl_verify=False, limit_per_host=1)
    aiohttp_wire.answer(200, SSE_HEADERS, SSE, ending="hold")
    async with transport.astream(req(aiohttp_wire.url())) as response:
        async for _ in response.aiter_bytes():
            break
    aiohttp_wire.release()
    after = await transport.asend(req(aiohttp_wire.url(), body=b"next", timeout=FAST))
    assert after.content == b"next"
    await transport.aclose()


async def test_aiohttp_answers_like_httpx(aiohttp_wire: HttpxWire) -> None:
    transport = aiohttp_wire.transport
    aiohttp_wire.answer(302, {"Location": "/v1/elsewhere"}, (b"moved",))
    moved = await transport.asend(HttpRequest("POST", aiohttp_wire.url(), {}, b"raw", NORMAL))
    # A redirect is an answer, as with httpx; nothing is followed.
    assert (moved.status_code, moved.headers["location"], moved.content) == (302, "/v1/elsewhere", b"moved")
    (seen,) = aiohttp_wire.received()
    # No Content-Type is invented for a body that came without one.
    assert "content-type" not in seen.headers
    assert seen.body == b"raw"


async def test_aiohttp_sends_credentials_in_the_url_as_basic_auth_like_httpx(
    aiohttp_wire: HttpxWire, httpx_wire: HttpxWire
) -> None:
    # httpx replaces the authorization header with Basic auth from user:password@; aiohttp
    # refused the pair with a bare ValueError. Both now send the same request.
    for wire in (aiohttp_wire, httpx_wire):
        url = wire.url().replace("http://", "http://me:p%40ss@")
        request = req(url, headers={"authorization": "Bearer other"}, secrets=("p@ss",))
        assert (await wire.transport.asend(request)).status_code == 200
        (seen,) = wire.received()
        assert seen.headers["authorization"] == "Basic " + base64.b64encode(b"me:p@ss").decode()


async def test_aiohttp_joins_repeated_response_headers_like_httpx(aiohttp_wire: HttpxWire) -> None:
    # Two spellings of one name: the server sends two header lines.
    twice = {"Content-Type": "text/plain", "Vary": "a", "vary": "b"}
    aiohttp_wire.answer(200, twice, (b"ok",))
    aiohttp_wire.answer(200, twice, (b"ok",))
    ours = await aiohttp_wire.transport.asend(req(aiohttp_wire.url()))
    theirs = await HttpxTransport(ssl_verify=False).asend(req(aiohttp_wire.url()))
    assert ours.headers["vary"] == theirs.headers["vary"] == "a, b"


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


async def test_aiohttp_goes_through_the_environment_proxy(
    aiohttp_wire: HttpxWire, no_proxy_env: pytest.MonkeyPatch
) -> None:
    # The loopback server plays the proxy: it sees the absolute target URL (and the credentials).
    no_proxy_env.setenv("HTTP_PROXY", aiohttp_wire.url("").replace("http://", "http://user:pa%40ss@"))
    no_proxy_env.setenv("NO_PROXY", "localhost,.internal.invalid")
    transport = AiohttpTransport(ssl_verify=False)
    await transport.asend(req("http://api.example.invalid/v1/x", body=b"via proxy"))
    await transport.aclose()
    (seen,) = aiohttp_wire.received()
    assert (seen.target, seen.body) == ("http://api.example.invalid/v1/x", b"via proxy")
    assert seen.headers["proxy-authorization"] == "Basic " + base64.b64encode(b"user:pa@ss").decode()


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*", "localhost, 127.0.0.1"])
async def test_aiohttp_bypasses_the_proxy_for_no_proxy_hosts(
    aiohttp_wire: HttpxWire, no_proxy_env: pytest.MonkeyPatch, no_proxy: str
) -> None:
    no_proxy_env.setenv("HTTP_PROXY", aiohttp_wire.refused_url(""))
    no_proxy_env.setenv("NO_PROXY", no_proxy)
    transport = AiohttpTransport(ssl_verify=False)
    assert (await transport.asend(req(aiohttp_wire.url(), body=b"direct"))).content == b"direct"
    await transport.aclose()


def test_aiohttp_ssl_setting_reads_the_ca_variables_in_httpx_order() -> None:
    import certifi

    from llmport.adapters.transport.aiohttp_transport import ssl_setting

    context = ssl.create_default_context()
    assert ssl_setting(context) is context
    assert ssl_setting(False) is False
    bundle = certifi.where()
    missing = "/nonexistent/ca.pem"
    assert isinstance(
        ssl_setting(True, {"SSL_CERT_FILE": bundle, "REQUESTS_CA_BUNDLE": missing}), ssl.SSLContext
    )
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        with pytest.raises(FileNotFoundError):
            ssl_setting(True, {name: missing})  # proof that the variable was read
    with pytest.raises(FileNotFoundError):
        ssl_setting(missing, {})
    default = ssl_setting(True, {})
    assert isinstance(default, ssl.SSLContext)
    assert default.verify_mode == ssl.CERT_REQUIRED


def test_aiohttp_missing_names_the_extra() -> None:
    code = (
        "import sys\n"
        "sys.modules['aiohttp'] = None\n"
        "import llmport\n"
        "try:\n"
        "    llmport.AiohttpTransport\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'llmport[aiohttp]'" in done.stdout


# -- FakeTransport only -------------------------------------------------------------------------


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, {}, request.body)


async def test_fake_records_every_request_in_order() -> None:
    fake = FakeTransport(ok)
    with pytest.raises(IndexError):
        _ = fake.last_request
    first, second, third, fourth = (req(_FAKE_BASE, body=str(i).encode()) for i in range(4))
    fake.send(first)
    with fake.stream(second) as response:
        response.read()
    await fake.asend(third)
    async with fake.astream(fourth) as aresponse:
        await aresponse.aread()
    assert fake.requests == [first, second, third, fourth]
    assert fake.last_request is fourth


def test_fake_needs_a_handler_or_responses() -> None:
    with pytest.raises(ValueError, match="handler or at least one response"):
        FakeTransport()


def test_fake_serves_a_response_list_in_order_and_repeats_the_last() -> None:
    fake = FakeTransport(responses=[HttpResponse(500), HttpResponse(200, content=b"a"), HttpResponse(201)])
    statuses = [fake.send(req(_FAKE_BASE)).status_code for _ in range(5)]
    assert statuses == [500, 200, 201, 201, 201]
    assert len(fake.requests) == 5


async def test_fake_async_handler_serves_asend_and_astream() -> None:
    async def handler(request: HttpRequest) -> FakeAnswer:
        await asyncio.sleep(0)
        if request.url.endswith("/stream"):
            return FakeStream(parts=SSE)
        return HttpResponse.from_json({"echo": request.json()})

    fake = FakeTransport(handler)
    response = await fake.asend(req(_FAKE_BASE, body=b'{"a": 1}'))
    assert response.json() == {"echo": {"a": 1}}
    async with fake.astream(req(f"{_FAKE_BASE}/stream")) as streamed:
        assert [piece async for piece in streamed.aiter_bytes()] == list(SSE)


def test_fake_async_handler_refuses_sync_send_without_leaking_a_coroutine() -> None:
    async def handler(request: HttpRequest) -> FakeAnswer:
        return HttpResponse(200)

    fake = FakeTransport(handler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(TypeError, match="async FakeTransport handler"):
            fake.send(req(_FAKE_BASE))
        gc.collect()
    assert [str(w.message) for w in caught] == []


def test_fake_stream_raises_mid_iteration() -> None:
    drop = APIConnectionError("drop")
    fake = FakeTransport(responses=[FakeStream(parts=(b"data: 1\n\n", drop))])
    received: list[bytes] = []
    with fake.stream(req(_FAKE_BASE)) as response, pytest.raises(APIConnectionError) as caught:
        read_into(response.iter_bytes(), received)
    assert received == [b"data: 1\n\n"]
    assert caught.value is drop
    with pytest.raises(APIConnectionError):
        fake.send(req(_FAKE_BASE))


async def test_fake_stream_raises_mid_async_iteration() -> None:
    drop = APIConnectionError("drop")
    fake = FakeTransport(responses=[FakeStream(parts=(b"data: 1\n\n", drop))])
    received: list[bytes] = []
    with pytest.raises(APIConnectionError) as caught:
        await aread_into(fake, req(_FAKE_BASE), received)
    assert received == [b"data: 1\n\n"]
    assert caught.value is drop
    with pytest.raises(APIConnectionError):
        await fake.asend(req(_FAKE_BASE))


def test_fake_handler_errors_pass_through_unchanged() -> None:
    error = Timeout("took too long")

    def handler(request: HttpRequest) -> FakeAnswer:
        raise error

    fake = FakeTransport(handler)
    with pytest.raises(Timeout) as caught:
        fake.send(req(_FAKE_BASE))
    assert caught.value is error
    assert len(fake.requests) == 1


def test_fake_close_and_aclose_mark_it_closed() -> None:
    fake = FakeTransport(ok)
    assert not fake.closed
    fake.close()
    assert fake.closed
    fake2 = FakeTransport(ok)
    asyncio.run(fake2.aclose())
    assert fake2.closed

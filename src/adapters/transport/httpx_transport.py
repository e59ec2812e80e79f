"""The httpx transport: one pooled sync client, one async client per event loop.

An ``httpx.AsyncClient`` holds connections bound to the loop that opened them, so a client made
under one ``asyncio.run()`` fails under the next. This transport keeps one async client per
loop and closes it when that loop shuts down (through the loop's async-generator finaliser,
which ``asyncio.run`` and ``asyncio.Runner`` call), so nothing leaks and nothing warns.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import threading
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from typing import Any

import httpx

from ...domain.models.errors import APIConnectionError, BadRequestError, Timeout
from ...domain.models.request import TimeoutConfig
from ...ports.transport import HttpRequest, HttpResponse
from . import _budget
from ._body import ACCEPT_ENCODING, Collector, Decoder, decoded_stream, whole
from ._loop import LoopFinaliser, close_sockets, closed_loops
from ._translate import Failures, Translated

_CA_BUNDLE_ENV = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
# The OpenAI SDK's pool limits. A longer keep-alive expiry with this keep-alive cap made 200
# concurrent calls ten times slower in benchmarks/run.py (httpcore churns the excess connections).
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
# httpx's failures as llmport's; RequestError also covers a body that fails to decompress and
# redirect loops. Translated raises them unchained: httpx's own carry the raw request.
# Only the encodings llmport decodes itself, within its limits (httpx adds br/zstd when installed).
_DEFAULT_HEADERS = {"accept-encoding": ACCEPT_ENCODING}
_FAILURES: Failures = (
    (httpx.TimeoutException, Timeout),
    ((httpx.RequestError, httpx.InvalidURL), APIConnectionError),
)


class HttpxTransport:
    """The default transport, over httpx.

    Args:
        http_client: A sync client to use instead of building one (you keep ownership).
        async_http_client: An async client to use on every loop (you keep ownership and the
            responsibility of using it on one loop only).
        ssl_verify: True (system/env CA bundle), False, a CA bundle path, or an ``ssl.SSLContext``.
        limits: Connection-pool limits for the clients this transport builds.
    """

    def __init__(
        self,
        *,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        ssl_verify: bool | str | ssl.SSLContext = True,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        self._client = http_client
        self._shared_async = async_http_client
        self._ssl_verify = ssl_verify
        self._limits = limits
        self._verify: bool | ssl.SSLContext | None = None
        self._lock = threading.Lock()
        self._closer: weakref.finalize[Any, Any] | None = None
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClient] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return f"HttpxTransport(async_clients={len(self._async_clients)})"

    # -- sync -------------------------------------------------------------------------------

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and read the whole response, within its limits and budget."""
        guard = Translated(request, _FAILURES)
        with guard, _budget.active(request.budget):
            response = self._sync_client().send(_to_httpx(request), stream=True)
            try:
                headers = _headers(response.headers)
                content = _read(response, request, headers)
            finally:
                response.close()
        guard.check()
        return HttpResponse(response.status_code, headers, content)

    @contextmanager
    def stream(self, request: HttpRequest) -> Iterator[_StreamingResponse]:
        """Send ``request`` and yield the response for incremental reading."""
        guard = Translated(request, _FAILURES)
        with guard, _budget.active(request.budget):
            response = self._sync_client().send(_to_httpx(request), stream=True)
        guard.check()
        try:
            yield _StreamingResponse(response, request)
        finally:
            response.close()

    def close(self) -> None:
        """Close the sync client this transport built, and the pools of closed event loops."""
        self._reap_closed_loops()
        if self._closer is not None:
            self._closer()  # closes the pool this transport built, once
            self._closer = None
            self._client = None

    def _sync_client(self) -> httpx.Client:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    built = httpx.Client(
                        verify=self._ssl(),
                        limits=self._limits,
                        timeout=None,  # noqa: S113 - timeouts are set per request
                        headers=_DEFAULT_HEADERS,
                    )
                    _budget.install(built)
                    # Closed when the transport is collected or at interpreter exit, whichever
                    # is first: a pooled socket left open then is a ResourceWarning.
                    self._closer = weakref.finalize(self, built.close)
                    self._client = built
                client = self._client
        return client

    # -- async ------------------------------------------------------------------------------

    async def asend(self, request: HttpRequest) -> HttpResponse:
        """Async ``send``; the dispatcher bounds it with ``asyncio.timeout``."""
        guard = Translated(request, _FAILURES)
        with guard:
            client = await self._async_client()
            response = await client.send(_to_httpx(request), stream=True)
            try:
                headers = _headers(response.headers)
                content = await _aread(response, request, headers)
            finally:
                await response.aclose()
        guard.check()
        return HttpResponse(response.status_code, headers, content)

    @asynccontextmanager
    async def astream(self, request: HttpRequest) -> AsyncIterator[_AsyncStreamingResponse]:
        """Async ``stream``."""
        guard = Translated(request, _FAILURES)
        with guard:
            client = await self._async_client()
            response = await client.send(_to_httpx(request), stream=True)
        guard.check()
        try:
            yield _AsyncStreamingResponse(response, request)
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        """Close the async client of the running loop, those of closed loops, and the sync client."""
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._async_clients.pop(loop, None)
        if entry is not None:
            await entry.close()
        self.close()

    async def _async_client(self) -> httpx.AsyncClient:
        if self._shared_async is not None:
            return self._shared_async
        loop = asyncio.get_running_loop()
        entry = self._async_clients.get(loop)
        if entry is None:
            self._reap_closed_loops()  # a new loop: an earlier one may have closed without a shutdown
            client = httpx.AsyncClient(
                verify=self._ssl(),
                limits=self._limits,
                timeout=None,  # noqa: S113 - timeouts are set per request
                headers=_DEFAULT_HEADERS,
            )
            entry = _LoopClient(client)
            with self._lock:
                self._async_clients[loop] = entry
            await entry.close_with_loop()
        return entry.client

    def _reap_closed_loops(self) -> None:
        """Close the pools of loops closed without ``shutdown_asyncgens()`` (their finaliser never ran)."""
        with self._lock:
            dead = [self._async_clients.pop(loop) for loop in closed_loops(self._async_clients.keys())]
        for entry in dead:
            entry.abandon()
            close_sockets(_socket_transports(entry.client))

    def _ssl(self) -> bool | ssl.SSLContext:
        # Built once and shared by every client: loading a CA bundle costs tens of milliseconds.
        if self._verify is None:
            self._verify = _verify_setting(self._ssl_verify)
        return self._verify


class _LoopClient(LoopFinaliser):
    """An async client and the finaliser that closes it when its event loop shuts down."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        super().__init__(client.aclose)
        self.client = client


class _StreamingResponse:
    """A streamed httpx response behind the port's ``StreamingResponse``."""

    def __init__(self, response: httpx.Response, request: HttpRequest) -> None:
        self._response = response
        self._request = request
        self.status_code = response.status_code
        self.headers = _headers(response.headers)

    def iter_bytes(self) -> Iterator[bytes]:
        guard = Translated(self._request, _FAILURES)
        with guard:
            if self._response.is_stream_consumed:  # in memory (httpx.MockTransport): whole, decoded
                yield self._response.content
            else:
                raw = _budget.within(self._response.iter_raw(), self._request.budget)
                yield from decoded_stream(raw, self._request, self.headers)
        guard.check()

    def read(self) -> bytes:
        guard = Translated(self._request, _FAILURES)
        content = b""
        with guard:
            content = _read(self._response, self._request, self.headers)
        guard.check()
        return content


class _AsyncStreamingResponse:
    """A streamed httpx response behind the port's ``AsyncStreamingResponse``."""

    def __init__(self, response: httpx.Response, request: HttpRequest) -> None:
        self._response = response
        self._request = request
        self.status_code = response.status_code
        self.headers = _headers(response.headers)

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        guard = Translated(self._request, _FAILURES)
        with guard:
            if self._response.is_stream_consumed:  # in memory (httpx.MockTransport): whole, decoded
                yield self._response.content
            else:
                decoder = Decoder(self.headers.get("content-encoding", ""))
                async for raw in self._response.aiter_raw():
                    for piece in decoder.decode(raw):
                        yield piece
                for piece in decoder.flush():
                    yield piece
        guard.check()

    async def aread(self) -> bytes:
        guard = Translated(self._request, _FAILURES)
        content = b""
        with guard:
            content = await _aread(self._response, self._request, self.headers)
        guard.check()
        return content


def _read(response: httpx.Response, request: HttpRequest, headers: Mapping[str, str]) -> bytes:
    """Read a whole body within its limits and budget, decompressing it step by step."""
    if response.is_stream_consumed:  # in memory (httpx.MockTransport): whole and decoded already
        return whole(response.content, request)
    body = Collector(request, headers)
    for piece in _budget.within(response.iter_raw(), request.budget):
        body.add(piece)
    return body.result()


async def _aread(response: httpx.Response, request: HttpRequest, headers: Mapping[str, str]) -> bytes:
    """Async ``_read`` (the dispatcher bounds it with ``asyncio.timeout``)."""
    if response.is_stream_consumed:
        return whole(response.content, request)
    body = Collector(request, headers)
    async for piece in response.aiter_raw():
        body.add(piece)
    return body.result()


def _socket_transports(client: httpx.AsyncClient) -> list[Any]:
    """Return the asyncio transports under an async client's pooled connections (httpcore internals)."""
    found = []
    for mounted in (getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()):
        for pooled in getattr(getattr(mounted, "_pool", None), "_connections", ()):
            connection = pooled
            while hasattr(connection, "_connection"):  # proxy and HTTP connections wrap one another
                connection = connection._connection
            stream = getattr(connection, "_network_stream", None)
            while stream is not None and not hasattr(stream, "_transport"):  # anyio, TLS wrappers
                stream = getattr(stream, "_stream", None) or getattr(stream, "transport_stream", None)
            if stream is not None:
                found.append(stream._transport)
    return found


def _to_httpx(request: HttpRequest) -> httpx.Request:
    try:
        return httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.body,
            extensions={"timeout": _timeout(request.timeout).as_dict()},
        )
    except UnicodeEncodeError:
        pass
    # Raised outside the except block: the UnicodeEncodeError (chained as __context__ even with
    # `from None`) quotes the offending value, which may be a key. Name the header only.
    bad = [name for name, value in request.headers.items() if not value.isascii()]
    raise BadRequestError(
        f"header value(s) {bad} contain non-ASCII characters and cannot be sent",
        "llmport",
        None,
        param="headers",
    )


@lru_cache(maxsize=64)
def _timeout(config: TimeoutConfig) -> httpx.Timeout:
    return httpx.Timeout(connect=config.connect, read=config.read, write=config.write, pool=config.pool)


def _headers(headers: httpx.Headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _verify_setting(setting: bool | str | ssl.SSLContext, environ: Mapping[str, str] | None = None) -> Any:
    env = os.environ if environ is None else environ
    if isinstance(setting, ssl.SSLContext) or setting is False:
        return setting
    if isinstance(setting, str):
        return ssl.create_default_context(cafile=setting)
    bundle = next((env[name] for name in _CA_BUNDLE_ENV if env.get(name)), None)
    if bundle and not env.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=bundle)
    return True  # httpx itself honours SSL_CERT_FILE / SSL_CERT_DIR and the proxy variables

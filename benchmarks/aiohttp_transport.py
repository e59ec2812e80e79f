"""An llmport transport whose async path is aiohttp: the benchmark's proof that the async
transport is swappable, and a way to tell llmport's own async overhead from httpx's pool.

The sync path stays on llmport's httpx transport. One ``aiohttp.ClientSession`` is opened on
first async use and is bound to that event loop, which is all the benchmark needs; close it
with ``aclose()`` on the same loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager

import aiohttp

from llmport.adapters.transport.httpx_transport import HttpxTransport
from llmport.domain.models.errors import APIConnectionError, Timeout
from llmport.ports.transport import HttpRequest, HttpResponse, StreamingResponse


class AiohttpTransport:
    """``Transport`` with aiohttp for ``asend``/``astream`` and httpx for the sync calls."""

    def __init__(self, limit: int = 100) -> None:
        self._sync = HttpxTransport()
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None

    def send(self, request: HttpRequest) -> HttpResponse:
        return self._sync.send(request)

    def stream(self, request: HttpRequest) -> AbstractContextManager[StreamingResponse]:
        return self._sync.stream(request)

    def close(self) -> None:
        self._sync.close()

    async def asend(self, request: HttpRequest) -> HttpResponse:
        async with self._request(request) as response:
            return HttpResponse(response.status, _headers(response), await response.read())

    @asynccontextmanager
    async def astream(self, request: HttpRequest) -> AsyncIterator[_AsyncStreamingResponse]:
        async with self._request(request) as response:
            yield _AsyncStreamingResponse(response)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        self._sync.close()

    @asynccontextmanager
    async def _request(self, request: HttpRequest) -> AsyncIterator[aiohttp.ClientResponse]:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._limit)
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=True)
        limits = request.timeout
        timeout = aiohttp.ClientTimeout(connect=limits.connect, sock_read=limits.read)
        try:
            async with self._session.request(
                request.method, request.url, headers=dict(request.headers), data=request.body, timeout=timeout
            ) as response:
                yield response
        except TimeoutError:
            raise Timeout(f"timeout on {request.method} {request.safe_url}") from None
        except aiohttp.ClientError as error:
            raise APIConnectionError(
                f"{type(error).__name__} on {request.method} {request.safe_url}"
            ) from None


class _AsyncStreamingResponse:
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status_code = response.status
        self.headers = _headers(response)

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        async for piece in self._response.content.iter_any():
            yield piece

    async def aread(self) -> bytes:
        return await self._response.read()


def _headers(response: aiohttp.ClientResponse) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers.items()}

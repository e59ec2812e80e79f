"""``SplitTransport``: sync calls on one transport, async calls on another built on first async use.

The default pairs httpx (sync: the fastest pooled sync client measured) with aiohttp (async:
about ten times httpx's throughput at concurrency 100 on loopback, see ``benchmarks/README.md``).
The async side is built on the first async call, so a sync-only program never imports aiohttp.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, Literal

from ...ports.transport import AsyncStreamingResponse, HttpRequest, HttpResponse, StreamingResponse, Transport
from .httpx_transport import HttpxTransport

AsyncTransportName = Literal["aiohttp", "httpx"]
ASYNC_TRANSPORTS: tuple[AsyncTransportName, ...] = ("aiohttp", "httpx")


class SplitTransport:
    """Delegates ``send``/``stream`` to ``sync`` and ``asend``/``astream`` to ``async_``.

    Args:
        sync: The transport of sync calls.
        async_: The transport of async calls, or a factory called on the first async call.
    """

    def __init__(self, sync: Transport, async_: Transport | Callable[[], Transport]) -> None:
        self.sync = sync
        self._async: Transport | None = async_ if isinstance(async_, Transport) else None
        self._factory = async_
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SplitTransport(sync={self.sync!r}, async={self._async!r})"

    @property
    def async_(self) -> Transport:
        """The async-side transport, built on first access."""
        built = self._async
        if built is None:
            with self._lock:
                if self._async is None:
                    factory: Any = self._factory
                    self._async = factory()
                built = self._async
        return built

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` on the sync transport."""
        return self.sync.send(request)

    def stream(self, request: HttpRequest) -> AbstractContextManager[StreamingResponse]:
        """Stream ``request`` on the sync transport."""
        return self.sync.stream(request)

    async def asend(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` on the async transport."""
        return await self.async_.asend(request)

    def astream(self, request: HttpRequest) -> AbstractAsyncContextManager[AsyncStreamingResponse]:
        """Stream ``request`` on the async transport."""
        return self.async_.astream(request)

    def close(self) -> None:
        """Close both sides' sync resources."""
        self.sync.close()
        if self._async is not None:
            self._async.close()

    async def aclose(self) -> None:
        """Close the async side's connections on the running loop, and the sync side."""
        if self._async is not None:
            await self._async.aclose()
        self.sync.close()


def default_transport(
    *,
    async_transport: AsyncTransportName = "aiohttp",
    http_client: Any = None,
    async_http_client: Any = None,
    ssl_verify: bool | str | ssl.SSLContext = True,
) -> Transport:
    """Build the default HTTP transport: httpx for sync calls, aiohttp (or httpx) for async ones.

    Args:
        async_transport: ``"aiohttp"`` (the default) or ``"httpx"``.
        http_client: An ``httpx.Client`` for sync calls.
        async_http_client: An ``httpx.AsyncClient`` for async calls; implies ``async_transport="httpx"``.
        ssl_verify: True (environment or certifi CA bundle), False, a CA bundle path, or a context.
    """
    if async_transport not in ASYNC_TRANSPORTS:
        from ...domain.models.errors import bad_request

        raise bad_request(
            f"async_transport must be 'aiohttp' or 'httpx', not {async_transport!r}",
            param="async_transport",
        )
    sync = HttpxTransport(http_client=http_client, async_http_client=async_http_client, ssl_verify=ssl_verify)
    if async_transport == "httpx" or async_http_client is not None:
        return sync

    def aiohttp_transport() -> Transport:
        from .aiohttp_transport import AiohttpTransport  # aiohttp is imported on the first async call

        return AiohttpTransport(ssl_verify=ssl_verify)

    return SplitTransport(sync, aiohttp_transport)

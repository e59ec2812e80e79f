"""``SplitTransport``: sync calls on one transport, async calls on another built on first async use.

The default pairs httpx (sync: the fastest pooled sync client measured) with aiohttp (async:
about ten times httpx's throughput at concurrency 100 on loopback, see ``benchmarks/README.md``).
Each side is built on its first call: a sync-only program never imports aiohttp, and a program
that only mocks (``mock_response=``) imports neither.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import ssl

from ...ports.transport import AsyncStreamingResponse, HttpRequest, HttpResponse, StreamingResponse, Transport

AsyncTransportName = Literal["aiohttp", "httpx"]
ASYNC_TRANSPORTS: tuple[AsyncTransportName, ...] = ("aiohttp", "httpx")


class _Lazy:
    """A transport, or the factory that builds it on first use (once, under a lock)."""

    def __init__(self, made: Transport | Callable[[], Transport]) -> None:
        self.built: Transport | None = made if isinstance(made, Transport) else None
        self._factory = made
        self._lock = threading.Lock()

    def get(self) -> Transport:
        built = self.built
        if built is None:
            with self._lock:
                if self.built is None:
                    factory: Any = self._factory
                    self.built = factory()
                built = self.built
        return built


class SplitTransport:
    """Delegates ``send``/``stream`` to ``sync`` and ``asend``/``astream`` to ``async_``.

    Args:
        sync: The transport of sync calls, or a factory called on the first sync call.
        async_: The transport of async calls, or a factory called on the first async call.
    """

    def __init__(
        self, sync: Transport | Callable[[], Transport], async_: Transport | Callable[[], Transport]
    ) -> None:
        self._sync = _Lazy(sync)
        self._async = _Lazy(async_)

    def __repr__(self) -> str:
        return f"SplitTransport(sync={self._sync.built!r}, async={self._async.built!r})"

    @property
    def sync(self) -> Transport:
        """The sync-side transport, built on first access."""
        return self._sync.get()

    @property
    def async_(self) -> Transport:
        """The async-side transport, built on first access."""
        return self._async.get()

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` on the sync transport."""
        return self.sync.send(request)

    def stream(self, request: HttpRequest) -> AbstractContextManager[StreamingResponse]:
        """Stream ``request`` on the sync transport."""
        return self.sync.stream(request)

    def asend(self, request: HttpRequest) -> Coroutine[Any, Any, HttpResponse]:
        """Send ``request`` on the async transport (its own coroutine: no frame of this one in between)."""
        return self.async_.asend(request)

    def astream(self, request: HttpRequest) -> AbstractAsyncContextManager[AsyncStreamingResponse]:
        """Stream ``request`` on the async transport."""
        return self.async_.astream(request)

    def close(self) -> None:
        """Close both sides' sync resources (a side never built has none)."""
        for side in (self._sync.built, self._async.built):
            if side is not None:
                side.close()

    async def aclose(self) -> None:
        """Close the async side's connections on the running loop, and the sync side."""
        if self._async.built is not None:
            await self._async.built.aclose()
        if self._sync.built is not None:
            self._sync.built.close()


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

    def httpx_transport() -> Transport:
        from .httpx_transport import HttpxTransport  # httpx is imported on the first call

        return HttpxTransport(
            http_client=http_client, async_http_client=async_http_client, ssl_verify=ssl_verify
        )

    def aiohttp_transport() -> Transport:
        from .aiohttp_transport import AiohttpTransport  # aiohttp is imported on the first async call

        return AiohttpTransport(ssl_verify=ssl_verify)

    # One httpx transport serves both sides when async calls go over httpx too.
    sync = _Lazy(httpx_transport)
    use_httpx = async_transport == "httpx" or async_http_client is not None
    return SplitTransport(sync.get, sync.get if use_httpx else aiohttp_transport)

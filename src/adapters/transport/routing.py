"""``RoutingTransport``: ``local://`` URLs to the in-process local models, everything else to HTTP.

The local transport is built on the first ``local://`` request, so an application that never
names a ``local/`` model never imports the local adapter (nor llama-cpp-python). The default
transport may be given as a factory too: it is then built on the first request that needs it,
so a call answered without I/O (``mock_response``) imports no HTTP library.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager

from ...ports.transport import AsyncStreamingResponse, HttpRequest, HttpResponse, StreamingResponse, Transport

LOCAL_PREFIX = "local://"


def default_local_transport() -> Transport:
    """Build the default ``LocalTransport`` (imported here, on first use)."""
    from ..local.transport import LocalTransport

    return LocalTransport()


class RoutingTransport:
    """Sends each request to the local transport or the default one, by URL scheme.

    Args:
        default: The transport for every URL that is not ``local://`` (usually httpx), or a
            factory called on first need.
        local: The transport for ``local://`` URLs, or a factory called on first need.
    """

    def __init__(
        self,
        default: Transport | Callable[[], Transport],
        local: Transport | Callable[[], Transport] = default_local_transport,
    ) -> None:
        self._default = _Lazy(default)
        self._local = _Lazy(local)

    def __repr__(self) -> str:
        return f"RoutingTransport(default={self._default.built!r}, local={self._local.built!r})"

    @property
    def default(self) -> Transport:
        """The transport for non-local URLs, built on first access."""
        return self._default.get()

    @property
    def local(self) -> Transport:
        """The local transport, built on first access."""
        return self._local.get()

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send through the transport for the request's URL."""
        return self._for(request).send(request)

    def stream(self, request: HttpRequest) -> AbstractContextManager[StreamingResponse]:
        """Stream through the transport for the request's URL."""
        return self._for(request).stream(request)

    async def asend(self, request: HttpRequest) -> HttpResponse:
        """Async ``send``."""
        return await self._for(request).asend(request)

    def astream(self, request: HttpRequest) -> AbstractAsyncContextManager[AsyncStreamingResponse]:
        """Async ``stream``."""
        return self._for(request).astream(request)

    def close(self) -> None:
        """Close both transports (each only if it was built)."""
        for lazy in (self._default, self._local):
            if lazy.built is not None:
                lazy.built.close()

    async def aclose(self) -> None:
        """Async ``close``."""
        for lazy in (self._default, self._local):
            if lazy.built is not None:
                await lazy.built.aclose()

    def _for(self, request: HttpRequest) -> Transport:
        return self.local if request.url.startswith(LOCAL_PREFIX) else self.default


class _Lazy:
    """A transport given as itself or as a factory, built once on first need (thread-safe)."""

    def __init__(self, given: Transport | Callable[[], Transport]) -> None:
        # A class has the protocol's methods too: it is a factory, not a transport.
        self.built: Transport | None = None
        if isinstance(given, Transport) and not isinstance(given, type):
            self.built = given
        self._factory = given
        self._lock = threading.Lock()

    def get(self) -> Transport:
        built = self.built
        if built is None:
            with self._lock:
                if self.built is None:
                    factory: Callable[[], Transport] = self._factory  # type: ignore[assignment]
                    self.built = factory()
                built = self.built
        return built

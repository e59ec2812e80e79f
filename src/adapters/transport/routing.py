"""``RoutingTransport``: ``local://`` URLs to the in-process local models, everything else to HTTP.

The local transport is built on the first ``local://`` request, so an application that never
names a ``local/`` model never imports the local adapter (nor llama-cpp-python).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any

from ...ports.transport import AsyncStreamingResponse, HttpRequest, HttpResponse, StreamingResponse, Transport

LOCAL_PREFIX = "local://"


def default_local_transport() -> Transport:
    """Build the default ``LocalTransport`` (imported here, on first use)."""
    from ..local.transport import LocalTransport

    return LocalTransport()


class RoutingTransport:
    """Sends each request to the local transport or the default one, by URL scheme.

    Args:
        default: The transport for every URL that is not ``local://`` (usually httpx).
        local: The transport for ``local://`` URLs, or a factory called on first need.
    """

    def __init__(
        self,
        default: Transport,
        local: Transport | Callable[[], Transport] = default_local_transport,
    ) -> None:
        self.default = default
        self._local: Transport | None = None
        if isinstance(local, Transport):
            self._local = local
        else:
            self._factory = local
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RoutingTransport(default={self.default!r}, local={self._local!r})"

    @property
    def local(self) -> Transport:
        """The local transport, built on first access."""
        local = self._local
        if local is None:
            with self._lock:
                if self._local is None:
                    self._local = self._factory()
                local = self._local
        return local

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send through the transport for the request's URL."""
        return self._for(request).send(request)

    def stream(self, request: HttpRequest) -> AbstractContextManager[StreamingResponse]:
        """Stream through the transport for the request's URL."""
        return self._for(request).stream(request)

    def asend(self, request: HttpRequest) -> Coroutine[Any, Any, HttpResponse]:
        """Async ``send`` (the chosen transport's own coroutine: no frame of this one in between)."""
        return self._for(request).asend(request)

    def astream(self, request: HttpRequest) -> AbstractAsyncContextManager[AsyncStreamingResponse]:
        """Async ``stream``."""
        return self._for(request).astream(request)

    def close(self) -> None:
        """Close both transports (the local one only if it was built)."""
        self.default.close()
        if self._local is not None:
            self._local.close()

    async def aclose(self) -> None:
        """Async ``close``."""
        await self.default.aclose()
        if self._local is not None:
            await self._local.aclose()

    def _for(self, request: HttpRequest) -> Transport:
        return self.local if request.url.startswith(LOCAL_PREFIX) else self.default

"""Async resources bound to one event loop: closed when that loop shuts down, or reaped once it has."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any


class LoopFinaliser:
    """Closes a loop's resource (a client, a session) at the loop's shutdown, or on demand.

    A pooled async client cannot outlive its event loop: ``asyncio.run`` would leave it open
    and the next loop would find its connections bound to a closed one. The loop closes the
    async generators it started in ``shutdown_asyncgens()``, so one parked generator per
    resource closes it there. A loop closed without that call (``new_event_loop()``,
    ``run_until_complete()``, ``close()``) never runs it: the transport then ``abandon``-s the
    resource and closes its sockets itself (``close_sockets``) the next time it looks.

    Args:
        close: Closes the resource.
    """

    def __init__(self, close: Callable[[], Awaitable[None]]) -> None:
        self._close = close
        self._finaliser: AsyncIterator[None] | None = None

    async def close_with_loop(self) -> None:
        """Arrange for the resource to be closed when the running loop shuts down."""
        self._finaliser = self._run_until_loop_shutdown()
        await anext(self._finaliser)

    async def _run_until_loop_shutdown(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await self._close()

    async def close(self) -> None:
        """Close the resource now (once)."""
        if self._finaliser is not None:
            finaliser, self._finaliser = self._finaliser, None
            await finaliser.aclose()  # type: ignore[attr-defined]

    def abandon(self) -> None:
        """Finish the parked generator without closing anything (its loop is closed: nothing can run).

        Left unfinished, the generator would be finalised by its closed loop when collected,
        which fails ("Event loop is closed") in the garbage collector.
        """
        finaliser, self._finaliser = self._finaliser, None
        if finaliser is None:
            return
        self._close = _nothing
        closing = finaliser.aclose()  # type: ignore[attr-defined]
        with contextlib.suppress(StopIteration):
            closing.send(None)  # the generator's `finally` awaits _nothing(): it ends at once


async def _nothing() -> None:
    return None


def closed_loops(loops: Iterable[asyncio.AbstractEventLoop]) -> list[asyncio.AbstractEventLoop]:
    """Return the loops among ``loops`` that are closed."""
    return [loop for loop in list(loops) if loop.is_closed()]


def close_sockets(transports: Iterable[Any]) -> None:
    """Close the sockets of asyncio transports whose event loop is closed.

    Their loop can no longer run ``transport.close()`` (it schedules the socket's release on
    that loop), so the socket is closed here and detached from its transport, whose finaliser
    would otherwise warn about it. SSL transports are unwrapped to the socket transport.
    """
    for transport in transports:
        inner = getattr(getattr(transport, "_ssl_protocol", None), "_transport", None) or transport
        sock = getattr(inner, "_sock", None)
        if sock is None:
            continue
        inner._sock = None
        inner._closing = True
        sock.close()

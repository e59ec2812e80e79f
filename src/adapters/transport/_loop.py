"""Async resources bound to one event loop and closed when that loop shuts down."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable


class LoopFinaliser:
    """Closes a loop's resource (a client, a session) at the loop's shutdown, or on demand.

    A pooled async client cannot outlive its event loop: ``asyncio.run`` would leave it open
    and the next loop would find its connections bound to a closed one. The loop closes the
    async generators it started in ``shutdown_asyncgens()``, so one parked generator per
    resource closes it there.

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

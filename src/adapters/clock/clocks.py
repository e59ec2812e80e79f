"""``SystemClock`` for real use; ``FakeClock`` for tests that must not wait."""

from __future__ import annotations

import time


class SystemClock:
    """The process's clocks and real sleeping."""

    def time(self) -> float:
        """Epoch seconds."""
        return time.time()

    def monotonic(self) -> float:
        """Monotonic seconds."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Block."""
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Suspend (negative durations are refused, as ``time.sleep`` refuses them)."""
        _check(seconds)
        import asyncio  # loaded by then: an event loop is running

        await asyncio.sleep(seconds)


class FakeClock:
    """A clock that advances only when slept on, recording every sleep.

    Args:
        start: The initial epoch time.
    """

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        """Return the fake epoch time."""
        return self.now

    def monotonic(self) -> float:
        """Return the fake monotonic time (the same as ``time``)."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance without waiting."""
        _check(seconds)
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        """Advance without waiting (but still yield to the loop)."""
        self.sleep(seconds)
        import asyncio  # loaded by then: an event loop is running

        await asyncio.sleep(0)


def _check(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")

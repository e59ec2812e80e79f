"""``deadline=``: one bound on a whole call, attempts, backoff and fallbacks included.

Time comes from the clock port. Each attempt's timeouts shrink to what remains; a sleep that
would end past the deadline is not taken (the last error is raised instead); once the deadline
has passed, ``Timeout`` naming it is raised. Each attempt is bounded as a whole: its headers,
its body, and a stream until its first chunk is parsed (``asyncio.timeout`` on async paths,
the request's ``AttemptBudget`` in sync transports); after that a stream's read timeout,
capped at what remained when it opened, governs each wait between chunks.
"""

from __future__ import annotations

import math
from dataclasses import replace

from ...ports.clock import Clock
from ...ports.transport import AttemptBudget, HttpRequest
from ..models.errors import Timeout
from ..models.request import TimeoutConfig


class Deadline:
    """The end of one call's time, or no end.

    Args:
        clock: The dispatcher's clock (its monotonic time).
        seconds: The caller's ``deadline=``, or None for no bound.
    """

    def __init__(self, clock: Clock, seconds: float | None) -> None:
        self.clock = clock
        self.seconds = seconds
        self._ends = None if seconds is None else clock.monotonic() + seconds
        self._issued: list[Timeout] = []

    def __repr__(self) -> str:
        return f"Deadline(seconds={self.seconds!r})"

    def remaining(self) -> float:
        """Seconds left (``math.inf`` without a deadline; negative once passed)."""
        return math.inf if self._ends is None else self._ends - self.clock.monotonic()

    def allows(self, delay: float) -> bool:
        """Whether sleeping ``delay`` seconds still leaves time for another attempt."""
        return self._ends is None or delay < self.remaining()

    def expired(self, provider: str | None, model: str | None, after: str) -> Timeout | None:
        """Return the ``Timeout`` to raise when the deadline has passed, else None.

        Args:
            provider: The provider of the attempt that would come next.
            model: The model of the call, as the caller named it.
            after: What happened before, for the message (e.g. ``"2 attempts"``).
        """
        if self._ends is None or self.remaining() > 0:
            return None
        timeout = Timeout(f"the call's deadline of {self.seconds:g} s passed after {after}", provider, model)
        self._issued.append(timeout)
        return timeout

    def issued(self, error: BaseException) -> bool:
        """Whether ``error`` is this deadline's own ``Timeout`` (final: never retried, no fallback)."""
        return any(error is timeout for timeout in self._issued)

    def cap(self, http: HttpRequest) -> HttpRequest:
        """Return ``http`` with every timeout no longer than the time remaining, and that time as its budget.

        The budget is the wall clock of the attempt: per-read timeouts restart on every byte,
        the budget does not (a transport caps each wait at what is left of it).
        """
        if self._ends is None:
            return http
        left = max(self.remaining(), 0.001)
        timeout = http.timeout
        capped = TimeoutConfig(
            *(
                left if value is None else min(value, left)
                for value in (timeout.connect, timeout.read, timeout.write, timeout.pool)
            )
        )
        return replace(http, timeout=capped, budget=AttemptBudget(left, self.clock.monotonic))

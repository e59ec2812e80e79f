"""The attempts of one provider call: retries with backoff, timed by the dispatcher's clock.

Sync and async loops share every decision (``Attempts.next_delay``); they differ only in how
they send and sleep.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from ...ports.clock import Clock
from ...ports.codec import ProviderCall
from ...ports.logger import Logger
from ...ports.transport import HttpRequest
from ..models.errors import APIError
from .retry import RetryPolicy, seconds_until_retry

T = TypeVar("T")


class Attempts:
    """Runs one provider call until it succeeds or the retry policy gives up.

    Args:
        call: The call being attempted (for logs).
        policy: When to retry and how long to wait.
        clock: Time and sleeping.
        logger: Receives one INFO event per retry.
    """

    def __init__(self, call: ProviderCall, policy: RetryPolicy, clock: Clock, logger: Logger) -> None:
        self.call = call
        self.policy = policy
        self.clock = clock
        self.logger = logger
        self.tries = 0

    def run(self, http: HttpRequest, send: Callable[[HttpRequest], T]) -> T:
        """Send ``http`` until an attempt succeeds; raise the last error when giving up."""
        while True:
            try:
                return send(http)
            except APIError as error:
                delay = self.next_delay(error)
                if delay is None:
                    raise
                self.clock.sleep(delay)

    async def arun(self, http: HttpRequest, send: Callable[[HttpRequest], Awaitable[T]]) -> T:
        """Async ``run``."""
        while True:
            try:
                return await send(http)
            except APIError as error:
                delay = self.next_delay(error)
                if delay is None:
                    raise
                await self.clock.asleep(delay)

    def next_delay(self, error: APIError) -> float | None:
        """Seconds to sleep before the next attempt after ``error``, or None to give up."""
        self.tries += 1
        now = self.clock.time()
        # An HTTP-date retry-after is kept as an instant; the caller sees it as seconds from now.
        error.retry_after = seconds_until_retry(error, now)
        delay = self.policy.delay(self.tries, error, now)
        if delay is not None and self.logger.enabled("INFO"):
            self.logger.log(
                "INFO", "llmport retry", provider=self.call.provider, model=self.call.model,
                attempt=self.tries, delay_s=round(delay, 3), error=type(error).__name__,
                status=error.status_code,
            )  # fmt: skip
        return delay

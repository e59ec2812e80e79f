"""The attempts of one provider call: retries with backoff under the deadline, timed by the clock port.

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
from ..models.errors import APIError, Timeout
from .deadline import Deadline
from .observe import current_watch
from .retry import RetryPolicy, attribute, is_retryable, seconds_until_retry

T = TypeVar("T")


class Attempts:
    """Runs one provider call until it succeeds or the retry policy gives up.

    Args:
        call: The call being attempted (for logs).
        policy: When to retry and how long to wait.
        clock: Time and sleeping.
        logger: Receives one DEBUG event per retry sleep.
        deadline: The whole call's bound: it caps each attempt's timeouts and refuses late sleeps.
    """

    def __init__(
        self, call: ProviderCall, policy: RetryPolicy, clock: Clock, logger: Logger, deadline: Deadline
    ) -> None:
        self.call = call
        self.policy = policy
        self.clock = clock
        self.logger = logger
        self.deadline = deadline
        self.tries = 0

    def run(self, http: HttpRequest, send: Callable[[HttpRequest], T]) -> T:
        """Send ``http`` until an attempt succeeds; raise the last error when giving up."""
        watch = current_watch()
        while True:
            began = self.clock.monotonic()
            try:
                result = send(self.deadline.cap(http))
            except APIError as error:
                if watch is not None:
                    watch.attempted(error, began)
                delay = self.next_delay(error)
                if delay is None:
                    raise
                self.clock.sleep(delay)
                continue
            if watch is not None:
                watch.attempted(None, began)
            return result

    async def arun(self, http: HttpRequest, send: Callable[[HttpRequest], Awaitable[T]]) -> T:
        """Async ``run``."""
        watch = current_watch()
        while True:
            began = self.clock.monotonic()
            try:
                result = await self._bounded(send, self.deadline.cap(http))
            except APIError as error:
                if watch is not None:
                    watch.attempted(error, began)
                delay = self.next_delay(error)
                if delay is None:
                    raise
                await self.clock.asleep(delay)
                continue
            if watch is not None:
                watch.attempted(None, began)
            return result

    async def _bounded(self, send: Callable[[HttpRequest], Awaitable[T]], http: HttpRequest) -> T:
        """Run one attempt under the deadline's wall clock: headers, body, a stream's first chunk."""
        if http.budget is None:
            return await send(http)
        import asyncio  # loaded by then: an event loop is running

        limit = asyncio.timeout(http.budget.remaining())
        try:
            async with limit:
                return await send(http)
        except TimeoutError:
            if not limit.expired():
                raise
        # Raised outside the handler: the cancelled frames (holding the request) stay unchained.
        raise Timeout(
            f"the attempt ran out of the call's deadline ({http.budget.seconds:.3g} s were left for it)",
            self.call.provider,
            self.call.request.model,
        )

    def next_delay(self, error: APIError) -> float | None:
        """Seconds to sleep before the next attempt after ``error``, or None to give up.

        Raises:
            Timeout: naming the deadline, when it has passed and ``error`` was worth retrying.
        """
        attribute(error, self.call)  # transport errors cannot know the provider and model
        self.tries += 1
        now = self.clock.time()
        # An HTTP-date retry-after is kept as an instant; the caller sees it as seconds from now.
        error.retry_after = seconds_until_retry(error, now)
        if is_retryable(error):
            expired = self.deadline.expired(self.call.provider, self.call.request.model, self._done())
            if expired is not None:
                raise expired from error
        delay = self.policy.delay(self.tries, error, now)
        if delay is None or not self.deadline.allows(delay):
            return None
        if self.logger.enabled("DEBUG"):
            self.logger.log(
                "DEBUG", f"llmport retry provider={self.call.provider} model={self.call.model} "
                f"attempt={self.tries} delay_s={delay:.3f} error={type(error).__name__} "
                f"status={error.status_code}", provider=self.call.provider, model=self.call.model,
                attempt=self.tries, delay_s=round(delay, 3), error=type(error).__name__,
                status=error.status_code,
            )  # fmt: skip
        return delay

    def _done(self) -> str:
        return f"{self.tries} attempt{'s' if self.tries > 1 else ''} on {self.call.request.model}"

"""When to try again: retryable failures, backoff with jitter, and the provider's retry-after.

Matches the OpenAI SDK's policy: retry 408, 409, 429, 5xx and connection errors; back off
0.5 s doubling to 8 s with jitter; honour ``retry-after-ms`` then ``retry-after`` up to 60 s.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ...ports.codec import ProviderCall
from ..models.errors import APIConnectionError, APIError, AuthenticationError, NetworkDisabledError
from ..models.retry_after import parse_retry_after

__all__ = [
    "RetryPolicy",
    "attribute",
    "attributed",
    "is_retryable",
    "parse_retry_after",
    "seconds_until_retry",
]

_RETRYABLE_STATUS = frozenset({408, 409, 429})
INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Decides whether and when an attempt is retried.

    Attributes:
        num_retries: Retries after the first attempt.
        jitter: Returns a number in [0, 1); scales the backoff down by up to 25 %.
    """

    num_retries: int
    jitter: Callable[[], float] = field(default=random.random)

    def delay(self, attempt: int, error: APIError, now: float | None = None) -> float | None:
        """Seconds to wait before retry number ``attempt`` (1-based), or None to give up.

        Args:
            attempt: The retry about to happen, from 1.
            error: The failure of the previous attempt.
            now: The clock's epoch time, to turn a ``retry-after`` HTTP date into seconds.
        """
        if attempt > self.num_retries or not is_retryable(error):
            return None
        wait = seconds_until_retry(error, now)
        if wait is not None and 0 <= wait <= MAX_RETRY_AFTER:
            return wait
        backoff = min(INITIAL_DELAY * 2 ** (attempt - 1), MAX_DELAY)
        return float(backoff * (1 - 0.25 * self.jitter()))


def seconds_until_retry(error: APIError, now: float | None) -> float | None:
    """Return the provider's requested wait: its seconds, or from ``now`` to its HTTP date (>= 0)."""
    if error.retry_at is not None and now is not None:
        return max(error.retry_at - now, 0.0)
    return error.retry_after


def is_retryable(error: APIError) -> bool:
    """Whether a failure may succeed when tried again."""
    if isinstance(error, AuthenticationError | NetworkDisabledError):
        return False
    if isinstance(error, APIConnectionError):
        return True
    status = error.status_code
    return status is not None and (status in _RETRYABLE_STATUS or status >= 500)


def attribute(error: APIError, call: ProviderCall) -> None:
    """Name the provider and model on an error that lacks them (transports cannot know them)."""
    if error.llm_provider is None:
        error.llm_provider = call.provider
    if error.model is None:
        error.model = call.request.model


@contextmanager
def attributed(call: ProviderCall) -> Iterator[None]:
    """Run a block whose ``APIError``s get ``call``'s provider and model (see ``attribute``)."""
    try:
        yield
    except APIError as error:
        attribute(error, call)
        raise

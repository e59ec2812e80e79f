"""When to try again: retryable failures, backoff with jitter, and the provider's retry-after.

Matches the OpenAI SDK's policy: retry 408, 409, 429, 5xx and connection errors; back off
0.5 s doubling to 8 s with jitter; honour ``retry-after-ms`` then ``retry-after`` up to 60 s.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from ...ports.codec import ProviderCall
from ..models.errors import APIConnectionError, APIError, AuthenticationError

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

    def delay(self, attempt: int, error: APIError) -> float | None:
        """Seconds to wait before retry number ``attempt`` (1-based), or None to give up."""
        if attempt > self.num_retries or not is_retryable(error):
            return None
        if error.retry_after is not None and 0 <= error.retry_after <= MAX_RETRY_AFTER:
            return error.retry_after
        backoff = min(INITIAL_DELAY * 2 ** (attempt - 1), MAX_DELAY)
        return float(backoff * (1 - 0.25 * self.jitter()))


def is_retryable(error: APIError) -> bool:
    """Whether a failure may succeed when tried again."""
    if isinstance(error, AuthenticationError):
        return False
    if isinstance(error, APIConnectionError):
        return True
    status = error.status_code
    return status is not None and (status in _RETRYABLE_STATUS or status >= 500)


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Read ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date) from response headers.

    Args:
        headers: Response headers with lower-case names.
        now: The current epoch time, for HTTP dates.
    """
    millis = _number(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    raw = headers.get("retry-after")
    seconds = _number(raw)
    if seconds is not None or not isinstance(raw, str):
        return seconds
    try:
        return max(parsedate_to_datetime(raw).timestamp() - now, 0.0)
    except (TypeError, ValueError, IndexError):
        return None


def _number(raw: object) -> float | None:
    if not isinstance(raw, str):
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


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

"""Reading a provider's ``retry-after`` headers (used by error building and by the retry policy)."""

from __future__ import annotations

from collections.abc import Mapping
from email.utils import parsedate_to_datetime


def parse_retry_after(headers: Mapping[str, str]) -> tuple[float | None, float | None]:
    """Read ``retry-after-ms`` or ``retry-after`` from response headers.

    Args:
        headers: Response headers with lower-case names.

    Returns:
        ``(seconds, None)`` for a number of (milli)seconds, ``(None, epoch)`` for an HTTP date
        (the dispatcher turns it into seconds with its clock), ``(None, None)`` when absent or unreadable.
    """
    millis = _number(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000, None
    raw = headers.get("retry-after")
    seconds = _number(raw)
    if seconds is not None or not isinstance(raw, str):
        return seconds, None
    try:
        return None, parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError, IndexError):
        return None, None


def _number(raw: object) -> float | None:
    if not isinstance(raw, str):
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value >= 0 else None

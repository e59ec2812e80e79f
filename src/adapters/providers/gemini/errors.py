"""Reading Google's error body: ``{"error": {"code", "message", "status", "details": [...]}}``.

The class comes from the HTTP status and ``error.status`` (RESOURCE_EXHAUSTED → rate limit,
UNAUTHENTICATED → 401...). The retry hint is ``RetryInfo.retryDelay`` in ``details`` ("34s"):
Google sends no reliable ``retry-after`` header. Some proxies and Vertex's stream wrap the body
in a one-element array.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import APIError
from ....ports.codec import ProviderCall
from ..errors import ErrorFields, build_error

# google.rpc.Code names → the structured codes llmport classifies (domain.models.errors._BY_CODE).
_STATUS_CODES = {
    "RESOURCE_EXHAUSTED": "rate_limit_exceeded",
    "INVALID_ARGUMENT": "invalid_request_error",
    "FAILED_PRECONDITION": "invalid_request_error",
    "OUT_OF_RANGE": "invalid_request_error",
    "UNAUTHENTICATED": "authentication_error",
    "PERMISSION_DENIED": "permission_denied",
    "NOT_FOUND": "not_found_error",
    "UNAVAILABLE": "overloaded_error",
    "INTERNAL": "server_error",
    "UNKNOWN": "server_error",
    "DEADLINE_EXCEEDED": "timeout_error",
}
# Google has no structured code for an over-long prompt; the message is all it says (litellm reads it too).
_CONTEXT_WINDOW = re.compile(
    r"exceeds the maximum number of tokens allowed|request payload size exceeds|input token count .* exceeds",
    re.IGNORECASE,
)
_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def _error_object(body: Any) -> Mapping[str, Any] | None:
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    error = body.get("error") if isinstance(body, Mapping) else None
    return error if isinstance(error, Mapping) else None


def gemini_error_fields(body: Any, headers: Mapping[str, str] | None = None) -> ErrorFields | None:
    """Read Google's error body (also the payload of an error frame inside a stream)."""
    del headers  # Google says everything in the body
    error = _error_object(body)
    if error is None:
        return None
    message = error.get("message")
    message = message if isinstance(message, str) else "the provider reported an error"
    status = error.get("status")
    code = _STATUS_CODES.get(status) if isinstance(status, str) else None
    if code == "invalid_request_error" and _CONTEXT_WINDOW.search(message):
        code = "context_length_exceeded"
    return ErrorFields(message=message, code=code, type=status if isinstance(status, str) else None)


def retry_delay(body: Any) -> float | None:
    """Return the seconds ``RetryInfo.retryDelay`` asks to wait, if the body has one."""
    error = _error_object(body)
    for detail in (error or {}).get("details") or ():
        if isinstance(detail, Mapping) and detail.get("@type") == _RETRY_INFO:
            match = _DURATION.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def gemini_error(
    status_code: int | None, headers: Mapping[str, str], body: Any, call: ProviderCall
) -> APIError:
    """Build the error for a Google error body; ``retry_after`` from ``RetryInfo`` when headers have none."""
    error = build_error(status_code, headers, body, call, gemini_error_fields)
    if error.retry_after is None:
        error.retry_after = retry_delay(body)
    return error


def is_error(body: Any) -> bool:
    """Whether a decoded frame or body is an error object."""
    return _error_object(body) is not None

"""Reading Bedrock's errors: the code from ``x-amzn-ErrorType`` (or the body's ``__type``), then the status.

A Bedrock error answer is ``{"message": "..."}`` with the code in the header
``x-amzn-ErrorType: <Code>:<namespace>``; a stream's ``exception`` frame names it in
``:exception-type`` (lower camel case) and an ``error`` frame in ``:error-code``. The code decides
the class before any message text is read: a ``ThrottlingException`` saying "Too many tokens" is
a rate limit, not a context-window error (litellm's mapper, and others, got this wrong). Only a
``ValidationException`` is read further, for the "Input is too long" family of messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import APIError
from ....ports.codec import ProviderCall
from ..errors import ErrorFields, build_error

# Bedrock code (lower case) → the llmport type that picks the exception class.
_TYPES = {
    "throttlingexception": "rate_limit_error",
    "accessdeniedexception": "permission_denied",
    "unrecognizedclientexception": "invalid_api_key",
    "invalidsignatureexception": "invalid_api_key",
    "expiredtokenexception": "invalid_api_key",
    "incompletesignatureexception": "invalid_api_key",
    "missingauthenticationtokenexception": "invalid_api_key",
    "resourcenotfoundexception": "not_found_error",
    "validationexception": "invalid_request_error",
    "modeltimeoutexception": "timeout_error",
    "modelnotreadyexception": "overloaded_error",
    "serviceunavailableexception": "overloaded_error",
    "internalserverexception": "server_error",
    "modelerrorexception": "api_error",
    "modelstreamerrorexception": "api_error",
}
_CONTEXT_WINDOW = re.compile(
    r"input is too long|prompt is too long|too many input tokens|too many tokens|expected maxlength"
    r"|exceeds? the (?:maximum )?context",
    re.IGNORECASE,
)


def error_code(headers: Mapping[str, str], body: Any) -> str | None:
    """Return the Bedrock error code: ``x-amzn-ErrorType`` before ``:``, else the body's ``__type``."""
    header = headers.get("x-amzn-errortype")
    if header:
        return header.split(":", 1)[0].strip() or None
    if isinstance(body, Mapping):
        kind = body.get("__type") or body.get("code")
        if isinstance(kind, str) and kind:
            return kind.rsplit("#", 1)[-1]
    return None


def bedrock_error_fields(body: Any, headers: Mapping[str, str]) -> ErrorFields | None:
    """Read a Bedrock error: the code from ``x-amzn-ErrorType`` (or ``__type``), the body's message."""
    code = error_code(headers, body)
    message = _message(body)
    if message is None and code is None:
        return None
    text = message or f"Bedrock answered {code}"
    kind = _TYPES.get((code or "").lower())
    if kind == "invalid_request_error" and _CONTEXT_WINDOW.search(text):
        kind = "context_length_exceeded"
    return ErrorFields(message=text, code=code, type=kind)


def _message(body: Any) -> str | None:
    if isinstance(body, Mapping):
        for key in ("message", "Message", "originalMessage"):
            if isinstance(body.get(key), str):
                return str(body[key])
        return None
    return body.strip()[:500] or None if isinstance(body, str) else None


def http_error(status: int, headers: Mapping[str, str], body: Any, call: ProviderCall) -> APIError:
    """Build the error for a Bedrock HTTP error answer (decoded ``body``)."""
    return build_error(status, headers, body, call, bedrock_error_fields)


def stream_error(call: ProviderCall, code: Any, body: Any) -> APIError:
    """Build the error for an ``exception`` or ``error`` frame received after HTTP 200."""
    headers = {"x-amzn-errortype": code} if isinstance(code, str) and code else {}
    return build_error(None, headers, body, call, bedrock_error_fields)

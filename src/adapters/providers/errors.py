"""Building ``APIError``s from provider error answers: one mechanism for every codec.

A codec supplies how to read its error answer, body and headers (``ErrorFields``; Bedrock names
its error type in ``x-amzn-ErrorType``); this module does the rest the
same way for all: classification by status then structured code, request id and retry-after
from headers, secrets scrubbed from message, body and headers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ...domain.models.errors import APIError, APIResponseValidationError, classify
from ...domain.models.redaction import redact, redact_headers, redact_value
from ...domain.models.retry_after import parse_retry_after
from ...ports.codec import ProviderCall
from ._json import loads

REQUEST_ID_HEADERS = ("x-request-id", "request-id", "apim-request-id", "x-amzn-requestid", "cf-ray")
_SNIPPET = 500


@dataclass(frozen=True, slots=True)
class ErrorFields:
    """What a provider's error body says, in llmport's terms."""

    message: str
    code: str | None = None
    type: str | None = None
    param: str | None = None


ErrorReader = Callable[[Any, Mapping[str, str]], ErrorFields | None]
"""Reads a decoded error body and the response headers (lower-case names) into ``ErrorFields``."""


def decode_body(body: bytes) -> Any:
    """Parse a body as JSON, or return its text when it is not JSON."""
    text = body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def build_error(
    status_code: int | None,
    headers: Mapping[str, str],
    body: Any,
    call: ProviderCall,
    read: ErrorReader,
) -> APIError:
    """Return the most specific ``APIError`` for a provider's error answer.

    Args:
        status_code: The HTTP status (None for an error event inside a stream).
        headers: Response headers, lower-case names.
        body: The decoded body (JSON value or text).
        call: The call that failed.
        read: The codec's reader of its error answer (body and headers).
    """
    fields = read(body, headers) or _fallback_fields(status_code, body)
    secrets = call.secrets
    cls = classify(status_code, fields.code, fields.type)
    retry_after, retry_at = parse_retry_after(headers)
    return cls(
        redact(fields.message, secrets),
        call.provider,
        call.request.model,
        status_code=status_code,
        request_id=next((headers[name] for name in REQUEST_ID_HEADERS if name in headers), None),
        retry_after=retry_after,
        retry_at=retry_at,
        body=redact_value(body, secrets),
        code=redact_value(fields.code, secrets),
        type=redact_value(fields.type, secrets),
        param=redact_value(fields.param, secrets),
        headers=redact_headers(headers, secrets),
    )


def invalid_response(
    reason: str, body: bytes, call: ProviderCall, status_code: int | None = None
) -> APIError:
    """Build the error for an answer llmport cannot parse, with a scrubbed snippet of the body."""
    snippet = redact(body[:_SNIPPET].decode("utf-8", errors="replace"), call.secrets)
    return APIResponseValidationError(
        f"{reason}; body starts with: {snippet!r}",
        call.provider,
        call.request.model,
        status_code=status_code,
        body=snippet,
    )


_NOT_JSON = object()  # what an event that is not JSON parses to (JSON null is None)


def event_object(raw: str, call: ProviderCall, what: str) -> Mapping[str, Any]:
    """Parse one stream event's data as a JSON object.

    Args:
        raw: The event's data.
        call: The call being answered.
        what: The event's name in messages, e.g. ``"an Anthropic stream event"``.

    Raises:
        APIResponseValidationError: when it is not JSON, or not an object.
    """
    try:
        data = loads(raw)
    except ValueError:
        data = _NOT_JSON  # raised below, outside the except block: the decoder's error keeps the event
    if data is _NOT_JSON:
        raise invalid_response(f"{what} is not JSON", raw.encode(), call)
    if not isinstance(data, dict):
        raise invalid_response(f"{what} is not a JSON object", raw.encode(), call)
    return data


def _fallback_fields(status_code: int | None, body: Any) -> ErrorFields:
    if isinstance(body, str) and body.strip():
        return ErrorFields(message=body.strip()[:_SNIPPET])
    if isinstance(body, Mapping):
        for key in ("message", "detail", "error"):
            if isinstance(body.get(key), str):
                return ErrorFields(message=body[key])
    return ErrorFields(
        message=f"the provider answered with HTTP {status_code}" if status_code else "provider error"
    )


def openai_error_fields(body: Any, headers: Mapping[str, str] | None = None) -> ErrorFields | None:  # noqa: ARG001
    """Read OpenAI's (and most compatible servers') ``{"error": {message, type, param, code}}``."""
    if not isinstance(body, Mapping):
        return None
    error = body.get("error")
    if isinstance(error, str):
        return ErrorFields(message=error)
    if not isinstance(error, Mapping):
        return None
    message = error.get("message")
    return ErrorFields(
        message=message if isinstance(message, str) else json.dumps(error)[:_SNIPPET],
        code=_text(error.get("code")),
        type=_text(error.get("type")),
        param=_text(error.get("param")),
    )


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)

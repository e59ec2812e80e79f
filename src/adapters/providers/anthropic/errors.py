"""Reading Anthropic's error body: ``{"type": "error", "error": {"type", "message"}, "request_id"}``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import ErrorFields

# Anthropic reports an over-long prompt as a plain invalid_request_error; only the message tells.
_CONTEXT_WINDOW = re.compile(
    r"prompt is too long|input length and `max_tokens` exceed context limit|context window", re.IGNORECASE
)


def anthropic_error_fields(body: Any, headers: Mapping[str, str] | None = None) -> ErrorFields | None:  # noqa: ARG001
    """Read Anthropic's error body (also the payload of a stream's ``error`` event)."""
    if not isinstance(body, Mapping):
        return None
    error = body.get("error")
    if not isinstance(error, Mapping):
        return None
    message = error.get("message")
    text = message if isinstance(message, str) else str(error)
    kind = error.get("type")
    code = "context_length_exceeded" if _CONTEXT_WINDOW.search(text) else None
    return ErrorFields(message=text, code=code, type=kind if isinstance(kind, str) else None)

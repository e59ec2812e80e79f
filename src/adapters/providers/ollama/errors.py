"""Reading Ollama's error answer: ``{"error": "<message>"}``, no code: the status and the text decide."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import ErrorFields

# Ollama has no error codes; these messages are the server's own (server/routes.go, llm/server.go).
_CONTEXT_WINDOW = re.compile(
    r"exceeds the context length|longer than the context length|context length exceeded", re.IGNORECASE
)
_NOT_FOUND = re.compile(r"model '[^']*' not found|model \"[^\"]*\" not found", re.IGNORECASE)


def ollama_error_fields(body: Any, headers: Mapping[str, str] | None = None) -> ErrorFields | None:  # noqa: ARG001
    """Read Ollama's error body (also the ``error`` line of a stream)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("error"), str):
        return None
    message: str = body["error"]
    if _CONTEXT_WINDOW.search(message):
        return ErrorFields(message=message, code="context_length_exceeded")
    if _NOT_FOUND.search(message):
        return ErrorFields(message=message, code="model_not_found")
    # Without a status (a line inside a stream), a runner failure is the server's error.
    return ErrorFields(message=message, type="server_error")

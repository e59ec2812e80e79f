"""Reading Cohere's error answer: ``{"id", "message"}``, no code: the status and the message decide."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ErrorFields

# 498 is Cohere's "blocked by usage guidelines" (the SDK's InvalidToken): the content-policy signal.
_STATUS_CODES = {498: "content_policy_violation"}


def cohere_error_fields(body: Any, headers: Mapping[str, str] | None = None) -> ErrorFields | None:  # noqa: ARG001
    """Read Cohere's error body."""
    if not isinstance(body, Mapping) or not isinstance(body.get("message"), str):
        return None
    message: str = body["message"]
    # A 400 "too many tokens: size limit exceeded..." is the context window (a 429 "trial token
    # rate limit" is not, and its status decides first).
    if message.lower().startswith("too many tokens"):
        return ErrorFields(message=message, code="context_length_exceeded")
    return ErrorFields(message=message)


def status_code_hint(status_code: int) -> str | None:
    """Return the structured code a Cohere status implies where the status is not a standard one."""
    return _STATUS_CODES.get(status_code)

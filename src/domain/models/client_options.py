"""Checks for the client-side keywords that carry values for logs, callbacks and mocks.

Each returns the checked value (immutable where the option is stored on the request) or raises
``BadRequestError`` naming the keyword, before any network call.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import bad_request


def metadata(value: object, model: str) -> Mapping[str, Any] | None:
    """Return ``metadata=``: a dict for logs and callbacks (never sent to the provider)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        kind = type(value).__name__
        raise bad_request(f"metadata must be a dict, got {kind}", param="metadata", model=model)
    return dict(value)


def call_id(value: object, model: str) -> str | None:
    """Return ``litellm_call_id=``: the caller's id for this call in logs and callbacks."""
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise bad_request("litellm_call_id must be a non-empty string", param="litellm_call_id", model=model)
    return value


def mock_tool_calls(value: object, model: str) -> tuple[dict[str, Any], ...] | None:
    """Return ``mock_tool_calls=`` as OpenAI tool-call dicts (ids and types filled in)."""
    if value is None:
        return None
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, list | tuple):
        raise bad_request(
            f"mock_tool_calls must be a list of tool-call dicts, got {type(value).__name__}",
            param="mock_tool_calls",
            model=model,
        )
    return tuple(_tool_call(item, index, model) for index, item in enumerate(value))


def _tool_call(item: object, index: int, model: str) -> dict[str, Any]:
    where = f"mock_tool_calls[{index}]"
    function = item.get("function") if isinstance(item, Mapping) else None
    name = function.get("name") if isinstance(function, Mapping) else None
    if not isinstance(item, Mapping) or not isinstance(function, Mapping) or not isinstance(name, str):
        raise bad_request(
            f"{where} must be a dict like {{'function': {{'name': ..., 'arguments': ...}}}}",
            param=where,
            model=model,
        )
    arguments = function.get("arguments", "{}")
    if not isinstance(arguments, str):
        try:
            arguments = json.dumps(arguments)
        except (TypeError, ValueError):
            raise bad_request(f"{where}.function.arguments is not JSON", param=where, model=model) from None
    return {
        "id": str(item.get("id") or f"call_mock_{index}"),
        "type": str(item.get("type") or "function"),
        "function": {"name": name, "arguments": arguments},
    }

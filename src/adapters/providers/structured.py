"""Reading the JSON schema out of an OpenAI ``response_format``: one rule for every codec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def response_schema(response_format: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the schema of a ``json_schema`` response format (or litellm's ``response_schema``), if any."""
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema") or {}
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        if isinstance(schema, Mapping):
            return dict(schema)
    if isinstance(response_format.get("response_schema"), Mapping):
        return dict(response_format["response_schema"])  # litellm's json_object + schema spelling
    return None

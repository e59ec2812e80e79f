"""Pydantic classes as ``response_format``: OpenAI's strict ``json_schema`` form.

Strict mode needs every object closed (``additionalProperties: false``) and every property
listed in ``required``; optional fields stay nullable through their own ``anyOf`` with null.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from .response import ModelResponse


def response_format_for(model: type[BaseModel]) -> dict[str, Any]:
    """Return the ``response_format`` dict asking for JSON matching ``model``, in strict mode."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": model.__name__,
            "schema": strict_schema(model.model_json_schema()),
            "strict": True,
        },
    }


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a JSON schema made acceptable to OpenAI's strict structured outputs."""
    return _strict(schema)  # type: ignore[no-any-return]


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    # `default` is a schema keyword strict mode rejects; under `properties`, keys are field names.
    result = {key: _strict(value) for key, value in node.items() if key not in ("default", "properties")}
    if isinstance(node.get("properties"), dict):
        result["properties"] = {name: _strict(sub) for name, sub in node["properties"].items()}
    if result.get("type") == "object" and "properties" in result:
        result["additionalProperties"] = False
        result["required"] = list(result["properties"])
    return result


def attach_parsed(response: ModelResponse, model: type[BaseModel] | None) -> None:
    """Set ``message.parsed`` on every finished choice to ``content`` validated as ``model``.

    Choices cut short (``length``), refused, answered with tool calls, or whose content does not
    validate keep ``parsed=None``; ``content`` always holds the text as received.
    """
    if model is None:
        return
    for choice in response.choices:
        content = choice.message.content
        if choice.finish_reason != "stop" or not content:
            continue
        try:
            choice.message.parsed = model.model_validate_json(content)
        except ValidationError:
            choice.message.parsed = None

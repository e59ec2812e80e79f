"""Chat messages as callers give them, checked and normalised to wire-ready dicts.

Callers pass dicts, llmport ``Message`` objects (``messages.append(resp.choices[0].message)``)
or any object with ``model_dump()`` (OpenAI SDK or pydantic models). Every message becomes a
plain dict; fields llmport does not know (``cache_control``, ``name``...) are kept untouched so
codecs can pass them on. Problems raise ``BadRequestError`` naming the offending field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol, TypeAlias, runtime_checkable

from .errors import bad_request

Role = Literal["system", "developer", "user", "assistant", "tool", "function"]
ROLES: frozenset[str] = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
PART_TYPES: frozenset[str] = frozenset({"text", "image_url", "input_audio", "file", "refusal"})

# Response-only fields that must not be sent back when a response message is reused as input.
_RESPONSE_ONLY = ("annotations", "provider_specific_fields", "index", "logprobs", "parsed")


@runtime_checkable
class SupportsModelDump(Protocol):
    """Anything pydantic-like: OpenAI SDK objects, llmport objects, user models."""

    def model_dump(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Return the object as a dict."""
        ...


MessageLike: TypeAlias = Mapping[str, Any] | SupportsModelDump
"""One message as callers may pass it."""


def normalize_messages(messages: object, *, model: str | None = None) -> list[dict[str, Any]]:
    """Check ``messages`` and return them as a new list of wire-ready dicts.

    Args:
        messages: The caller's ``messages`` argument.
        model: The model name, for error context only.

    Returns:
        A list of fresh dicts (the caller's objects are never mutated).

    Raises:
        BadRequestError: naming the field, e.g. ``messages[2].role``.
    """
    if isinstance(messages, str | bytes) or not isinstance(messages, Sequence):
        raise bad_request(
            f"messages must be a list of message dicts, got {type(messages).__name__}",
            param="messages",
            model=model,
        )
    return [_normalize_one(message, index, model) for index, message in enumerate(messages)]


def _normalize_one(message: object, index: int, model: str | None) -> dict[str, Any]:
    where = f"messages[{index}]"
    data = _as_dict(message, where, model)
    role = data.get("role")
    if role is None:
        raise bad_request(f"{where} has no 'role'", param=f"{where}.role", model=model)
    if role not in ROLES:
        raise bad_request(
            f"{where}.role must be one of {sorted(ROLES)}, got {role!r}", param=f"{where}.role", model=model
        )
    _check_content(data.get("content"), where, model)
    if role == "tool" and not isinstance(data.get("tool_call_id"), str):
        raise bad_request(
            f"{where} has role 'tool' but no string 'tool_call_id'",
            param=f"{where}.tool_call_id",
            model=model,
        )
    return data


def _as_dict(message: object, where: str, model: str | None) -> dict[str, Any]:
    if isinstance(message, Mapping):
        return dict(message)
    if isinstance(message, SupportsModelDump):
        dumped = message.model_dump(exclude_none=True)
        for key in _RESPONSE_ONLY:
            dumped.pop(key, None)
        if dumped.get("role") == "assistant" and "content" not in dumped:
            dumped["content"] = None  # OpenAI accepts null content beside tool_calls
        _strip_tool_call_indexes(dumped)
        return dumped
    raise bad_request(
        f"{where} must be a dict or a message object, got {type(message).__name__}", param=where, model=model
    )


def _strip_tool_call_indexes(message: dict[str, Any]) -> None:
    # Tool calls assembled from a stream carry the stream's `index`, which requests must not have.
    for call in message.get("tool_calls") or ():
        if isinstance(call, dict):
            call.pop("index", None)


def _check_content(content: object, where: str, model: str | None) -> None:
    if content is None or isinstance(content, str):
        return
    if not isinstance(content, list):
        raise bad_request(
            f"{where}.content must be a string or a list of content parts, got {type(content).__name__}",
            param=f"{where}.content",
            model=model,
        )
    for position, part in enumerate(content):
        _check_part(part, f"{where}.content[{position}]", model)


def _check_part(part: object, where: str, model: str | None) -> None:
    if not isinstance(part, Mapping):
        raise bad_request(f"{where} must be a dict, got {type(part).__name__}", param=where, model=model)
    kind = part.get("type")
    if not isinstance(kind, str):
        raise bad_request(f"{where} has no 'type'", param=f"{where}.type", model=model)
    if kind == "text" and not isinstance(part.get("text"), str):
        raise bad_request(
            f"{where} is a text part without a string 'text'", param=f"{where}.text", model=model
        )
    if kind == "image_url" and not _image_url(part.get("image_url")):
        raise bad_request(
            f"{where} is an image_url part without a url", param=f"{where}.image_url", model=model
        )


def _image_url(value: object) -> bool:
    if isinstance(value, str):
        return bool(value)
    return isinstance(value, Mapping) and isinstance(value.get("url"), str) and bool(value["url"])


def text_of(content: object) -> str:
    """Return the text of a message content (string, or the text parts of a list)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "")
            for part in content
            if isinstance(part, Mapping) and part.get("type") == "text"
        )
    return ""

"""OpenAI-shaped chat messages → Anthropic's ``system`` and ``messages``.

System and developer messages are hoisted to the top-level ``system``; tool results become
``tool_result`` blocks in a user turn; assistant tool calls become ``tool_use`` blocks and its
thinking blocks are sent back first (with their signatures); consecutive same-role turns merge,
as Anthropic requires alternating roles. ``cache_control`` on parts and messages is kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import bad_request
from ..turns import split_turns

Block = dict[str, Any]
_THINKING_TYPES = ("thinking", "redacted_thinking")
# Anthropic fields a ``role: tool`` message may carry to its tool_result block.
_TOOL_RESULT_EXTRAS = ("cache_control", "is_error")


def translate_messages(
    messages: list[dict[str, Any]], model: str
) -> tuple[str | list[Block] | None, list[dict[str, Any]]]:
    """Return ``(system, messages)`` in Anthropic's shape.

    Raises:
        BadRequestError: for a message Anthropic cannot take, naming it.
    """
    system, turns = split_turns(
        messages,
        lambda message, index: _blocks(message, f"messages[{index}]", model),
        lambda message, index: _turn(message, index, model),
    )
    return _system(system), [_compact(turn) for turn in turns]


def _turn(message: dict[str, Any], index: int, model: str) -> tuple[str, list[Block]]:
    where = f"messages[{index}]"
    role = message["role"]
    if role == "tool":
        return "user", [_tool_result(message, where, model)]
    if role == "assistant":
        return "assistant", _assistant_blocks(message, where, model)
    if role == "user":
        return "user", _blocks(message, where, model)
    raise bad_request(
        f"{where}.role {role!r} cannot be sent to Anthropic; use tools and role 'tool'",
        param=f"{where}.role",
        model=model,
    )


def _system(blocks: list[Block]) -> str | list[Block] | None:
    if not blocks:
        return None
    if len(blocks) == 1 and set(blocks[0]) == {"type", "text"}:
        return str(blocks[0]["text"])  # the plain form every client sends when nothing is cached
    return blocks


def _compact(turn: dict[str, Any]) -> dict[str, Any]:
    blocks = turn["content"]
    if len(blocks) == 1 and set(blocks[0]) == {"type", "text"}:
        return {"role": turn["role"], "content": blocks[0]["text"]}
    return turn


def _blocks(message: Mapping[str, Any], where: str, model: str) -> list[Block]:
    """Return the content of a system, user or tool message as Anthropic content blocks."""
    content = message.get("content")
    if content is None:
        return []
    if isinstance(content, str):
        blocks: list[Block] = [{"type": "text", "text": content}] if content else []
    else:
        blocks = [_part(part, f"{where}.content[{i}]", model) for i, part in enumerate(content)]
    cache_control = message.get("cache_control")
    if cache_control is not None and blocks:
        blocks[-1] = {**blocks[-1], "cache_control": cache_control}
    return blocks


def _part(part: Any, where: str, model: str) -> Block:
    if not isinstance(part, Mapping):
        raise bad_request(f"{where} must be a content-part dict", param=where, model=model)
    kind = part.get("type")
    extra = {"cache_control": part["cache_control"]} if "cache_control" in part else {}
    if kind == "text":
        return {"type": "text", "text": part.get("text", ""), **extra}
    if kind == "image_url":
        return {"type": "image", "source": _image_source(part.get("image_url"), where, model), **extra}
    if kind in ("input_audio", "refusal"):
        raise bad_request(f"{where}: Anthropic does not take {kind!r} parts", param=where, model=model)
    return dict(part)  # an Anthropic-native block (document, image, tool_result...) goes as given


def _image_source(image: Any, where: str, model: str) -> Block:
    url = image.get("url") if isinstance(image, Mapping) else image
    if not isinstance(url, str) or not url:
        raise bad_request(f"{where}.image_url needs a url", param=f"{where}.image_url", model=model)
    if not url.startswith("data:"):
        return {"type": "url", "url": url}
    header, comma, data = url.partition(",")
    media_type = header.removeprefix("data:").split(";", 1)[0]
    if not comma or ";base64" not in header or not media_type:
        raise bad_request(
            f"{where}.image_url is a data URL but not 'data:<type>;base64,<data>'",
            param=f"{where}.image_url",
            model=model,
        )
    return {"type": "base64", "media_type": media_type, "data": data}


def _assistant_blocks(message: Mapping[str, Any], where: str, model: str) -> list[Block]:
    blocks: list[Block] = [
        dict(block)
        for block in message.get("thinking_blocks") or ()
        if isinstance(block, Mapping) and block.get("type") in _THINKING_TYPES
    ]
    blocks.extend(block for block in _blocks(message, where, model) if block != {"type": "text", "text": ""})
    for position, call in enumerate(message.get("tool_calls") or ()):
        blocks.append(_tool_use(call, f"{where}.tool_calls[{position}]", model))
    return blocks


def _tool_use(call: Any, where: str, model: str) -> Block:
    function = call.get("function") if isinstance(call, Mapping) else None
    if not isinstance(function, Mapping) or not isinstance(call.get("id"), str):
        raise bad_request(f"{where} needs an id and a function", param=where, model=model)
    arguments = function.get("arguments") or "{}"
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
    except ValueError:
        raise bad_request(
            f"{where}.function.arguments is not JSON", param=f"{where}.function.arguments", model=model
        ) from None
    block: Block = {"type": "tool_use", "id": call["id"], "name": function.get("name"), "input": parsed}
    if "cache_control" in call:
        block["cache_control"] = call["cache_control"]
    return block


def _tool_result(message: Mapping[str, Any], where: str, model: str) -> Block:
    content = message.get("content")
    result: Block = {"type": "tool_result", "tool_use_id": message["tool_call_id"]}
    if isinstance(content, str):
        result["content"] = content
    elif content:
        result["content"] = [_part(part, f"{where}.content[{i}]", model) for i, part in enumerate(content)]
    result.update({key: message[key] for key in _TOOL_RESULT_EXTRAS if key in message})
    return result

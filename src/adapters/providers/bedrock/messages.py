"""OpenAI-shaped chat messages → Converse's ``system`` and ``messages``.

Converse has no system or tool role: system and developer messages become ``system`` blocks,
and tool results become ``toolResult`` blocks in a user turn. Consecutive turns of one role are
merged, as Converse requires alternating roles. Images travel as ``image.source.bytes`` (base64
in JSON), PDFs and text files as ``document`` blocks, thinking blocks go back first in an
assistant turn with their signatures, and ``cache_control`` becomes a ``cachePoint`` block after
the content it marks. A part that is already a Converse block (``{"document": ...}``,
``{"guardContent": ...}``...) is sent as given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import bad_request
from ..turns import arguments_object, split_turns
from .tools import wire_name

Block = dict[str, Any]
# Keys of a Converse ContentBlock union: a part holding one of them is already in Converse's shape.
NATIVE_BLOCKS = frozenset(
    {
        "text", "image", "document", "video", "audio", "toolUse", "toolResult", "guardContent",
        "cachePoint", "reasoningContent", "citationsContent", "searchResult",
    }
)  # fmt: skip
_IMAGE_FORMATS = {"image/png": "png", "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/gif": "gif"}
_IMAGE_FORMATS["image/webp"] = "webp"
_DOCUMENT_FORMATS = {
    "application/pdf": "pdf", "text/plain": "txt", "text/markdown": "md", "text/csv": "csv",
    "text/html": "html", "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}  # fmt: skip
# Converse document names: alphanumerics, single spaces, hyphens, parentheses and square brackets.
_DOCUMENT_NAME = re.compile(r"[^A-Za-z0-9\-()\[\] ]+")


def translate_messages(messages: list[dict[str, Any]], model: str) -> tuple[list[Block], list[Block]]:
    """Return ``(system, messages)`` in Converse's shape.

    Raises:
        BadRequestError: for a message Converse cannot take, naming it.
    """
    return split_turns(
        messages,
        lambda message, index: _system_blocks(message, f"messages[{index}]", model),
        lambda message, index: _turn(message, f"messages[{index}]", model),
    )


def _turn(message: Mapping[str, Any], where: str, model: str) -> tuple[str, list[Block]]:
    role = message["role"]
    if role == "tool":
        return "user", _cached([_tool_result(message, where, model)], message)
    if role == "assistant":
        return "assistant", _cached(_assistant_blocks(message, where, model), message)
    if role == "user":
        blocks = _cached(_content_blocks(message.get("content"), where, model), message)
        if not blocks:
            raise bad_request(
                f"{where}.content is empty; Bedrock rejects empty user turns", param=f"{where}.content",
                model=model,
            )  # fmt: skip
        return "user", blocks
    raise bad_request(
        f"{where}.role {role!r} cannot be sent to Bedrock; use tools and role 'tool'",
        param=f"{where}.role",
        model=model,
    )


def _system_blocks(message: Mapping[str, Any], where: str, model: str) -> list[Block]:
    blocks = _content_blocks(message.get("content"), where, model)
    for position, block in enumerate(blocks):
        if not ({"text", "cachePoint", "guardContent"} & block.keys()):
            raise bad_request(
                f"{where}.content[{position}]: a Bedrock system prompt takes only text",
                param=f"{where}.content",
                model=model,
            )
    return _cached(blocks, message)


def _cached(blocks: list[Block], holder: Mapping[str, Any]) -> list[Block]:
    """Append a ``cachePoint`` after ``blocks`` when ``holder`` carries ``cache_control``."""
    point = cache_point(holder.get("cache_control"))
    return [*blocks, point] if point is not None and blocks else blocks


def cache_point(cache_control: Any) -> Block | None:
    """Return the ``cachePoint`` block for an Anthropic-style ``cache_control`` value, if any."""
    if not isinstance(cache_control, Mapping):
        return None
    point: Block = {"type": "default"}
    if isinstance(cache_control.get("ttl"), str):
        point["ttl"] = cache_control["ttl"]
    return {"cachePoint": point}


def _content_blocks(content: Any, where: str, model: str) -> list[Block]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    blocks: list[Block] = []
    for position, part in enumerate(content):
        here = f"{where}.content[{position}]"
        block = _part(part, here, model)
        if block is not None:
            blocks.append(block)
            point = cache_point(part.get("cache_control"))
            if point is not None:
                blocks.append(point)
    return blocks


def _part(part: Any, where: str, model: str) -> Block | None:
    if not isinstance(part, Mapping):
        raise bad_request(f"{where} must be a content-part dict", param=where, model=model)
    kind = part.get("type")
    if kind == "text":
        text = part.get("text")
        return {"text": text} if text else None  # Converse rejects empty text blocks
    if kind == "image_url":
        return {"image": _image(part.get("image_url"), where, model)}
    if kind == "file":
        return {"document": _document(part.get("file"), where, model)}
    if kind is None and len(part.keys() & NATIVE_BLOCKS) == 1:
        return {key: value for key, value in part.items() if key != "cache_control"}
    raise bad_request(f"{where}: Bedrock Converse does not take {kind!r} parts", param=where, model=model)


def _data_url(url: Any, where: str, model: str) -> tuple[str, str]:
    """Split ``data:<media type>;base64,<data>`` into the media type and the base64 text."""
    header, comma, data = url.partition(",") if isinstance(url, str) else ("", "", "")
    media_type = header.removeprefix("data:").split(";", 1)[0].lower()
    if not header.startswith("data:") or not comma or ";base64" not in header or not media_type:
        raise bad_request(
            f"{where} must be a base64 data URL ('data:<type>;base64,<data>'): Bedrock takes file "
            "bytes in the request (or an s3:// URI), it does not fetch URLs",
            param=where,
            model=model,
        )
    return media_type, data


def _image(image: Any, where: str, model: str) -> Block:
    url = image.get("url") if isinstance(image, Mapping) else image
    if isinstance(url, str) and url.startswith("s3://"):
        media = image.get("format") if isinstance(image, Mapping) else None
        fmt = _IMAGE_FORMATS.get(f"image/{media}", "png") if isinstance(media, str) else _suffix(url)
        return {"format": fmt, "source": {"s3Location": {"uri": url}}}
    media_type, data = _data_url(url, f"{where}.image_url", model)
    if media_type not in _IMAGE_FORMATS:
        raise bad_request(
            f"{where}.image_url: Bedrock takes png, jpeg, gif and webp images, not {media_type!r}",
            param=f"{where}.image_url",
            model=model,
        )
    return {"format": _IMAGE_FORMATS[media_type], "source": {"bytes": data}}


def _suffix(url: str) -> str:
    suffix = url.rsplit(".", 1)[-1].lower()
    return _IMAGE_FORMATS.get(f"image/{suffix}", "png")


def _document(file: Any, where: str, model: str) -> Block:
    if not isinstance(file, Mapping) or not isinstance(file.get("file_data"), str):
        raise bad_request(
            f"{where}.file needs file_data (a base64 data URL); Bedrock has no file ids",
            param=f"{where}.file",
            model=model,
        )
    media_type, data = _data_url(file["file_data"], f"{where}.file.file_data", model)
    fmt = _DOCUMENT_FORMATS.get(media_type)
    if fmt is None:
        raise bad_request(
            f"{where}.file: Bedrock does not take {media_type!r} documents",
            param=f"{where}.file",
            model=model,
        )
    name = _DOCUMENT_NAME.sub(" ", str(file.get("filename") or "document").rsplit(".", 1)[0])
    name = " ".join(name.split())[:200] or "document"
    return {"format": fmt, "name": name, "source": {"bytes": data}}


def _assistant_blocks(message: Mapping[str, Any], where: str, model: str) -> list[Block]:
    reasoning = [_reasoning(block) for block in message.get("thinking_blocks") or ()]
    blocks = [block for block in reasoning if block is not None]
    blocks.extend(_content_blocks(message.get("content"), where, model))
    for position, call in enumerate(message.get("tool_calls") or ()):
        blocks.append(_tool_use(call, f"{where}.tool_calls[{position}]", model))
    return blocks


def _reasoning(block: Any) -> Block | None:
    """Turn a thinking block as llmport returned it into ``reasoningContent`` (signature kept)."""
    if not isinstance(block, Mapping):
        return None
    if block.get("type") == "redacted_thinking" and block.get("data"):
        return {"reasoningContent": {"redactedContent": block["data"]}}
    if block.get("type") != "thinking":
        return None
    text: Block = {"text": block.get("thinking") or ""}
    if block.get("signature"):
        text["signature"] = block["signature"]
    return {"reasoningContent": {"reasoningText": text}}


def _tool_use(call: Any, where: str, model: str) -> Block:
    function = call.get("function") if isinstance(call, Mapping) else None
    if not isinstance(function, Mapping) or not isinstance(call.get("id"), str):
        raise bad_request(f"{where} needs an id and a function", param=where, model=model)
    parsed = arguments_object(function, where, model, " (Converse sends tool input as one)")
    name = wire_name(str(function.get("name") or ""))
    return {"toolUse": {"toolUseId": call["id"], "name": name, "input": dict(parsed)}}


def _tool_result(message: Mapping[str, Any], where: str, model: str) -> Block:
    content = message.get("content")
    if isinstance(content, str) or content is None:
        parts: list[Block] = [{"text": content or "(empty)"}]  # Converse rejects an empty result
    else:
        parts = _content_blocks(content, where, model) or [{"text": "(empty)"}]
    result: Block = {"toolUseId": message.get("tool_call_id"), "content": parts}
    if message.get("status") in ("success", "error"):
        result["status"] = message["status"]
    return {"toolResult": result}


def has_tool_blocks(turns: list[Block]) -> bool:
    """Whether the history holds ``toolUse`` or ``toolResult`` blocks (Converse then needs toolConfig)."""
    return any("toolUse" in block or "toolResult" in block for turn in turns for block in turn["content"])

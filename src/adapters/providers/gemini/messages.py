"""OpenAI-shaped chat messages → Gemini's ``systemInstruction`` and ``contents``.

System and developer messages are joined into ``systemInstruction``; ``assistant`` turns become
``model`` turns whose function calls carry back the thought signatures Gemini put on them (the
message's ``thought_signatures`` field); tool results become ``functionResponse`` parts of a
user turn, named after the call they answer; consecutive turns of one role merge, as Gemini
wants alternating roles. Images: data URLs → ``inlineData``, other URLs → ``fileData``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ....domain.models.errors import bad_request
from ..turns import arguments_object

Part = dict[str, Any]
_SYSTEM_ROLES = ("system", "developer")
# Google's documented placeholder for a function call whose signature was lost (history from
# another provider): Gemini 3 refuses an unsigned call in history, and accepts this one.
SKIP_SIGNATURE = "skip_thought_signature_validator"
_MIME_BY_SUFFIX = {
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
    "gif": "image/gif", "heic": "image/heic", "pdf": "application/pdf", "mp3": "audio/mpeg",
    "wav": "audio/wav", "mp4": "video/mp4",
}  # fmt: skip


def translate_messages(
    messages: Sequence[Mapping[str, Any]], model: str, sign_unsigned: bool = False
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Return ``(systemInstruction, contents)``.

    Args:
        messages: Normalised messages.
        model: The caller's model name, for error messages.
        sign_unsigned: Put ``SKIP_SIGNATURE`` on the first function call of an assistant turn
            that has no signature (Gemini 3 requires one).

    Raises:
        BadRequestError: naming the message Gemini cannot take.
    """
    system: list[Part] = []
    contents: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        role = message["role"]
        if role in _SYSTEM_ROLES:
            system.extend(_parts(message.get("content"), where, model))
            continue
        wire_role, parts = _turn(message, where, model, names, sign_unsigned)
        if not parts:
            continue
        if contents and contents[-1]["role"] == wire_role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": wire_role, "parts": parts})
    return ({"parts": system} if system else None), contents


def _turn(
    message: Mapping[str, Any], where: str, model: str, names: dict[str, str], sign_unsigned: bool
) -> tuple[str, list[Part]]:
    role = message["role"]
    if role == "assistant":
        return "model", _model_parts(message, where, model, names, sign_unsigned)
    if role == "tool":
        return "user", [_function_response(message, where, model, names)]
    if role == "user":
        return "user", _parts(message.get("content"), where, model)
    raise bad_request(
        f"{where}.role {role!r} cannot be sent to Gemini; use tools and role 'tool'",
        param=f"{where}.role",
        model=model,
    )


def _parts(content: object, where: str, model: str) -> list[Part]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    if not isinstance(content, list):
        raise bad_request(
            f"{where}.content must be a string or a list", param=f"{where}.content", model=model
        )
    return [_part(part, f"{where}.content[{i}]", model) for i, part in enumerate(content)]


def _part(part: Mapping[str, Any], where: str, model: str) -> Part:
    kind = part.get("type")
    if kind == "text":
        return {"text": part.get("text", "")}
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, Mapping) else image
        return _media(str(url), where, model, image.get("format") if isinstance(image, Mapping) else None)
    if kind == "file":
        file = part.get("file") or {}
        url = file.get("file_data") or file.get("file_id")
        if isinstance(url, str) and url:
            return _media(url, where, model, file.get("format"))
    raise bad_request(f"{where}: Gemini does not take {kind!r} parts here", param=where, model=model)


def _media(url: str, where: str, model: str, mime: object = None) -> Part:
    if url.startswith("data:"):
        header, comma, data = url.partition(",")
        media_type = header.removeprefix("data:").split(";", 1)[0]
        if not comma or ";base64" not in header or not media_type:
            raise bad_request(
                f"{where} is a data URL but not 'data:<type>;base64,<data>'", param=where, model=model
            )
        return {"inlineData": {"mimeType": media_type, "data": data}}
    mime_type = mime if isinstance(mime, str) else _guess_mime(url)
    return {"fileData": {"mimeType": mime_type, "fileUri": url}}


def _guess_mime(url: str) -> str:
    suffix = url.split("?", 1)[0].rsplit(".", 1)[-1].lower()
    return _MIME_BY_SUFFIX.get(suffix, "image/jpeg")


def _model_parts(
    message: Mapping[str, Any], where: str, model: str, names: dict[str, str], sign_unsigned: bool
) -> list[Part]:
    signatures = _signatures(message)
    text_signatures = signatures.pop(None, [])
    parts = [part for part in _parts(message.get("content"), where, model) if part != {"text": ""}]
    if text_signatures:
        if parts and "text" in parts[-1]:
            parts[-1]["thoughtSignature"] = text_signatures.pop(0)
        parts.extend({"text": "", "thoughtSignature": signature} for signature in text_signatures)
    for position, call in enumerate(message.get("tool_calls") or ()):
        part = _function_call(call, f"{where}.tool_calls[{position}]", model, names)
        owed = signatures.get(call.get("id"))
        if owed:
            part["thoughtSignature"] = owed[0]
        elif sign_unsigned and position == 0:
            part["thoughtSignature"] = SKIP_SIGNATURE
        parts.append(part)
    return parts


def _signatures(message: Mapping[str, Any]) -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = {}
    for entry in message.get("thought_signatures") or ():
        if isinstance(entry, Mapping) and isinstance(entry.get("signature"), str):
            found.setdefault(entry.get("tool_call_id"), []).append(entry["signature"])
    return found


def _function_call(call: Any, where: str, model: str, names: dict[str, str]) -> Part:
    function = call.get("function") if isinstance(call, Mapping) else None
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise bad_request(f"{where} needs a function with a name", param=where, model=model)
    args = arguments_object(function, where, model)
    body: dict[str, Any] = {"name": function["name"], "args": args}
    call_id = call.get("id")
    if isinstance(call_id, str):
        # Sent even when llmport made it up: Gemini accepts ids it did not issue (recorded in
        # llm-gemini's test_tools and openinference's test_chat_session_with_tool).
        names[call_id] = function["name"]
        body["id"] = call_id
    return {"functionCall": body}


def _function_response(message: Mapping[str, Any], where: str, model: str, names: dict[str, str]) -> Part:
    call_id = message["tool_call_id"]
    name = message.get("name") or names.get(call_id)
    if not isinstance(name, str):
        raise bad_request(
            f"{where} answers tool call {call_id!r}, which no earlier assistant message made; "
            "Gemini needs the function's name (give the tool message a 'name')",
            param=f"{where}.tool_call_id",
            model=model,
        )
    body: dict[str, Any] = {"name": name, "response": _response(message.get("content")), "id": call_id}
    return {"functionResponse": body}


def _response(content: object) -> dict[str, Any]:
    text = content if isinstance(content, str) else _joined(content)
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    # Gemini wants an object here; a JSON object result goes as is, anything else under "content".
    return parsed if isinstance(parsed, dict) else {"content": text}


def _joined(content: object) -> str:
    if not isinstance(content, list):
        return ""
    return "".join(p.get("text", "") for p in content if isinstance(p, Mapping) and p.get("type") == "text")

"""Chat requests → Responses API request bodies: messages become input items, parameters move.

System messages become ``instructions``; user, assistant and tool turns become input items.
An assistant message's ``responses_items`` (encrypted reasoning kept from an earlier answer)
go back first, then its text, then its tool calls as ``function_call`` items, the order in
which the Responses API produced them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import bad_request
from ....domain.models.messages import text_of
from ....ports.codec import ProviderCall

ENCRYPTED_REASONING = "reasoning.encrypted_content"
# OpenAI parameters the Responses API has no place for (UnsupportedParamsError unless drop_params).
UNSUPPORTED = frozenset(
    {
        "stop", "logit_bias", "logprobs", "seed", "functions", "function_call", "audio", "modalities",
        "prediction", "web_search_options", "thinking", "thinking_budget",
    }
)  # fmt: skip
# Parameters translated here; any other parameter is passed through as a body field.
TRANSLATED = frozenset(
    {
        "max_tokens", "max_completion_tokens", "tools", "tool_choice", "response_format",
        "reasoning_effort", "reasoning", "stream_options", "n", "include", "verbosity",
    }
)  # fmt: skip
_PART_TYPES = {"text": "input_text", "image_url": "input_image", "file": "input_file"}


def input_items(messages: list[dict[str, Any]], model: str) -> tuple[str | None, list[dict[str, Any]]]:
    """Return ``(instructions, input)`` for the chat ``messages``.

    Raises:
        BadRequestError: for a message the Responses API cannot take, naming it.
    """
    instructions: list[str] = []
    items: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        role = message["role"]
        if role == "system":
            instructions.append(text_of(message.get("content")))
        elif role == "tool":
            items.append(_tool_output(message))
        elif role == "assistant":
            items.extend(_assistant_items(message, where, model))
        elif role in ("user", "developer"):
            items.append({"role": role, "content": _content(message.get("content"), where, model)})
        else:
            raise bad_request(
                f"{where}.role {role!r} cannot be sent to the Responses API; use tools and role 'tool'",
                param=f"{where}.role",
                model=model,
            )
    return ("\n\n".join(instructions) if instructions else None), items


def carries_reasoning(messages: list[dict[str, Any]]) -> bool:
    """Whether an assistant message sends encrypted reasoning back (so the answer needs it too)."""
    return any(
        isinstance(item, Mapping) and item.get("encrypted_content")
        for message in messages
        if message.get("role") == "assistant"
        for item in message.get("responses_items") or ()
    )


def _tool_output(message: Mapping[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    output = content if isinstance(content, str) else text_of(content)
    return {"type": "function_call_output", "call_id": message["tool_call_id"], "output": output}


def _assistant_items(message: Mapping[str, Any], where: str, model: str) -> list[dict[str, Any]]:
    items = [
        _replayed(item, f"{where}.responses_items", model) for item in message.get("responses_items") or ()
    ]
    text = text_of(message.get("content"))
    if text:
        items.append({"role": "assistant", "content": text})
    for position, call in enumerate(message.get("tool_calls") or ()):
        function = call.get("function") if isinstance(call, Mapping) else None
        if not isinstance(function, Mapping) or not isinstance(call.get("id"), str):
            raise bad_request(
                f"{where}.tool_calls[{position}] needs an 'id' and a 'function'",
                param=f"{where}.tool_calls[{position}]",
                model=model,
            )
        items.append(
            {
                "type": "function_call",
                "call_id": call["id"],
                "name": function.get("name"),
                "arguments": function.get("arguments") or "",
            }
        )
    return items


def _replayed(item: object, where: str, model: str) -> dict[str, Any]:
    if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
        raise bad_request(f"{where} must hold Responses items with a 'type'", param=where, model=model)
    return dict(item)


def _content(content: object, where: str, model: str) -> str | list[dict[str, Any]]:
    if content is None:
        return ""
    if not isinstance(content, list):
        return content if isinstance(content, str) else text_of(content)
    return [_part(part, f"{where}.content[{position}]", model) for position, part in enumerate(content)]


def _part(part: Mapping[str, Any], where: str, model: str) -> dict[str, Any]:
    kind = part["type"]
    wire = _PART_TYPES.get(kind)
    if wire is None:
        raise bad_request(
            f"{where} is a {kind!r} part, which the Responses API does not take", param=where, model=model
        )
    if kind == "text":
        return {"type": wire, "text": part["text"]}
    if kind == "image_url":
        image = part["image_url"]
        url = image if isinstance(image, str) else image["url"]
        wired: dict[str, Any] = {"type": wire, "image_url": url}
        if isinstance(image, Mapping) and image.get("detail"):
            wired["detail"] = image["detail"]
        return wired
    file = part.get("file")
    if not isinstance(file, Mapping):
        raise bad_request(f"{where} is a file part without a 'file' object", param=where, model=model)
    return {"type": wire, **{k: v for k, v in file.items() if k in ("file_id", "file_data", "filename")}}


def request_fields(call: ProviderCall, params: Mapping[str, Any], reasoning_model: bool) -> dict[str, Any]:
    """Return the body fields for the selected OpenAI ``params``.

    Args:
        call: The call being encoded.
        params: Parameters chosen by ``select_params``.
        reasoning_model: Whether the model's name says it reasons (its encrypted reasoning is worth
            asking for); reasoning settings in ``params`` say so too.
    """
    body: dict[str, Any] = {k: v for k, v in params.items() if k not in TRANSLATED}
    limit = params.get("max_output_tokens", params.get("max_completion_tokens", params.get("max_tokens")))
    if limit is not None:
        body["max_output_tokens"] = limit
    _tools(body, params)
    _text(body, params)
    _reasoning(body, params)
    body.setdefault("store", False)
    include = list(params.get("include") or ())
    # A reasoning model by name, or by the caller's reasoning settings (an Azure deployment's
    # name says nothing of its model), or a history that sends encrypted reasoning back.
    wants = reasoning_model or "reasoning" in body or carries_reasoning(call.request.messages)
    if body["store"] is False and wants and ENCRYPTED_REASONING not in include:
        include.insert(0, ENCRYPTED_REASONING)  # with nothing stored, reasoning comes back only encrypted
    if include:
        body["include"] = include
    return body


def _tools(body: dict[str, Any], params: Mapping[str, Any]) -> None:
    tools = params.get("tools")
    if tools:
        body["tools"] = [_tool(tool) for tool in tools]
    choice = params.get("tool_choice")
    if isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        choice = {"type": "function", "name": choice["function"].get("name")}
    if choice is not None:
        body["tool_choice"] = choice


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    function = tool.get("function")
    if tool.get("type") != "function" or not isinstance(function, Mapping):
        return dict(tool)  # already a Responses tool (web_search, file_search, mcp...)
    wire: dict[str, Any] = {"type": "function", "name": function.get("name")}
    for key in ("description", "parameters", "strict"):
        if function.get(key) is not None:
            wire[key] = function[key]
    return wire


def _text(body: dict[str, Any], params: Mapping[str, Any]) -> None:
    text = dict(body.pop("text", None) or {})
    response_format = params.get("response_format")
    if isinstance(response_format, Mapping):
        text["format"] = _format(response_format)
    if params.get("verbosity") is not None:
        text["verbosity"] = params["verbosity"]
    if text:
        body["text"] = text


def _format(response_format: Mapping[str, Any]) -> dict[str, Any]:
    schema = response_format.get("json_schema")
    if response_format.get("type") == "json_schema" and isinstance(schema, Mapping):
        return {"type": "json_schema", **schema}  # name, schema, strict, description move up a level
    return dict(response_format)


def _reasoning(body: dict[str, Any], params: Mapping[str, Any]) -> None:
    reasoning = dict(params.get("reasoning") or {})
    if params.get("reasoning_effort") is not None:
        reasoning["effort"] = params["reasoning_effort"]
    if reasoning:
        body["reasoning"] = reasoning

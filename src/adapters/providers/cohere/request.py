"""OpenAI-shaped calls → Cohere v2 chat bodies.

Cohere answers 422 to any field it does not know (``index`` on a tool call, ``name`` on a tool
message, ``strict`` in a function), so every field is built here from what Cohere accepts, and a
provider-specific keyword Cohere does not take is refused before sending.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import bad_request, unsupported
from ....ports.codec import ProviderCall

# OpenAI parameters Cohere v2 has no place for (UnsupportedParamsError unless drop_params).
UNSUPPORTED = frozenset(
    {
        "logit_bias", "top_logprobs", "modalities", "audio", "prediction", "functions", "function_call",
        "store", "web_search_options", "service_tier", "verbosity", "prompt_cache_key",
        "safety_identifier",
    }
)  # fmt: skip
# Parameters sent under the same name.
_SAME = ("temperature", "seed", "frequency_penalty", "presence_penalty", "logprobs", "k", "p")
# Cohere's own fields, passed through when a caller gives them.
_NATIVE = ("documents", "citation_options", "safety_mode", "strict_tools", "priority")
# OpenAI parameters read here that never become a field of their own.
_HANDLED = frozenset(
    {
        "max_tokens", "max_completion_tokens", "stop", "top_p", "top_k", "tools", "tool_choice",
        "parallel_tool_calls", "response_format", "reasoning_effort", "thinking", "thinking_budget",
        "user", "n", "stream_options", "metadata", *_SAME, *_NATIVE,
    }
)  # fmt: skip


def request_fields(call: ProviderCall) -> dict[str, Any]:
    """Return the body fields besides ``model``, ``messages`` and ``stream``.

    Raises:
        UnsupportedParamsError: for a keyword Cohere does not accept (unless ``drop_params``).
        BadRequestError: for a malformed value, naming it.
    """
    params = call.params
    _refuse_unknown(call, params)
    body: dict[str, Any] = {name: params[name] for name in (*_SAME, *_NATIVE) if name in params}
    limit = params.get("max_tokens", params.get("max_completion_tokens"))
    if limit is not None:
        body["max_tokens"] = limit
    stop = params.get("stop")
    if stop:
        body["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if "top_p" in params:
        body.setdefault("p", params["top_p"])
    if "top_k" in params:
        body.setdefault("k", params["top_k"])
    if params.get("parallel_tool_calls") is False and not call.drop_params:
        raise _unsupported(
            call, "parallel_tool_calls", "Cohere cannot be told to make one tool call at a time"
        )
    _tools(body, params)
    response_format = _response_format(params.get("response_format"))
    if response_format is not None:
        body["response_format"] = response_format
    thinking = _thinking(call, params)
    if thinking is not None:
        body["thinking"] = thinking
    return body


def _refuse_unknown(call: ProviderCall, params: Mapping[str, Any]) -> None:
    for name in params:
        if name not in _HANDLED and not call.drop_params:
            raise _unsupported(call, name, "Cohere v2 rejects fields it does not know (HTTP 422)")


def _unsupported(call: ProviderCall, name: str, why: str) -> Exception:
    return unsupported(
        f"cohere does not support the parameter {name!r}: {why}; pass drop_params=True to drop it",
        param=name, provider=call.provider, model=call.request.model,
    )  # fmt: skip


def _tools(body: dict[str, Any], params: Mapping[str, Any]) -> None:
    tools = [_tool(tool, index) for index, tool in enumerate(params.get("tools") or ())]
    choice = params.get("tool_choice")
    if isinstance(choice, Mapping):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else None
        tools = [tool for tool in tools if tool["function"]["name"] == name]
        if not tools:
            raise bad_request(f"tool_choice names {name!r}, which is not in tools", param="tool_choice")
        choice = "required"  # Cohere cannot name a tool: only that tool is offered, and required
    if tools:
        body["tools"] = tools
        if any(tool.pop("strict", False) for tool in tools):
            body["strict_tools"] = True
    if choice in ("required", "none"):
        body["tool_choice"] = choice.upper()
    elif choice not in (None, "auto"):
        raise bad_request(
            f"tool_choice {choice!r} is not auto, none, required or a function", param="tool_choice"
        )


def _tool(tool: Any, index: int) -> dict[str, Any]:
    function = tool.get("function") if isinstance(tool, Mapping) else None
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise bad_request(f"tools[{index}] needs a function with a name", param=f"tools[{index}]")
    wire: dict[str, Any] = {"name": function["name"]}
    if function.get("description") is not None:
        wire["description"] = function["description"]
    wire["parameters"] = function.get("parameters") or {"type": "object", "properties": {}}
    out: dict[str, Any] = {"type": "function", "function": wire}
    if function.get("strict"):
        out["strict"] = True  # popped by the caller: Cohere takes strict_tools instead
    return out


def _response_format(response_format: Any) -> dict[str, Any] | None:
    if not isinstance(response_format, Mapping):
        return None
    kind = response_format.get("type")
    if kind == "text":
        return {"type": "text"}
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        if not isinstance(schema, Mapping):
            raise bad_request("response_format.json_schema needs a 'schema'", param="response_format")
        return {"type": "json_object", "json_schema": dict(schema)}  # the bare schema, no wrapper
    if kind == "json_object":
        schema = response_format.get("response_schema")
        return {
            "type": "json_object",
            **({"json_schema": dict(schema)} if isinstance(schema, Mapping) else {}),
        }
    raise bad_request(
        f"response_format type {kind!r} is not text, json_object or json_schema", param="response_format"
    )


def _thinking(call: ProviderCall, params: Mapping[str, Any]) -> dict[str, Any] | None:
    thinking = params.get("thinking")
    budget = params.get("thinking_budget")
    if isinstance(thinking, Mapping):
        enabled = thinking.get("type") == "enabled"
        budget = thinking.get("budget_tokens", budget)
    elif budget is not None:
        enabled = True
    else:
        effort = params.get("reasoning_effort")
        if effort is None or effort == "default":
            return None
        enabled = effort != "none"
        if not _reasons(call.model):
            if enabled and not call.drop_params:
                raise _unsupported(
                    call, "reasoning_effort", f"{call.model!r} is not a Cohere reasoning model"
                )
            return None  # nothing to turn off on a model that does not think
    wire: dict[str, Any] = {"type": "enabled" if enabled else "disabled"}
    if enabled and budget is not None:
        wire["token_budget"] = budget
    return wire


def _reasons(model: str) -> bool:
    """Whether a Cohere model thinks (``command-a-reasoning-*``; thinking is on by default there)."""
    return "reasoning" in model.lower()


# -- messages --------------------------------------------------------------------------------


def cohere_messages(messages: list[dict[str, Any]], model: str) -> list[dict[str, Any]]:
    """Return v2 messages: system first, tool calls without ``index``, tool results without ``name``.

    Raises:
        BadRequestError: for a message Cohere cannot take, naming it.
    """
    system: list[str] = []
    wire: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        role = message["role"]
        if role in ("system", "developer"):
            system.append(_text(message.get("content"), where, model))
        elif role == "user":
            wire.append({"role": "user", "content": _user_content(message.get("content"), where, model)})
        elif role == "assistant":
            wire.append(_assistant(message, where, model))
        elif role == "tool":
            content = message.get("content")
            wire.append(
                {"role": "tool", "tool_call_id": message["tool_call_id"], "content": _tool_content(content)}
            )
        else:
            raise bad_request(
                f"{where}.role {role!r} cannot be sent to Cohere", param=f"{where}.role", model=model
            )
    if system:
        # Cohere wants the system turn first ("system turn must be the first in the list").
        wire.insert(0, {"role": "system", "content": "\n\n".join(system)})
    return wire


def _assistant(message: Mapping[str, Any], where: str, model: str) -> dict[str, Any]:
    out: dict[str, Any] = {"role": "assistant"}
    text = _text(message.get("content"), where, model)
    reasoning = message.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        out["content"] = [
            {"type": "thinking", "thinking": reasoning},
            *([{"type": "text", "text": text}] if text else []),
        ]
    elif text:
        out["content"] = text
    calls = [
        _tool_call(call, f"{where}.tool_calls[{i}]", model)
        for i, call in enumerate(message.get("tool_calls") or ())
    ]
    if calls:
        out["tool_calls"] = calls
    plan = message.get("tool_plan")
    extras = message.get("provider_specific_fields")
    if plan is None and isinstance(extras, Mapping):
        plan = extras.get("tool_plan")
    if isinstance(plan, str) and plan and calls:
        out["tool_plan"] = plan  # Cohere's plan is sent back beside the calls it led to
    return out


def _tool_call(call: Any, where: str, model: str) -> dict[str, Any]:
    function = call.get("function") if isinstance(call, Mapping) else None
    if not isinstance(function, Mapping) or not isinstance(call.get("id"), str):
        raise bad_request(f"{where} needs an id and a function", param=where, model=model)
    arguments = function.get("arguments")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments if arguments is not None else {})
    return {
        "id": call["id"],
        "type": "function",
        "function": {"name": function.get("name"), "arguments": arguments},
    }


def _text(content: Any, where: str, model: str) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    texts = []
    for position, part in enumerate(content):
        if part.get("type") != "text":
            param = f"{where}.content[{position}]"
            raise bad_request(
                f"{param}: Cohere takes only text here, not {part.get('type')!r}", param=param, model=model
            )
        texts.append(part.get("text") or "")
    return "".join(texts)


def _user_content(content: Any, where: str, model: str) -> str | list[dict[str, Any]]:
    if content is None or isinstance(content, str):
        return content or ""
    parts: list[dict[str, Any]] = []
    for position, part in enumerate(content):
        kind = part.get("type")
        if kind == "text":
            parts.append({"type": "text", "text": part.get("text") or ""})
        elif kind == "image_url":
            image = part.get("image_url")
            image = image if isinstance(image, Mapping) else {"url": image}
            parts.append(
                {"type": "image_url", "image_url": {k: image[k] for k in ("url", "detail") if k in image}}
            )
        else:
            param = f"{where}.content[{position}]"
            raise bad_request(f"{param}: Cohere does not take {kind!r} parts", param=param, model=model)
    return parts


def _tool_content(content: Any) -> str | list[dict[str, Any]]:
    if content is None or isinstance(content, str):
        return content or ""
    # Text parts and Cohere document parts ({"type": "document", "document": {...}}) go as given.
    return [
        {"type": "text", "text": part.get("text") or ""} if part.get("type") == "text" else dict(part)
        for part in content
    ]

"""OpenAI/litellm parameters → Anthropic Messages request fields (tools, reasoning, structured output)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import bad_request, unsupported
from ....ports.codec import ProviderCall
from ..structured import response_schema
from .models import DEFAULT_MAX_TOKENS, model_info
from .stream import JSON_TOOL

# OpenAI parameters the Messages API has no place for (UnsupportedParamsError unless drop_params).
UNSUPPORTED = frozenset(
    {
        "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed",
        "modalities", "audio", "prediction", "functions", "function_call", "store",
        "web_search_options", "verbosity", "prompt_cache_key", "safety_identifier",
    }
)  # fmt: skip
# OpenAI parameters this module translates; any other parameter is passed through (top_k...).
TRANSLATED = frozenset(
    {
        "max_tokens", "max_completion_tokens", "stop", "stream_options", "tools", "tool_choice",
        "parallel_tool_calls", "thinking", "thinking_budget", "reasoning_effort", "response_format",
        "user", "n",
    }
)  # fmt: skip
EFFORT_BUDGETS = {"minimal": 1024, "low": 1024, "medium": 2048, "high": 4096}


def request_fields(call: ProviderCall, params: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Return the translated body fields and the name of the forced JSON tool (if one is used)."""
    body: dict[str, Any] = {k: v for k, v in params.items() if k not in TRANSLATED}
    body["max_tokens"] = _max_tokens(call, params)
    stop = params.get("stop")
    if stop:
        body["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if params.get("user"):
        body["metadata"] = {"user_id": params["user"]}
    _tools(body, params)
    _thinking(body, call, params)
    json_tool = _structured_output(body, call, params.get("response_format"))
    return body, json_tool


def _max_tokens(call: ProviderCall, params: Mapping[str, Any]) -> int:
    given = params.get("max_tokens", params.get("max_completion_tokens"))
    if given is None:
        return model_info(call.model).max_tokens
    if isinstance(given, bool) or not isinstance(given, int) or given < 1:
        raise bad_request(f"max_tokens must be a positive integer, got {given!r}", param="max_tokens")
    return given


def _tools(body: dict[str, Any], params: Mapping[str, Any]) -> None:
    tools = params.get("tools")
    if tools:
        body["tools"] = [_tool(tool) for tool in tools]
    choice = params.get("tool_choice")
    wire = _tool_choice(choice) if choice is not None else None
    if params.get("parallel_tool_calls") is False and tools:
        wire = {**(wire or {"type": "auto"}), "disable_parallel_tool_use": True}
    if wire is not None:
        body["tool_choice"] = wire


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    function = tool.get("function")
    if not isinstance(function, Mapping):
        return dict(tool)  # already Anthropic-shaped (server tools such as web_search_20250305)
    wire: dict[str, Any] = {"name": function.get("name")}
    if function.get("description") is not None:
        wire["description"] = function["description"]
    wire["input_schema"] = function.get("parameters") or {"type": "object", "properties": {}}
    # Anthropic's own tool fields beside OpenAI's (cache_control, allowed_callers...) go as given.
    wire.update({key: value for key, value in tool.items() if key not in ("type", "function")})
    return wire


def _tool_choice(choice: Any) -> dict[str, Any]:
    if choice == "required":
        return {"type": "any"}
    if choice in ("auto", "none", "any"):
        return {"type": choice}
    if isinstance(choice, Mapping):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else choice.get("name")
        if isinstance(name, str):
            return {"type": "tool", "name": name}
    raise bad_request(
        f"tool_choice {choice!r} is not auto, none, required or a named tool", param="tool_choice"
    )


def _thinking(body: dict[str, Any], call: ProviderCall, params: Mapping[str, Any]) -> None:
    thinking = params.get("thinking")
    budget = params.get("thinking_budget")
    effort = params.get("reasoning_effort")
    if thinking is None and budget is not None:
        thinking = {"type": "enabled", "budget_tokens": _budget(budget)}
    if thinking is None and effort is not None:
        if effort not in EFFORT_BUDGETS and effort not in ("none", "default"):
            if not call.drop_params:
                raise unsupported(
                    f"reasoning_effort {effort!r} has no Anthropic thinking budget (use low, medium or high)",
                    param="reasoning_effort", provider=call.provider, model=call.request.model,
                )  # fmt: skip
        elif effort in EFFORT_BUDGETS:
            thinking = {"type": "enabled", "budget_tokens": EFFORT_BUDGETS[effort]}
    if thinking is None:
        return
    body["thinking"] = dict(thinking)
    spent = body["thinking"].get("budget_tokens")
    if isinstance(spent, int) and body["max_tokens"] <= spent:
        body["max_tokens"] = spent + DEFAULT_MAX_TOKENS  # Anthropic requires max_tokens > budget_tokens


def _budget(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise bad_request(
            f"thinking_budget must be a positive integer, got {value!r}", param="thinking_budget"
        )
    return value


def json_tool(call: ProviderCall, response_format: Any) -> str | None:
    """Return the forced tool's name when structured output needs one (no native support), else None."""
    if not isinstance(response_format, Mapping) or response_format.get("type") == "text":
        return None
    return None if model_info(call.model).native_structured_output else JSON_TOOL


def _structured_output(body: dict[str, Any], call: ProviderCall, response_format: Any) -> str | None:
    if not isinstance(response_format, Mapping) or response_format.get("type") == "text":
        return None
    schema = _schema(response_format)
    if json_tool(call, response_format) is None:
        body["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
        return None
    if body.get("tools"):
        raise unsupported(
            "response_format with tools needs a model with native structured output on Anthropic",
            param="response_format", provider=call.provider, model=call.request.model,
        )  # fmt: skip
    if "thinking" in body:
        # Anthropic refuses a forced tool while thinking; dropping thinking is the caller's call.
        if not call.drop_params:
            raise unsupported(
                "response_format with thinking needs a model with native structured output on "
                "Anthropic; pass drop_params=True to answer without thinking",
                param="thinking", provider=call.provider, model=call.request.model,
            )  # fmt: skip
        del body["thinking"]
    body["tools"] = [{"name": JSON_TOOL, "description": "Answer with this tool.", "input_schema": schema}]
    body["tool_choice"] = {"type": "tool", "name": JSON_TOOL}
    return JSON_TOOL


def _schema(response_format: Mapping[str, Any]) -> dict[str, Any]:
    return response_schema(response_format) or {"type": "object", "additionalProperties": True}

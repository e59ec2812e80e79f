"""OpenAI/litellm parameters → Converse request fields.

``inferenceConfig`` holds the common knobs (maxTokens, temperature, topP, stopSequences); model
specific ones (``top_k``, Claude's ``thinking``) go to ``additionalModelRequestFields`` as each
family takes them (``models.Family``); tools become ``toolConfig``; structured output uses
``outputConfig`` where the model has it, else a forced tool whose input becomes the answer.
Converse's own top-level fields (``guardrailConfig``, ``performanceConfig``...) pass through, and
any other caller keyword goes to ``additionalModelRequestFields`` as litellm does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import bad_request, unsupported
from ....domain.models.params import BODY_PARAMS
from ....ports.codec import ProviderCall
from ..structured import response_schema
from .messages import cache_point
from .models import Family, family
from .tools import wire_name

# OpenAI parameters Converse has no place for (UnsupportedParamsError unless drop_params).
UNSUPPORTED = frozenset(
    {
        "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed",
        "modalities", "audio", "prediction", "functions", "function_call", "store", "user",
        "web_search_options", "verbosity", "prompt_cache_key", "safety_identifier",
    }
)  # fmt: skip
# Converse request fields a caller may pass by name; they go to the top level of the body.
TOP_LEVEL = frozenset(
    {
        "guardrailConfig", "performanceConfig", "serviceTier", "requestMetadata", "promptVariables",
        "additionalModelResponseFieldPaths", "outputConfig",
    }
)  # fmt: skip
EFFORT_BUDGETS = {"minimal": 1024, "low": 1024, "medium": 2048, "high": 4096}
THINKING_HEADROOM = 4096
JSON_TOOL = "json_tool_call"
"""The tool forced for structured output on models without native support; its input is the answer."""


def request_fields(call: ProviderCall, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Converse body fields (everything but ``messages`` and ``system``) for ``params``."""
    model = family(call.model)
    body: dict[str, Any] = {}
    extra: dict[str, Any] = dict(params.get("additionalModelRequestFields") or {})
    for name, value in params.items():
        if name in TOP_LEVEL:
            body[name] = value
        elif name not in BODY_PARAMS and name not in ("top_k", "additionalModelRequestFields"):
            extra[name] = value  # provider-specific keyword: litellm forwards it to the model
    if params.get("top_k") is not None:
        extra.update(model.top_k_fields(params["top_k"]))
    inference = _inference(params)
    _thinking(extra, inference, call, model, params)
    _service_tier(body, params.get("service_tier"))
    if inference:
        body["inferenceConfig"] = inference
    tools = _tools(call, model, params)
    _structured_output(body, tools, extra, call, params.get("response_format"))
    if tools:
        body["toolConfig"] = tools
    if extra:
        body["additionalModelRequestFields"] = extra
    return body


def _inference(params: Mapping[str, Any]) -> dict[str, Any]:
    inference: dict[str, Any] = {}
    max_tokens = params.get("max_tokens", params.get("max_completion_tokens"))
    if max_tokens is not None:
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
            raise bad_request(
                f"max_tokens must be a positive integer, got {max_tokens!r}", param="max_tokens"
            )
        inference["maxTokens"] = max_tokens
    for name, wire in (("temperature", "temperature"), ("top_p", "topP")):
        if params.get(name) is not None:
            inference[wire] = params[name]
    stop = params.get("stop")
    stops = [stop] if isinstance(stop, str) else list(stop or ())
    stops = [item for item in stops if item]  # Converse rejects an empty stop sequence
    if stops:
        inference["stopSequences"] = stops
    return inference


def _service_tier(body: dict[str, Any], tier: Any) -> None:
    if isinstance(tier, str) and tier != "auto":
        body.setdefault("serviceTier", {"type": tier})


def _thinking(
    extra: dict[str, Any],
    inference: dict[str, Any],
    call: ProviderCall,
    model: Family,
    params: Mapping[str, Any],
) -> None:
    thinking = params.get("thinking")
    budget = params.get("thinking_budget")
    effort = params.get("reasoning_effort")
    if thinking is None and budget is not None:
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
            raise bad_request(
                f"thinking_budget must be a positive integer, got {budget!r}", param="thinking_budget"
            )
        thinking = {"type": "enabled", "budget_tokens": budget}
    if thinking is None and effort is not None and model.provider == "openai":
        extra["reasoning_effort"] = effort  # gpt-oss on Bedrock takes OpenAI's own field
        return
    if thinking is None and effort is not None and effort not in ("none", "default"):
        thinking = _effort(effort, call)
    if thinking is None:
        return
    if not model.is_claude:
        if not call.drop_params:
            raise unsupported(
                f"thinking on Bedrock is for Claude models, not {call.model!r}; pass drop_params=True "
                "to drop it", param="thinking", provider=call.provider, model=call.request.model,
            )  # fmt: skip
        return
    extra["thinking"] = dict(thinking)
    spent = extra["thinking"].get("budget_tokens")
    if isinstance(spent, int) and inference.get("maxTokens", 0) <= spent:
        inference["maxTokens"] = spent + THINKING_HEADROOM  # Claude needs maxTokens > budget_tokens


def _effort(effort: Any, call: ProviderCall) -> dict[str, Any] | None:
    if effort in EFFORT_BUDGETS:
        return {"type": "enabled", "budget_tokens": EFFORT_BUDGETS[effort]}
    if call.drop_params:
        return None
    raise unsupported(
        f"reasoning_effort {effort!r} has no Bedrock thinking budget (use low, medium or high)",
        param="reasoning_effort", provider=call.provider, model=call.request.model,
    )  # fmt: skip


def _tools(call: ProviderCall, model: Family, params: Mapping[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    tools = params.get("tools")
    if tools:
        config["tools"] = [block for tool in tools for block in _tool(tool)]
    if params.get("parallel_tool_calls") is False and tools and not call.drop_params:
        raise unsupported(
            "Bedrock Converse cannot turn parallel tool calls off; pass drop_params=True to send it anyway",
            param="parallel_tool_calls", provider=call.provider, model=call.request.model,
        )  # fmt: skip
    choice = params.get("tool_choice")
    if choice is None or not tools:
        return config
    if choice == "none":
        if not call.drop_params:
            raise unsupported(
                "Bedrock Converse has no tool_choice 'none'; leave tools out, or pass drop_params=True",
                param="tool_choice", provider=call.provider, model=call.request.model,
            )  # fmt: skip
        return config
    config["toolChoice"] = _tool_choice(choice, model)
    return config


def _tool(tool: Mapping[str, Any]) -> list[dict[str, Any]]:
    function = tool.get("function")
    if not isinstance(function, Mapping):
        return [dict(tool)]  # already a Converse tool ({"toolSpec": ...}, {"systemTool": ...})
    name = str(function.get("name") or "")
    spec: dict[str, Any] = {
        "name": wire_name(name),
        "description": function.get("description") or name,  # Converse wants a description
        "inputSchema": {"json": function.get("parameters") or {"type": "object", "properties": {}}},
    }
    if function.get("strict") is not None:
        spec["strict"] = function["strict"]
    point = cache_point(tool.get("cache_control"))
    return [{"toolSpec": spec}, point] if point is not None else [{"toolSpec": spec}]


def _tool_choice(choice: Any, model: Family) -> dict[str, Any]:
    if choice == "auto":
        return {"auto": {}}
    if choice in ("required", "any"):
        return {"any": {}}
    if isinstance(choice, Mapping):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else choice.get("name")
        if isinstance(name, str):
            return {"tool": {"name": wire_name(name)}} if model.named_tool_choice else {"any": {}}
    raise bad_request(
        f"tool_choice {choice!r} is not auto, none, required or a named tool", param="tool_choice"
    )


def json_tool(call: ProviderCall, response_format: Any) -> str | None:
    """Return the forced tool's name when ``response_format`` needs one, else None."""
    if not isinstance(response_format, Mapping) or response_format.get("type") == "text":
        return None
    if family(call.model).native_structured_output and response_schema(response_format) is not None:
        return None
    return JSON_TOOL


def _structured_output(
    body: dict[str, Any],
    tools: dict[str, Any],
    extra: dict[str, Any],
    call: ProviderCall,
    response_format: Any,
) -> None:
    if not isinstance(response_format, Mapping) or response_format.get("type") == "text":
        return
    schema = response_schema(response_format)
    if json_tool(call, response_format) is None and schema is not None:
        spec = response_format.get("json_schema") or {}
        structure: dict[str, Any] = {"schema": json.dumps(schema)}  # Converse wants the schema as a string
        for key in ("name", "description"):
            if isinstance(spec, Mapping) and isinstance(spec.get(key), str):
                structure[key] = spec[key]
        body["outputConfig"] = {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": structure}}}
        return
    if tools.get("tools"):
        raise unsupported(
            "response_format with tools needs a Bedrock model with native structured output",
            param="response_format", provider=call.provider, model=call.request.model,
        )  # fmt: skip
    open_schema = {"type": "object", "additionalProperties": True}
    spec = {
        "name": JSON_TOOL,
        "description": "Answer with this tool.",
        "inputSchema": {"json": schema or open_schema},
    }
    tools["tools"] = [{"toolSpec": spec}]
    if "thinking" not in extra:  # Claude refuses a forced tool while thinking
        named = family(call.model).named_tool_choice
        tools["toolChoice"] = {"tool": {"name": JSON_TOOL}} if named else {"any": {}}

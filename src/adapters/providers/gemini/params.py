"""OpenAI/litellm parameters → Gemini request fields (generationConfig, tools, thinking, schemas).

Facts and litellm's mapping: ``../shared/wire/gemini-vertex.md`` §2-§3. Parameters Gemini has
no place for are refused (``UNSUPPORTED``, or dropped with ``drop_params``) by ``select_params``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import bad_request, unsupported
from ....ports.codec import ProviderCall
from .models import model_info
from .schema import RecursiveSchema, strip_for_json_schema, to_openapi

UNSUPPORTED = frozenset(
    {
        "logit_bias", "modalities", "audio", "prediction", "functions", "function_call", "store",
        "service_tier", "verbosity", "prompt_cache_key", "safety_identifier", "user",
    }
)  # fmt: skip
# OpenAI name → generationConfig name, for values that go across unchanged.
_GENERATION = {
    "temperature": "temperature", "top_p": "topP", "top_k": "topK", "seed": "seed",
    "presence_penalty": "presencePenalty", "frequency_penalty": "frequencyPenalty",
    "n": "candidateCount", "logprobs": "responseLogprobs", "top_logprobs": "logprobs",
}  # fmt: skip
# litellm's budgets for Gemini 2.x (litellm/constants.py); 3.x takes levels instead.
EFFORT_BUDGETS = {"minimal": 128, "low": 1024, "medium": 2048, "high": 4096, "xhigh": 8192}
_PASS_THROUGH = {"safety_settings": "safetySettings", "cached_content": "cachedContent"}
# Parameters translated here; any other selected parameter is a provider-specific extra.
_TRANSLATED = frozenset(
    {
        *_GENERATION, *_PASS_THROUGH, "max_tokens", "max_completion_tokens", "stop", "tools",
        "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort", "thinking",
        "thinking_budget", "stream_options", "web_search_options",
    }
)  # fmt: skip


def request_fields(call: ProviderCall, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return the body fields (all but ``contents``/``systemInstruction``) for ``params``."""
    body: dict[str, Any] = {}
    config: dict[str, Any] = {
        wire: params[name] for name, wire in _GENERATION.items() if params.get(name) is not None
    }
    if config.get("responseLogprobs") is False:
        del config["responseLogprobs"]
    limit = params.get("max_tokens", params.get("max_completion_tokens"))
    if limit is not None:
        config["maxOutputTokens"] = limit
    stop = params.get("stop")
    if stop:
        config["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    _thinking(config, call, params)
    _structured_output(config, call, params.get("response_format"))
    _tools(body, params)
    for name, wire in _PASS_THROUGH.items():
        if params.get(name) is not None:
            body[wire] = params[name]
    if config:
        body["generationConfig"] = config
    body.update({k: v for k, v in params.items() if k not in _TRANSLATED})
    return body


def _tools(body: dict[str, Any], params: Mapping[str, Any]) -> None:
    tools = params.get("tools") or []
    declarations = [_declaration(tool, i) for i, tool in enumerate(tools) if _is_function(tool)]
    native = [dict(tool) for tool in tools if not _is_function(tool)]  # googleSearch, codeExecution...
    if params.get("web_search_options") is not None:
        native.append({"googleSearch": {}})
    if params.get("parallel_tool_calls") is False and len(declarations) > 1:
        raise unsupported(
            "Gemini cannot be told to make one tool call at a time; pass drop_params=True to "
            "send the tools anyway",
            param="parallel_tool_calls", provider=None, model=None,
        )  # fmt: skip
    wire = [{"functionDeclarations": declarations}] if declarations else []
    if wire or native:
        body["tools"] = wire + native
    choice = params.get("tool_choice")
    if choice is not None and declarations:
        body["toolConfig"] = {"functionCallingConfig": _tool_choice(choice)}


def _is_function(tool: Mapping[str, Any]) -> bool:
    return tool.get("type") == "function" or isinstance(tool.get("function"), Mapping)


def _declaration(tool: Mapping[str, Any], index: int) -> dict[str, Any]:
    function = tool.get("function")
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise bad_request(f"tools[{index}] needs a function with a name", param=f"tools[{index}]")
    wire: dict[str, Any] = {"name": function["name"]}
    if function.get("description") is not None:
        wire["description"] = function["description"]
    parameters = function.get("parameters")
    if isinstance(parameters, Mapping) and parameters.get("properties"):
        try:
            wire["parameters"] = to_openapi(parameters)
        except RecursiveSchema:
            wire["parametersJsonSchema"] = strip_for_json_schema(parameters)
    return wire


def _tool_choice(choice: Any) -> dict[str, Any]:
    if choice in ("auto", "none"):
        return {"mode": choice.upper()}
    if choice in ("required", "any"):
        return {"mode": "ANY"}
    if isinstance(choice, Mapping):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else choice.get("name")
        if isinstance(name, str):
            return {"mode": "ANY", "allowedFunctionNames": [name]}
    raise bad_request(
        f"tool_choice {choice!r} is not auto, none, required or a named tool", param="tool_choice"
    )


def _thinking(config: dict[str, Any], call: ProviderCall, params: Mapping[str, Any]) -> None:
    effort, thinking = params.get("reasoning_effort"), params.get("thinking")
    budget = params.get("thinking_budget")
    enabled = budget is not None
    if isinstance(thinking, Mapping) and thinking.get("type") == "enabled":
        budget, enabled = thinking.get("budget_tokens", budget), True
    elif isinstance(thinking, Mapping) and thinking.get("type") == "disabled":
        effort = "none"
    if effort is None and not enabled:
        return
    levels = model_info(call.model).thinking_levels
    if effort in ("none", "disable"):
        config["thinkingConfig"] = {"thinkingBudget": 0, "includeThoughts": False}
        if levels:
            config["thinkingConfig"] = {"thinkingLevel": "LOW", "includeThoughts": False}
    elif effort is not None and effort != "default":
        if effort not in EFFORT_BUDGETS:
            raise bad_request(
                f"reasoning_effort {effort!r} is not one Gemini knows", param="reasoning_effort"
            )
        spec = {"thinkingLevel": levels[effort]} if levels else {"thinkingBudget": EFFORT_BUDGETS[effort]}
        config["thinkingConfig"] = {**spec, "includeThoughts": True}
    else:
        config["thinkingConfig"] = {"includeThoughts": True}
        if budget is not None:  # Gemini 3 still takes a budget it is given (recorded on 3.5-flash)
            config["thinkingConfig"]["thinkingBudget"] = _budget(budget)


def _budget(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_request(f"thinking budget must be a non-negative integer, got {value!r}", param="thinking")
    return value


def _structured_output(config: dict[str, Any], call: ProviderCall, response_format: Any) -> None:
    if not isinstance(response_format, Mapping) or response_format.get("type") in (None, "text"):
        return
    config["responseMimeType"] = "application/json"
    schema = _schema(response_format)
    if schema is None:
        return
    if model_info(call.model).json_schema:
        config["responseJsonSchema"] = strip_for_json_schema(schema)
        return
    try:
        config["responseSchema"] = to_openapi(schema)
    except RecursiveSchema:
        config["responseJsonSchema"] = strip_for_json_schema(schema)


def _schema(response_format: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        if isinstance(schema, Mapping):
            return schema
    given = response_format.get("response_schema")  # litellm's json_object + schema spelling
    return given if isinstance(given, Mapping) else None

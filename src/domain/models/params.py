"""The keyword parameters of ``completion()``, typed once for every entry point.

``CompletionParams`` lists litellm's ``completion()`` signature (and the OpenAI chat parameters
it forwards). Any other keyword is a provider-specific parameter and goes into the request body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypedDict

from pydantic import BaseModel

from . import litellm_keywords as keywords

TimeoutLike = float | int | str | Any
"""Seconds, or an object with ``connect``/``read``/``write``/``pool`` such as ``httpx.Timeout``."""

ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "default"]


class CompletionParams(TypedDict, total=False):
    """Keyword parameters shared by ``completion()`` and ``acompletion()``."""

    # OpenAI chat-completions parameters.
    temperature: float | None
    top_p: float | None
    n: int | None
    stream_options: dict[str, Any] | None
    stop: str | Sequence[str] | None
    max_completion_tokens: int | None
    max_tokens: int | None
    modalities: Sequence[str] | None
    prediction: dict[str, Any] | None
    audio: dict[str, Any] | None
    presence_penalty: float | None
    frequency_penalty: float | None
    logit_bias: dict[str, float] | None
    user: str | None
    reasoning_effort: ReasoningEffort | None
    response_format: dict[str, Any] | type[BaseModel] | None
    seed: int | None
    tools: Sequence[dict[str, Any]] | None
    tool_choice: str | dict[str, Any] | None
    logprobs: bool | None
    top_logprobs: int | None
    parallel_tool_calls: bool | None
    functions: Sequence[dict[str, Any]] | None
    function_call: str | dict[str, Any] | None
    service_tier: str | None
    store: bool | None
    thinking: dict[str, Any] | None
    # Where and how to send it.
    timeout: TimeoutLike | None
    api_key: str | None
    api_base: str | None
    base_url: str | None
    api_version: str | None
    custom_llm_provider: str | None
    deployment_id: str | None
    organization: str | None
    extra_headers: Mapping[str, str] | None
    headers: Mapping[str, str] | None
    extra_body: Mapping[str, Any] | None
    # Behaviour on the client side.
    drop_params: bool | None
    additional_drop_params: Sequence[str] | None
    metadata: Mapping[str, Any] | None
    litellm_call_id: str | None
    mock_response: str | Exception | Mapping[str, Any] | Any | None
    mock_tool_calls: Sequence[Mapping[str, Any]] | None
    num_retries: int | None
    max_retries: int | None
    fallbacks: Sequence[str | Mapping[str, Any]] | None
    context_window_fallbacks: Sequence[str | Mapping[str, Any]] | None
    deadline: float | None
    caching: bool | None
    cache: Mapping[str, Any] | None
    thinking_budget: int | None
    model_list: Sequence[Mapping[str, Any]] | None
    logger_fn: Callable[..., Any] | None
    callbacks: Sequence[Any] | None
    success_callback: Sequence[Any] | None
    failure_callback: Sequence[Any] | None


# Parameters that shape the provider's output and belong in the request body.
BODY_PARAMS: frozenset[str] = frozenset(
    {
        "temperature", "top_p", "n", "stream_options", "stop", "max_completion_tokens", "max_tokens",
        "modalities", "prediction", "audio", "presence_penalty", "frequency_penalty", "logit_bias",
        "user", "reasoning_effort", "response_format", "seed", "tools", "tool_choice", "logprobs",
        "top_logprobs", "parallel_tool_calls", "functions", "function_call", "service_tier", "store",
        "thinking", "thinking_budget", "web_search_options", "verbosity", "prompt_cache_key",
        "safety_identifier",
    }
)  # fmt: skip

# The client-side keywords (honoured, or refused with a reason) live in one table.
CLIENT_PARAMS = keywords.CLIENT_PARAMS
NOT_YET: Mapping[str, str] = keywords.NOT_IMPLEMENTED

# Prefixes of client-side credential families not implemented yet: none now (aws_* keywords are
# Bedrock's host settings, vertex_* Vertex's).
NOT_YET_PREFIXES: Mapping[str, str] = {}


def provider_specific(params: Mapping[str, Any]) -> list[str]:
    """Return the names in ``params`` that are not OpenAI body parameters (forwarded as given)."""
    return sorted(name for name in params if name not in BODY_PARAMS)

"""litellm's cost functions: ``completion_cost``, ``cost_per_token``, ``register_model``.

They use the current client's pricing (the default client's, or the one given to
``use_client``): genai-prices' bundled data (the ``cost`` extra) after the client's overrides.
An unknown model costs None, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..adapters.pricing.genai import EXTRA_HINT, GenaiPricing, prices_installed
from ..domain.models.errors import BadRequestError
from ..domain.models.response import ModelResponse, PromptTokensDetails, Usage
from ..ports.pricing import Pricing
from .default import current_client, default_client


def completion_cost(
    completion_response: ModelResponse | Mapping[str, Any] | None = None,
    model: str | None = None,
    *,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    custom_llm_provider: str | None = None,
    cache_read_input_tokens: int = 0,
    cache_creation_input_tokens: int = 0,
    **_litellm_only: Any,
) -> float | None:
    """Return the price in USD of a response, or of token counts on ``model``.

    Args:
        completion_response: A ``ModelResponse`` (or its dict); its usage and model are priced.
        model: The model (``provider/model`` or a well-known bare name); overrides the response's.
        prompt_tokens: Prompt tokens, cache reads and writes included, when no response is given.
        completion_tokens: Completion tokens, reasoning included.
        custom_llm_provider: The provider, when ``model`` does not say it.
        cache_read_input_tokens: The part of ``prompt_tokens`` read from the provider's cache.
        cache_creation_input_tokens: The part of ``prompt_tokens`` written to it.
        **_litellm_only: Other litellm arguments, accepted and ignored.

    Returns:
        The price, or None when the model has no known price.

    Raises:
        BadRequestError: when neither a response nor a model with token counts is given.
        ImportError: naming the ``cost`` extra, when genai-prices is needed and not installed.
    """
    usage, model_name, provider, created = _what_to_price(
        completion_response, model, prompt_tokens, completion_tokens, custom_llm_provider
    )
    if cache_read_input_tokens or cache_creation_input_tokens:
        usage.prompt_tokens_details = PromptTokensDetails(
            cached_tokens=cache_read_input_tokens, cache_creation_tokens=cache_creation_input_tokens
        )
    return _pricing_for(provider, model_name).cost(provider, (model_name,), usage, created)


def cost_per_token(
    model: str = "",
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    custom_llm_provider: str | None = None,
    **_litellm_only: Any,
) -> tuple[float, float]:
    """Return ``(prompt_cost, completion_cost)`` in USD, as litellm does (0.0 for an unknown model)."""
    prompt = completion_cost(model=model, prompt_tokens=prompt_tokens, completion_tokens=0,
                             custom_llm_provider=custom_llm_provider)  # fmt: skip
    total = completion_cost(model=model, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                            custom_llm_provider=custom_llm_provider)  # fmt: skip
    if prompt is None or total is None:
        return 0.0, 0.0
    return prompt, total - prompt


def register_model(model_cost: Mapping[str, Mapping[str, Any]]) -> None:
    """Add price overrides to the default client, litellm's ``register_model({model: {...}})``.

    Raises:
        TypeError: when ``model_cost`` is not a dict (litellm's URL form is not supported).
        ValueError: naming the model whose entry lacks numeric per-token costs.
    """
    if not isinstance(model_cost, Mapping):
        raise TypeError("register_model takes a dict {model: {input_cost_per_token, output_cost_per_token}}")
    client = default_client()
    pricing = client.dispatcher.costing.pricing
    if not isinstance(pricing, GenaiPricing):
        raise TypeError(f"the default client's pricing adapter ({type(pricing).__name__}) takes no overrides")
    pricing.register(model_cost)
    client.knowledge.register(model_cost)


def _what_to_price(
    response: ModelResponse | Mapping[str, Any] | None,
    model: str | None,
    prompt_tokens: int | None,
    completion_tokens: int | None,
    provider: str | None,
) -> tuple[Usage, str, str | None, float | None]:
    created: float | None = None
    if response is not None:
        parsed = response if isinstance(response, ModelResponse) else ModelResponse.model_validate(response)
        hidden = parsed._hidden_params
        answered_by = hidden.get("custom_llm_provider")
        # A mock answer names no real provider: the model string says which one to price.
        provider = provider or (None if answered_by == "mock" else answered_by)
        name = model or parsed.model or str(hidden.get("model") or "")
        usage = parsed.usage.model_copy(deep=True)
        created = parsed.created
    elif model and (prompt_tokens is not None or completion_tokens is not None):
        name = model
        prompt, output = prompt_tokens or 0, completion_tokens or 0
        usage = Usage(prompt_tokens=prompt, completion_tokens=output, total_tokens=prompt + output)
    else:
        raise BadRequestError(
            "completion_cost needs a completion_response, or a model with prompt_tokens/completion_tokens"
        )
    return (usage, *_route(name, provider), created)


def _route(model: str, provider: str | None) -> tuple[str, str | None]:
    """Split ``provider/model`` the way calls are routed; a model nobody routes keeps no provider."""
    try:
        host, name = current_client().dispatcher._route(model, provider)
    except BadRequestError:
        return model, provider
    return name, host.prefix


def _pricing_for(provider: str | None, model: str) -> Pricing:
    pricing = current_client().dispatcher.costing.pricing
    if pricing is None:
        raise BadRequestError("this client has no pricing adapter")
    overridden = isinstance(pricing, GenaiPricing) and pricing.override(provider, model) is not None
    if isinstance(pricing, GenaiPricing) and not overridden and not prices_installed():
        raise ImportError(f"completion_cost needs genai-prices: {EXTRA_HINT}")
    return pricing

"""litellm's model-knowledge functions: ``get_model_info``, ``supports_*``, supported params, max tokens.

Facts come from the current client's model table (``adapters/knowledge/table.py``, overridable
with ``Client(model_prices=...)``/``register_model``), prices from its pricing adapter, and the
supported parameters from the host table's parameter rules: the very rules ``completion()``
applies, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..adapters.knowledge.table import MODELS
from ..adapters.pricing.genai import rates
from ..domain.models.errors import BadRequestError
from ..domain.models.params import BODY_PARAMS
from .default import current_client


class ModelNotMappedError(Exception):
    """The model is in neither llmport's model table nor the client's overrides.

    litellm raises a plain ``Exception`` here; this subclass is caught the same way.
    """


def get_model_info(model: str, custom_llm_provider: str | None = None) -> dict[str, Any]:
    """Return what is known of ``model``, in litellm's keys.

    Keys: ``max_input_tokens``, ``max_output_tokens``, ``max_tokens`` (= output), ``mode``,
    ``litellm_provider``, ``input_cost_per_token``, ``output_cost_per_token`` (and the cache
    rates when priced), ``supports_function_calling``, ``supports_parallel_function_calling``,
    ``supports_vision``, ``supports_response_schema``, ``supports_reasoning``,
    ``supports_prompt_caching``, plus the row's ``source`` and ``as_of``.

    Raises:
        ModelNotMappedError: (an ``Exception``, as in litellm) when the model is unknown.
    """
    provider, name = _route(model, custom_llm_provider)
    client = current_client()
    info = client.knowledge.info(provider, name)
    if info is None:
        raise ModelNotMappedError(
            f"This model isn't mapped yet. model={model}, custom_llm_provider={provider}. "
            "Add it with llmport.register_model({...}) or Client(model_prices={...})."
        )
    prices = rates(client.dispatcher.costing.pricing, provider, name)
    info.setdefault("input_cost_per_token", None)
    info.setdefault("output_cost_per_token", None)
    for key, value in prices.items():
        if key != "max_input_tokens" or info.get(key) is None:
            info[key] = value
    return info


class ModelCostMap(Mapping[str, dict[str, Any]]):
    """litellm's ``model_cost``: a model name → its ``get_model_info()``, read at each lookup.

    A lookup takes any model name the table's families cover (``model_cost["gpt-4o-mini-2024-07-18"]``),
    as ``get_model_info`` does; iterating gives the table's family names and the current client's
    registered models. Read-only: add models with ``register_model``.
    """

    def __getitem__(self, model: str) -> dict[str, Any]:
        try:
            return get_model_info(model)
        except ModelNotMappedError:
            raise KeyError(model) from None

    def __iter__(self) -> Iterator[str]:
        names = [row.name for row in MODELS] + list(current_client().knowledge.overrides)
        return iter(dict.fromkeys(names))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"<llmport.model_cost: {len(self)} models and families, looked up by name prefix>"


model_cost = ModelCostMap()


def _flag(model: str, key: str, custom_llm_provider: str | None) -> bool:
    try:
        return bool(get_model_info(model, custom_llm_provider).get(key))
    except ModelNotMappedError:
        return False  # litellm's supports_* answer False for a model they do not know


def supports_function_calling(model: str, custom_llm_provider: str | None = None) -> bool:
    """Whether ``model`` takes ``tools`` (False when unknown)."""
    return _flag(model, "supports_function_calling", custom_llm_provider)


def supports_parallel_function_calling(model: str, custom_llm_provider: str | None = None) -> bool:
    """Whether ``model`` may call several tools in one turn (False when unknown)."""
    return _flag(model, "supports_parallel_function_calling", custom_llm_provider)


def supports_vision(model: str, custom_llm_provider: str | None = None) -> bool:
    """Whether ``model`` takes images (False when unknown)."""
    return _flag(model, "supports_vision", custom_llm_provider)


def supports_response_schema(model: str, custom_llm_provider: str | None = None) -> bool:
    """Whether ``model`` takes a JSON schema ``response_format`` (False when unknown)."""
    return _flag(model, "supports_response_schema", custom_llm_provider)


def supports_reasoning(model: str, custom_llm_provider: str | None = None) -> bool:
    """Whether ``model`` reasons before answering (False when unknown)."""
    return _flag(model, "supports_reasoning", custom_llm_provider)


def supports_prompt_caching(model: str, custom_llm_provider: str | None = None) -> bool:
    """Whether ``model`` caches prompts (False when unknown)."""
    return _flag(model, "supports_prompt_caching", custom_llm_provider)


def get_max_tokens(model: str, custom_llm_provider: str | None = None) -> int | None:
    """Return ``model``'s maximum output tokens, None when unknown."""
    try:
        value = get_model_info(model, custom_llm_provider).get("max_output_tokens")
    except ModelNotMappedError:
        return None
    return value if isinstance(value, int) else None


def get_supported_openai_params(model: str, custom_llm_provider: str | None = None) -> list[str] | None:
    """Return the OpenAI parameters ``completion()`` sends to ``model``'s provider, None if unroutable.

    Computed from the host table's parameter rules and the codec's own unsupported set: the
    same data ``completion()`` applies. Parameters with restricted values (o-series
    ``temperature``) are listed: they are taken, with those values.
    """
    try:
        host, name = current_client().dispatcher._route(model, custom_llm_provider)
    except BadRequestError:
        return None
    codec = current_client().dispatcher.registry.codec(host.codec)
    refused = host.rules_for(name).unsupported | frozenset(getattr(codec, "unsupported_params", ()))
    return sorted((BODY_PARAMS | {"stream"}) - refused)


def _route(model: str, custom_llm_provider: str | None) -> tuple[str | None, str]:
    try:
        host, name = current_client().dispatcher._route(model, custom_llm_provider)
    except BadRequestError:
        return custom_llm_provider, model
    return host.prefix, name

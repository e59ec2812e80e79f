"""Prices from genai-prices (the ``cost`` extra), overridable per client, never fetched at run time.

genai-prices ships its price data inside the package; llmport calls only ``calc_price`` on that
bundled snapshot and never starts its ``UpdatePrices`` downloader, so the prices are the ones
pinned with the installed release. Overrides (``Client(model_prices=...)``, ``register_model``)
take litellm's per-token keys and win over the database.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ...domain.models.response import Usage
from ...domain.models.usage_breakdown import TokenBreakdown, breakdown

EXTRA_HINT = "pip install 'llmport[cost]'"

# llmport provider prefix → genai-prices provider id. A prefix missing here (self-hosted servers,
# gateways whose prices are their own) is priced only through overrides: unknown is None, never a guess.
PROVIDER_IDS: Mapping[str, str] = {
    "openai": "openai", "responses": "openai", "azure": "azure", "azure_responses": "azure",
    "anthropic": "anthropic", "groq": "groq",
    "together_ai": "together", "fireworks_ai": "fireworks", "deepseek": "deepseek", "xai": "x-ai",
    "mistral": "mistral", "codestral": "mistral", "perplexity": "perplexity", "cerebras": "cerebras",
    "openrouter": "openrouter", "moonshot": "moonshotai", "novita": "novita", "gemini": "google",
    "vertex_ai": "google", "bedrock": "aws", "cohere": "cohere", "cohere_chat": "cohere",
    "meta_llama": "meta",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """A model's price per token in USD (litellm's key names); optional rates fall back to input/output."""

    input_cost_per_token: float
    output_cost_per_token: float
    cache_read_input_token_cost: float | None = None
    cache_creation_input_token_cost: float | None = None
    output_cost_per_reasoning_token: float | None = None

    @classmethod
    def parse(cls, name: str, entry: Mapping[str, Any]) -> ModelPrice:
        """Read one litellm ``model_cost``-style entry.

        Raises:
            ValueError: naming the model, when the two per-token costs are missing or not numbers.
        """
        try:
            values = {
                key: float(entry[key]) for key in cls.__dataclass_fields__ if entry.get(key) is not None
            }
            return cls(**values)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"model_prices[{name!r}] needs numeric input_cost_per_token and output_cost_per_token "
                f"({error})"
            ) from None

    def cost(self, tokens: TokenBreakdown) -> float:
        """Price ``tokens``: cache and reasoning tokens at their own rates, never counted twice."""
        read_rate = _or(self.cache_read_input_token_cost, self.input_cost_per_token)
        write_rate = _or(self.cache_creation_input_token_cost, self.input_cost_per_token)
        reasoning_rate = _or(self.output_cost_per_reasoning_token, self.output_cost_per_token)
        uncached = tokens.input_tokens - tokens.cache_read_tokens - tokens.cache_write_tokens
        plain_output = tokens.output_tokens - tokens.reasoning_tokens
        return (
            uncached * self.input_cost_per_token
            + tokens.cache_read_tokens * read_rate
            + tokens.cache_write_tokens * write_rate
            + plain_output * self.output_cost_per_token
            + tokens.reasoning_tokens * reasoning_rate
        )


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


class GenaiPricing:
    """The pricing port on genai-prices' bundled data, with per-client overrides first.

    Args:
        overrides: ``{model: {"input_cost_per_token": ..., "output_cost_per_token": ..., ...}}``;
            a key may be ``provider/model`` or the bare model name.
    """

    def __init__(self, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.overrides: dict[str, ModelPrice] = {}
        self._lock = threading.Lock()
        self.register(overrides or {})

    def __repr__(self) -> str:
        return f"GenaiPricing(overrides={sorted(self.overrides)})"

    def register(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        """Add or replace overrides (litellm's ``register_model`` for this client)."""
        # Entries with neither cost (model facts only, litellm's model_cost allows it) price nothing.
        priced = {
            n: e for n, e in entries.items() if {"input_cost_per_token", "output_cost_per_token"} & e.keys()
        }
        parsed = {name: ModelPrice.parse(name, entry) for name, entry in priced.items()}
        with self._lock:  # replaced whole, so a call in flight sees one version or the other
            self.overrides = {**self.overrides, **parsed}

    def cost(
        self, provider: str | None, models: Sequence[str], usage: Usage, at: float | None = None
    ) -> float | None:
        """Return the price of ``usage`` in USD under the first of ``models`` priced, or None.

        Overrides are looked up under every name first, then genai-prices' data as of ``at``.
        """
        tokens = breakdown(usage)
        names = [name for name in dict.fromkeys(models) if name]
        for name in names:
            price = self.override(provider, name)
            if price is not None:
                return price.cost(tokens)
        for name in names:
            cost = self.database_cost(provider, name, tokens, at)
            if cost is not None:
                return cost
        return None

    def override(self, provider: str | None, model: str) -> ModelPrice | None:
        """Return the override for ``model`` (as ``provider/model`` or bare), if there is one."""
        overrides = self.overrides
        if provider is not None and f"{provider}/{model}" in overrides:
            return overrides[f"{provider}/{model}"]
        return overrides.get(model)

    def database_cost(
        self, provider: str | None, model: str, tokens: TokenBreakdown, at: float | None = None
    ) -> float | None:
        """Price ``tokens`` from genai-prices; None when it is not installed or has no such model."""
        provider_id = PROVIDER_IDS.get(provider or "")
        calc = _calc_price()
        if provider_id is None or calc is None:
            return None
        calc_price, usage_type = calc
        reported = usage_type(
            input_tokens=tokens.input_tokens,
            output_tokens=tokens.output_tokens,
            cache_read_tokens=tokens.cache_read_tokens or None,
            cache_write_tokens=tokens.cache_write_tokens or None,
            output_reasoning_tokens=tokens.reasoning_tokens or None,
        )
        try:
            when = None if at is None else datetime.fromtimestamp(at, tz=UTC)
            result = calc_price(reported, model, provider_id=provider_id, genai_request_timestamp=when)
        except (LookupError, ValueError, OverflowError, OSError):  # unknown model, or an absurd timestamp
            return None
        total = result.total_price
        return float(total) if isinstance(total, Decimal | int | float) else None


@functools.cache
def _calc_price() -> tuple[Any, Any] | None:
    """Return genai-prices' ``calc_price`` and ``Usage``, imported on first use (~0.2 s); None if absent."""
    try:
        from genai_prices import Usage as PricesUsage
        from genai_prices import calc_price
    except ImportError:
        return None
    return calc_price, PricesUsage


def prices_installed() -> bool:
    """Whether genai-prices (the ``cost`` extra) can be imported."""
    return _calc_price() is not None


_RATE_KEYS = {
    "input_cost_per_token": "input_mtok",
    "output_cost_per_token": "output_mtok",
    "cache_read_input_token_cost": "cache_read_mtok",
    "cache_creation_input_token_cost": "cache_write_mtok",
}


def rates(pricing: object, provider: str | None, model: str) -> dict[str, Any]:
    """Return ``model``'s per-token prices in litellm's keys (and genai-prices' context window).

    An override wins; genai-prices' current prices come next (the base rate of tiered ones);
    an unknown model gives an empty dict.
    """
    if isinstance(pricing, GenaiPricing):
        price = pricing.override(provider, model)
        if price is not None:
            return {key: getattr(price, key) for key in ModelPrice.__dataclass_fields__}
    provider_id = PROVIDER_IDS.get(provider or "")
    if provider_id is None or _calc_price() is None:
        return {}
    from genai_prices import data_snapshot

    try:
        _, info = data_snapshot.get_snapshot().find_provider_model(model, None, provider_id, None)
    except LookupError:
        return {}
    current = info.get_prices(datetime.now(tz=UTC))
    found: dict[str, Any] = {"max_input_tokens": info.context_window} if info.context_window else {}
    for key, attribute in _RATE_KEYS.items():
        value = getattr(current, attribute, None)
        value = getattr(value, "base", value)  # tiered prices: the rate below the first tier
        if value is not None:
            found[key] = float(value) / 1_000_000
    return found

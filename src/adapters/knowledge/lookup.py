"""``ModelKnowledge``: the model table, the client's overrides, and prices, in litellm's key names."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from .table import MODELS, SAME_MODELS_AS, TABLE_VERSION, ModelFacts

_FLAGS = {
    "supports_function_calling": "function_calling",
    "supports_parallel_function_calling": "parallel_function_calling",
    "supports_vision": "vision",
    "supports_response_schema": "response_schema",
    "supports_reasoning": "reasoning",
    "supports_prompt_caching": "prompt_caching",
}
INFO_KEYS = frozenset(
    {"max_input_tokens", "max_output_tokens", "max_tokens", "mode", "litellm_provider", *_FLAGS}
)


class ModelKnowledge:
    """Looks models up in the table, after the client's overrides.

    Args:
        overrides: litellm ``model_cost``-style entries; the info keys (``max_input_tokens``,
            ``supports_vision``...) are taken from them, price keys are the pricing adapter's.
    """

    version = TABLE_VERSION

    def __init__(self, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._lock = threading.Lock()
        self.overrides: dict[str, dict[str, Any]] = {}
        self.register(overrides or {})

    def __repr__(self) -> str:
        return f"ModelKnowledge(version={self.version!r}, overrides={sorted(self.overrides)})"

    def register(self, entries: Mapping[str, Mapping[str, Any]]) -> None:
        """Add or replace overrides (the info keys of each entry)."""
        parsed = {name: {k: v for k, v in entry.items() if k in INFO_KEYS} for name, entry in entries.items()}
        parsed = {name: info for name, info in parsed.items() if info}
        with self._lock:
            self.overrides = {**self.overrides, **parsed}

    def info(self, provider: str | None, model: str) -> dict[str, Any] | None:
        """Return the model's facts in litellm's keys, or None when neither table nor overrides know it."""
        facts = self.facts(provider, model)
        override = self._override(provider, model)
        if facts is None and override is None:
            return None
        info = (
            _as_info(facts, provider) if facts is not None else {"mode": "chat", "litellm_provider": provider}
        )
        info.update(override or {})
        given = override or {}
        if "max_tokens" in given and "max_output_tokens" not in given:
            info["max_output_tokens"] = given["max_tokens"]  # litellm's older name for the output limit
        info["max_tokens"] = info.get("max_output_tokens")
        return info

    def facts(self, provider: str | None, model: str) -> ModelFacts | None:
        """Return the table row for ``model``: the provider's rows, longest name prefix first."""
        family = SAME_MODELS_AS.get(provider or "", provider)
        name = model.lower()
        rows = [
            row for row in MODELS if (family is None or row.provider == family) and name.startswith(row.name)
        ]
        return max(rows, key=lambda row: len(row.name), default=None)

    def _override(self, provider: str | None, model: str) -> dict[str, Any] | None:
        overrides = self.overrides
        if provider is not None and f"{provider}/{model}" in overrides:
            return overrides[f"{provider}/{model}"]
        return overrides.get(model)


def _as_info(facts: ModelFacts, provider: str | None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "key": facts.name,
        "max_input_tokens": facts.max_input_tokens,
        "max_output_tokens": facts.max_output_tokens,
        "litellm_provider": provider or facts.provider,
        "mode": facts.mode,
        "source": facts.source,
        "as_of": facts.as_of,
    }
    info.update({key: getattr(facts, attribute) for key, attribute in _FLAGS.items()})
    return info

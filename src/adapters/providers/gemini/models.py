"""Per-model data for Gemini: thinking levels (3.x) and JSON Schema support for structured output.

Gemini 2.5 and later take a full JSON Schema in ``responseJsonSchema`` (litellm sends it there,
so deep schemas do not hit the OpenAPI subset's nesting limit); older models get the translated
``responseSchema``. Gemini 3 takes ``thinkingLevel`` where 2.x takes ``thinkingBudget``
(litellm's mapping: ``../shared/wire/gemini-vertex.md`` §3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_LEVELS_3 = MappingProxyType(
    {"minimal": "LOW", "low": "LOW", "medium": "HIGH", "high": "HIGH", "xhigh": "HIGH"}
)
_LEVELS_3_FLASH = MappingProxyType(
    {"minimal": "MINIMAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH", "xhigh": "HIGH"}
)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What the codec needs to know about one Gemini model family.

    Attributes:
        json_schema: Whether ``response_format`` schemas go as JSON Schema (``responseJsonSchema``).
        thinking_levels: ``reasoning_effort`` → ``thinkingLevel``; empty for budget-based models.
        signs_calls: Whether the model refuses an unsigned function call in history (Gemini 3).
    """

    json_schema: bool = False
    thinking_levels: Mapping[str, str] = field(default_factory=dict)
    signs_calls: bool = False


_GEMINI_3 = ModelInfo(json_schema=True, thinking_levels=_LEVELS_3, signs_calls=True)
_GEMINI_3_FLASH = ModelInfo(json_schema=True, thinking_levels=_LEVELS_3_FLASH, signs_calls=True)
_MODERN = ModelInfo(json_schema=True)
_DEFAULT = ModelInfo()


def model_info(model: str) -> ModelInfo:
    """Return the data of ``model`` (the provider-side name, with or without ``models/``)."""
    name = model.rsplit("/", 1)[-1].lower()
    if name.startswith("gemini-3"):
        return _GEMINI_3_FLASH if "flash" in name else _GEMINI_3
    if name.startswith("gemini-2.5") or name.endswith("-latest"):
        return _MODERN
    return _DEFAULT

"""Per-model data for Anthropic: default ``max_tokens`` and native structured-output support.

Anthropic requires ``max_tokens`` on every request; litellm fills it from its model table, and so
does llmport. Rows are matched by the longest model-name prefix (dated and ``-latest`` names
share their family's row).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_TOKENS = 4096


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What llmport needs to know about one Anthropic model family.

    Attributes:
        max_tokens: The ``max_tokens`` sent when the caller gives none.
        native_structured_output: Whether the model takes ``output_config.format`` (JSON schema).
    """

    max_tokens: int = DEFAULT_MAX_TOKENS
    native_structured_output: bool = False


_MODELS: dict[str, ModelInfo] = {
    "claude-3-haiku": ModelInfo(4096),
    "claude-3-sonnet": ModelInfo(4096),
    "claude-3-opus": ModelInfo(4096),
    "claude-3-5-haiku": ModelInfo(8192),
    "claude-3-5-sonnet": ModelInfo(8192),
    "claude-3-7-sonnet": ModelInfo(64000),
    "claude-sonnet-4": ModelInfo(64000),
    "claude-opus-4": ModelInfo(32000),
    "claude-opus-4-1": ModelInfo(32000, native_structured_output=True),
    "claude-sonnet-4-5": ModelInfo(64000, native_structured_output=True),
    "claude-haiku-4-5": ModelInfo(64000, native_structured_output=True),
    "claude-opus-4-5": ModelInfo(64000, native_structured_output=True),
    "claude-opus-4-6": ModelInfo(64000, native_structured_output=True),
    "claude-sonnet-4-6": ModelInfo(64000, native_structured_output=True),
}
_UNKNOWN = ModelInfo()


def model_info(model: str) -> ModelInfo:
    """Return the data of ``model`` (longest matching prefix), or conservative defaults."""
    name = model.rsplit("/", 1)[-1]
    best = max((prefix for prefix in _MODELS if name.startswith(prefix)), key=len, default=None)
    return _MODELS[best] if best is not None else _UNKNOWN

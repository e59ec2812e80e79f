"""The model table: context windows and capability flags, one row per model family.

Versioned with the package (``TABLE_VERSION``); each row names where its facts are documented
and when it was written against that source. A row matches a model by provider and the
longest name prefix (``gpt-4o-mini-2024-07-18`` is a ``gpt-4o-mini``). Prices are not here:
they come from genai-prices. Overrides per client: ``Client(model_prices={model: {...}})`` with
litellm's keys (``max_input_tokens``, ``supports_vision``...), or ``register_model``.
"""

from __future__ import annotations

from dataclasses import dataclass

TABLE_VERSION = "2026-12-05"

_OPENAI_DOCS = "https://platform.openai.com/docs/models"
_ANTHROPIC_DOCS = "https://docs.anthropic.com/en/docs/about-claude/models/overview"
_DEEPSEEK_DOCS = "https://api-docs.deepseek.com/quick_start/pricing"
_XAI_DOCS = "https://docs.x.ai/docs/models"
_WRITTEN = "2026-12-05"


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """What one model family can do (``None``: not documented here)."""

    provider: str
    name: str
    max_input_tokens: int | None
    max_output_tokens: int | None
    function_calling: bool = True
    parallel_function_calling: bool = True
    vision: bool = False
    response_schema: bool = False
    reasoning: bool = False
    prompt_caching: bool = False
    mode: str = "chat"
    source: str = ""
    as_of: str = _WRITTEN


def _openai(name: str, window: int, output: int, **flags: bool) -> ModelFacts:
    chosen = {"vision": True, "response_schema": True, "prompt_caching": True, **flags}
    return ModelFacts(
        "openai", name, window, output, source=_OPENAI_DOCS,
        function_calling=chosen.get("function_calling", True),
        parallel_function_calling=chosen.get("parallel_function_calling", True),
        vision=chosen["vision"], response_schema=chosen["response_schema"],
        reasoning=chosen.get("reasoning", False), prompt_caching=chosen["prompt_caching"],
    )  # fmt: skip


def _reasoning_openai(name: str, window: int, output: int, **flags: bool) -> ModelFacts:
    return _openai(name, window, output, reasoning=True, parallel_function_calling=False, **flags)


def _claude(name: str, output: int, *, reasoning: bool = True) -> ModelFacts:
    return ModelFacts(
        "anthropic", name, 200_000, output, vision=True, response_schema=True, reasoning=reasoning,
        prompt_caching=True, source=_ANTHROPIC_DOCS,
    )  # fmt: skip


MODELS: tuple[ModelFacts, ...] = (
    _openai("gpt-4o", 128_000, 16_384),
    _openai("gpt-4o-mini", 128_000, 16_384),
    _openai("gpt-4.1", 1_047_576, 32_768),
    _openai("gpt-4.1-mini", 1_047_576, 32_768),
    _openai("gpt-4.1-nano", 1_047_576, 32_768),
    _openai("gpt-4-turbo", 128_000, 4_096, response_schema=False, prompt_caching=False),
    _openai("gpt-3.5-turbo", 16_385, 4_096, vision=False, response_schema=False, prompt_caching=False),
    _reasoning_openai("o1", 200_000, 100_000),
    _reasoning_openai("o3", 200_000, 100_000),
    _reasoning_openai("o3-mini", 200_000, 100_000, vision=False),
    _reasoning_openai("o4-mini", 200_000, 100_000),
    _openai("gpt-5", 272_000, 128_000, reasoning=True),
    _openai("gpt-5-mini", 272_000, 128_000, reasoning=True),
    _openai("gpt-5-nano", 272_000, 128_000, reasoning=True),
    _claude("claude-3-5-haiku", 8_192, reasoning=False),
    _claude("claude-3-5-sonnet", 8_192, reasoning=False),
    _claude("claude-3-7-sonnet", 64_000),
    _claude("claude-sonnet-4", 64_000),
    _claude("claude-opus-4", 32_000),
    _claude("claude-opus-4-1", 32_000),
    _claude("claude-sonnet-4-5", 64_000),
    _claude("claude-haiku-4-5", 64_000),
    ModelFacts("deepseek", "deepseek-chat", 128_000, 8_192, prompt_caching=True, source=_DEEPSEEK_DOCS),
    ModelFacts(
        "deepseek",
        "deepseek-reasoner",
        128_000,
        64_000,
        reasoning=True,
        prompt_caching=True,
        source=_DEEPSEEK_DOCS,
    ),
    ModelFacts("xai", "grok-3-mini", 131_072, None, reasoning=True, prompt_caching=True, source=_XAI_DOCS),
    ModelFacts("xai", "grok-3", 131_072, None, response_schema=True, prompt_caching=True, source=_XAI_DOCS),
)

# Providers that serve another's models under the same names.
SAME_MODELS_AS = {"azure": "openai"}

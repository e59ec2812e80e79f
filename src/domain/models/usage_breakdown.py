"""Token usage split into the classes prices are quoted for, one convention for every provider.

The convention is genai-prices': ``input_tokens`` is every prompt token, and cache reads and
cache writes are parts of it (never added again); ``output_tokens`` is every generated token,
reasoning included. Providers report these differently, and this module is where that is undone:

- OpenAI, Azure, DeepSeek, xAI, Groq, Moonshot, Together: ``prompt_tokens`` includes cached reads
  (``prompt_tokens_details.cached_tokens``, or DeepSeek's ``prompt_cache_hit_tokens``, or a
  top-level ``cached_tokens``);
- Anthropic: llmport's codec already counts cache reads and writes in ``prompt_tokens``, as
  litellm does, and reports them in ``cache_read_input_tokens``/``cache_creation_input_tokens``;
- xAI (and Gemini's raw counts) leave reasoning out of ``completion_tokens``: recognised when
  ``prompt + completion + reasoning == total``, and reasoning is then added to the output.
"""

from __future__ import annotations

from dataclasses import dataclass

from .response import Usage


@dataclass(frozen=True, slots=True)
class TokenBreakdown:
    """Token counts by price class (cache and reasoning counts are parts of input and output)."""

    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0


def breakdown(usage: Usage) -> TokenBreakdown:
    """Split ``usage`` into price classes (see the module docstring for each provider's quirks)."""
    prompt = usage.prompt_tokens or 0
    completion = usage.completion_tokens or 0
    prompt_details = usage.prompt_tokens_details
    output_details = usage.completion_tokens_details
    cache_read = _first(
        prompt_details.cached_tokens if prompt_details else None,
        usage.get("cache_read_input_tokens"),
        usage.get("prompt_cache_hit_tokens"),
        usage.get("cached_tokens"),
    )
    cache_write = _first(
        prompt_details.cache_creation_tokens if prompt_details else None,
        usage.get("cache_creation_input_tokens"),
    )
    reasoning = _first(output_details.reasoning_tokens if output_details else None)
    beside = completion < reasoning or prompt + completion + reasoning == usage.total_tokens
    if reasoning and beside:
        completion += reasoning  # reasoning was reported beside the completion, not inside it
    return TokenBreakdown(
        input_tokens=prompt,
        output_tokens=completion,
        # Never more than the total they are parts of (a provider's rounding must not go negative).
        cache_read_tokens=min(cache_read, prompt),
        cache_write_tokens=min(cache_write, max(prompt - cache_read, 0)),
        reasoning_tokens=min(reasoning, completion),
    )


def _first(*values: object) -> int:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return 0

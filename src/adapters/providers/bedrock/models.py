"""Per-model-family data for Bedrock Converse: what each family takes beyond the common fields.

Converse has one request shape for every model, but a few knobs depend on who made the model:
where ``top_k`` goes, whether ``thinking`` exists, whether a named ``toolChoice`` is accepted
(the service model says Claude 3+ and Nova only), and whether native structured output
(``outputConfig``) is available. A model id is reduced to its family first: an ARN keeps its
last path segment, and a cross-region inference-profile prefix (``us.``, ``eu.``, ``global.``...)
is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

# Cross-region inference-profile prefixes (geography or "global") put before a base model id.
_PROFILE_PREFIXES = ("us", "eu", "apac", "global", "us-gov", "jp", "au", "ca")
# Claude models that take Bedrock's native structured output (outputConfig.textFormat).
_NATIVE_JSON = (
    "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-5", "claude-opus-4-6", "claude-sonnet-4-6",
)  # fmt: skip
# Claude models with extended thinking (additionalModelRequestFields.thinking).
_THINKING = ("claude-3-7", "claude-sonnet-4", "claude-opus-4", "claude-haiku-4")


@dataclass(frozen=True, slots=True)
class Family:
    """What llmport needs to know about one Bedrock model.

    Attributes:
        provider: The model's maker as Bedrock names it (``anthropic``, ``amazon``, ``meta``...).
        name: The base model name without the maker and version suffix (``claude-3-haiku-20240307``).
    """

    provider: str
    name: str

    @property
    def is_claude(self) -> bool:
        """Whether the model is one of Anthropic's."""
        return self.provider == "anthropic"

    @property
    def is_nova(self) -> bool:
        """Whether the model is one of Amazon's Nova models."""
        return self.provider == "amazon" and self.name.startswith("nova")

    @property
    def named_tool_choice(self) -> bool:
        """Whether ``toolChoice: {tool: {name}}`` is accepted (Claude 3 and later, Nova)."""
        return (self.is_claude and not self.name.startswith("claude-v")) or self.is_nova

    @property
    def thinking(self) -> bool:
        """Whether the model takes Anthropic's ``thinking`` in ``additionalModelRequestFields``."""
        return self.is_claude and self.name.startswith(_THINKING)

    @property
    def native_structured_output(self) -> bool:
        """Whether ``response_format`` can go to ``outputConfig`` instead of a forced tool."""
        return self.is_claude and self.name.startswith(_NATIVE_JSON)

    def top_k_fields(self, top_k: object) -> dict[str, object]:
        """Return the ``additionalModelRequestFields`` that carry ``top_k`` for this family."""
        if self.is_nova:
            return {"inferenceConfig": {"topK": top_k}}
        return {"top_k": top_k}


def family(model_id: str) -> Family:
    """Return the family of a Bedrock model id, inference-profile id or ARN."""
    name = model_id.rsplit("/", 1)[-1]
    head, dot, rest = name.partition(".")
    if dot and head in _PROFILE_PREFIXES and "." in rest:
        head, dot, rest = rest.partition(".")
    if not dot:
        return Family(provider="", name=name.lower())
    return Family(provider=head.lower(), name=rest.lower())

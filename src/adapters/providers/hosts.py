"""Hosts as data: one row per provider prefix. Core II grows this table to every compatible host."""

from __future__ import annotations

from types import MappingProxyType

from ...ports.codec import Host

AZURE_DEFAULT_API_VERSION = "2024-10-21"

HOSTS: tuple[Host, ...] = (
    Host(
        prefix="openai",
        codec="openai",
        default_base="https://api.openai.com/v1",
        key_env=("OPENAI_API_KEY",),
        base_env=("OPENAI_BASE_URL", "OPENAI_API_BASE"),
    ),
    Host(
        prefix="azure",
        codec="openai",
        default_base=None,
        key_env=("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"),
        base_env=("AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"),
        version_env=("AZURE_API_VERSION", "OPENAI_API_VERSION"),
        default_version=AZURE_DEFAULT_API_VERSION,
        options=MappingProxyType({"auth": "api-key", "url": "azure"}),
    ),
    Host(
        prefix="anthropic",
        codec="anthropic",
        default_base="https://api.anthropic.com",
        key_env=("ANTHROPIC_API_KEY",),
        base_env=("ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"),
    ),
)

# Bare model names OpenAI serves, matched by prefix (litellm's behaviour for unprefixed names).
OPENAI_BARE_PREFIXES = ("gpt-", "o1", "o3", "o4", "chatgpt-", "ft:gpt-", "gpt4", "codex-")

# Providers litellm users name that llmport has no codec for yet, with the work that brings them.
PLANNED: dict[str, str] = {
    "gemini": "the Gemini codec",
    "vertex_ai": "the Vertex AI codec",
    "bedrock": "the Bedrock codec",
    "cohere": "the Cohere codec",
    "ollama": "the Ollama codec",
    "ollama_chat": "the Ollama codec",
}
PLANNED_BARE_PREFIXES: dict[str, str] = {"gemini-": "vertex_ai", "command-": "cohere"}
# Bare model names served by a host other than OpenAI, matched by prefix.
BARE_PREFIXES: dict[str, str] = {"claude-": "anthropic"}

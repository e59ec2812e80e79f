"""Fixtures for the acceptance tests: a loopback OpenAI server and litellm-style environment variables.

The tests call llmport exactly as litellm users do (``import llmport as litellm`` and module-level
``litellm.completion``), so most of them go through the process's default client. That client is
built once and reads keys and base URLs from the environment at call time; the fixtures here set
those variables with ``monkeypatch`` so every test sees its own server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import llmport
from llmport.testing import FakeAnthropicServer, FakeOpenAIServer

FAKE_OPENAI_KEY = "sk-fake-acceptance-0123456789"
FAKE_AZURE_KEY = "azure-fake-acceptance-key"
AZURE_VERSION = "2024-02-01"
FAKE_ANTHROPIC_KEY = "sk-ant-fake-acceptance-key"


@pytest.fixture(autouse=True, scope="session")
def _close_default_client() -> Iterator[None]:
    """Close the module-level default client once every test has run (``-W error`` forbids leaks)."""
    yield
    llmport.current_client().close()


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    """A fresh loopback OpenAI-compatible server for one test."""
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture
def openai_env(server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAIServer:
    """Point bare OpenAI model names (``gpt-4``) at ``server`` through the environment, as the seeds do."""
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_OPENAI_KEY)
    monkeypatch.delenv("OPENAI_API_BASE", raising=False)
    return server


@pytest.fixture
def azure_env(openai_env: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAIServer:
    """Also point ``azure/<deployment>`` at the same server through litellm's ``AZURE_*`` variables."""
    monkeypatch.setenv("AZURE_API_BASE", openai_env.root_url)
    monkeypatch.setenv("AZURE_API_KEY", FAKE_AZURE_KEY)
    monkeypatch.setenv("AZURE_API_VERSION", AZURE_VERSION)
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    return openai_env


@pytest.fixture
def anthropic_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropicServer]:
    """A loopback Anthropic server named by ``ANTHROPIC_BASE_URL`` and ``ANTHROPIC_API_KEY``."""
    with FakeAnthropicServer() as srv:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", srv.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", FAKE_ANTHROPIC_KEY)
        monkeypatch.delenv("ANTHROPIC_API_BASE", raising=False)
        yield srv

"""Model resolution: prefixes, well-known bare names, custom_llm_provider, and the per-client cache."""

from __future__ import annotations

import pytest

import llmport
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.ports.codec import Host
from llmport.testing import FakeClock, FakeTransport, HttpRequest, HttpResponse
from tests.contract.test_host_rows import OK_BODY

USER = [{"role": "user", "content": "hi"}]


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, {"content-type": "application/json"}, OK_BODY)


class CountingRegistry(ProviderRegistry):
    """The real registry, counting look-ups (to see the per-client resolution cache work)."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0

    def host(self, prefix: str) -> Host | None:
        self.lookups += 1
        return super().host(prefix)

    def host_for_bare_model(self, model: str) -> Host | None:
        self.lookups += 1
        return super().host_for_bare_model(model)


def _client(registry: ProviderRegistry | None = None) -> tuple[llmport.Client, FakeTransport]:
    fake = FakeTransport(_ok)
    client = llmport.Client(transport=fake, clock=FakeClock(), api_key="k", registry=registry)
    return client, fake


@pytest.mark.parametrize(
    ("model", "provider", "host_url", "sent_model"),
    [
        ("gpt-4o-mini", "openai", "https://api.openai.com/", "gpt-4o-mini"),
        ("o3-mini", "openai", "https://api.openai.com/", "o3-mini"),
        ("chatgpt-4o-latest", "openai", "https://api.openai.com/", "chatgpt-4o-latest"),
        ("mistral-large-latest", "mistral", "https://api.mistral.ai/", "mistral-large-latest"),
        ("open-mixtral-8x22b", "mistral", "https://api.mistral.ai/", "open-mixtral-8x22b"),
        ("deepseek-chat", "deepseek", "https://api.deepseek.com/", "deepseek-chat"),
        ("grok-3", "xai", "https://api.x.ai/", "grok-3"),
        ("sonar-pro", "perplexity", "https://api.perplexity.ai/", "sonar-pro"),
        ("groq/llama-3.1-8b-instant", "groq", "https://api.groq.com/", "llama-3.1-8b-instant"),
        ("together_ai/meta/Llama-3", "together_ai", "https://api.together.ai/", "meta/Llama-3"),
        ("openrouter/openai/gpt-4o", "openrouter", "https://openrouter.ai/", "openai/gpt-4o"),
    ],
)
def test_models_resolve_to_their_host(model: str, provider: str, host_url: str, sent_model: str) -> None:
    client, fake = _client()
    response = client.completion(model, USER)
    assert fake.last_request.url.startswith(host_url)
    assert fake.last_request.json()["model"] == sent_model
    assert response._hidden_params["custom_llm_provider"] == provider


def test_custom_llm_provider_overrides_the_prefix_and_the_bare_table() -> None:
    client, fake = _client()
    client.completion("meta-llama/Llama-3.3-70B", USER, custom_llm_provider="groq")
    assert fake.last_request.url == "https://api.groq.com/openai/v1/chat/completions"
    assert fake.last_request.json()["model"] == "meta-llama/Llama-3.3-70B"
    client.completion("gpt-4o", USER, custom_llm_provider="deepinfra")
    assert fake.last_request.url.startswith("https://api.deepinfra.com/")


@pytest.mark.parametrize(
    ("model", "says"),
    [
        ("bedrock/invoke/anthropic.claude-v2", r"bedrock/invoke/ \(InvokeModel\) is not supported"),
        ("mystery-model", r"prefix it with the provider, e\.g\. 'openai/mystery-model'"),
        ("meta-llama/Llama-3", r"'meta-llama' is not a provider prefix llmport knows"),
        ("groq/", r"names a provider but no model"),
    ],
)
def test_unresolvable_models_say_which_prefix_to_use_before_any_request(model: str, says: str) -> None:
    client, fake = _client()
    with pytest.raises(llmport.BadRequestError, match=says) as caught:
        client.completion(model, USER)
    assert caught.value.param in {"model", None}
    assert fake.requests == []


@pytest.mark.parametrize(
    ("model", "url"),
    [
        ("command-r-plus", "https://api.cohere.com/v2/chat"),
        ("cohere_chat/command-r-plus", "https://api.cohere.com/v2/chat"),
        ("ollama/llama3", "http://localhost:11434/api/generate"),
        ("ollama_chat/llama3", "http://localhost:11434/api/chat"),
    ],
)
def test_cohere_and_ollama_routes_resolve(model: str, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COHERE_API_BASE", "CO_API_URL", "OLLAMA_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    fake = FakeTransport(lambda request: HttpResponse(500, {}, b'{"message": "x", "error": "x"}'))
    client = llmport.Client(transport=fake, clock=FakeClock(), api_key="k", num_retries=0)
    with pytest.raises(llmport.InternalServerError):
        client.completion(model, USER)
    assert fake.last_request.url == url
    assert fake.last_request.json()["model"] == model.rsplit("/", maxsplit=1)[-1]


def test_unknown_custom_llm_provider_is_named() -> None:
    client, _ = _client()
    with pytest.raises(llmport.BadRequestError, match="custom_llm_provider 'nope'"):
        client.completion("m", USER, custom_llm_provider="nope")


def test_resolution_is_cached_per_client() -> None:
    registry = CountingRegistry()
    client, fake = _client(registry)
    for _ in range(5):
        client.completion("groq/llama-3.1-8b-instant", USER)
        client.completion("gpt-4o", USER)
    assert len(fake.requests) == 10
    first = registry.lookups
    assert first <= 3, "each model is resolved once"
    other_registry = CountingRegistry()
    other, _ = _client(other_registry)
    other.completion("gpt-4o", USER)
    assert other_registry.lookups >= 1, "another client resolves on its own"

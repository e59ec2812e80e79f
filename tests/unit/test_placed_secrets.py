"""Secrets put anywhere: any query value of a base URL, secret-named headers, URLs with a query."""

from __future__ import annotations

import pytest

from llmport.adapters.providers.registry import ProviderRegistry
from llmport.domain.dispatch.routing import provider_call, resolve_host
from llmport.domain.dispatch.settings import DispatchSettings
from llmport.domain.models.redaction import header_secrets, is_secret_header, redact_headers, url_secrets
from llmport.domain.models.request import build_request
from llmport.ports.transport import HttpResponse
from llmport.testing import StaticCredentials

USER = [{"role": "user", "content": "hi"}]


def test_every_long_enough_query_value_of_a_base_url_is_a_secret() -> None:
    found = url_secrets("https://gw.example.com/v1?subscription-key=a1b2c3d4e5f6&code=Zx9%2FQw8Rt7&v=2024")
    assert "a1b2c3d4e5f6" in found
    assert "Zx9/Qw8Rt7" in found  # unquoted too, as a provider would echo it
    assert "2024" not in found  # short non-key values would garble other text when replaced


@pytest.mark.parametrize("name", ["x-api-key", "X-Goog-Api-Key", "x-tenant-token", "authorization", "my_key"])
def test_secret_named_headers(name: str) -> None:
    assert is_secret_header(name)
    assert redact_headers({name: "visible-value-123"}) == {name: "[REDACTED]"}


@pytest.mark.parametrize("name", ["x-tenant", "organization", "content-type", "x-keyboard"])
def test_other_headers_are_not_secrets(name: str) -> None:
    assert not is_secret_header(name)


def test_header_secrets_include_the_bare_bearer_credential() -> None:
    assert header_secrets({"Authorization": "Bearer abcdefgh", "x-tenant": "acme-corp"}) == (
        "Bearer abcdefgh",
        "abcdefgh",
    )


def test_extra_header_secrets_join_the_calls_secrets() -> None:
    request = build_request("openai/m", USER, {"extra_headers": {"x-api-key": "hdr-secret-42"}})
    host, name = resolve_host(request.model, None, ProviderRegistry())
    settings = DispatchSettings(api_base="http://127.0.0.1:9/v1")
    call = provider_call(request, host, name, StaticCredentials({}), settings)
    assert "hdr-secret-42" in call.secrets


def test_http_response_repr_shows_no_body_nor_header_values() -> None:
    response = HttpResponse(401, {"set-cookie": "s=secret-cookie"}, b'{"error": "bad key opaque-123"}')
    assert repr(response) == "HttpResponse(401, headers=['set-cookie'], 31 bytes)"


def url_for(model: str, api_base: str, **extra: str) -> str:
    registry = ProviderRegistry()
    request = build_request(model, USER, {"api_key": "sk-test-url", "api_base": api_base, **extra})
    host, name = resolve_host(request.model, None, registry)
    call = provider_call(request, host, name, StaticCredentials({}), DispatchSettings())
    return registry.codec(host.codec).build_request(call).url


@pytest.mark.parametrize(
    ("model", "base", "expected"),
    [
        ("openai/m", "http://127.0.0.1/v1?key=A", "http://127.0.0.1/v1/chat/completions?key=A"),
        ("openai/m", "http://127.0.0.1/v1/?a=1&b=2", "http://127.0.0.1/v1/chat/completions?a=1&b=2"),
        (
            "openai/m",
            "http://127.0.0.1/v1/chat/completions?code=C",
            "http://127.0.0.1/v1/chat/completions?code=C",
        ),
        ("anthropic/m", "http://127.0.0.1/v1?key=A", "http://127.0.0.1/v1/messages?key=A"),
        ("anthropic/m", "http://127.0.0.1?key=A", "http://127.0.0.1/v1/messages?key=A"),
    ],
)
def test_the_endpoint_goes_before_the_query(model: str, base: str, expected: str) -> None:
    assert url_for(model, base) == expected


def test_azure_keeps_the_query_and_adds_its_version() -> None:
    url = url_for("azure/dep", "https://r.openai.azure.com?subscription-key=S", api_version="2024-02-01")
    assert url == (
        "https://r.openai.azure.com/openai/deployments/dep/chat/completions?subscription-key=S&api-version=2024-02-01"
    )

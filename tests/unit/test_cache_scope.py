"""Tenant-safe cache keys: a cached answer never crosses credentials unless the caller says so."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

import llmport
from llmport.adapters.providers.openai import OpenAICodec
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.domain.dispatch.cache_keys import (
    Salts,
    cache_key,
    is_identity_header,
    is_secret_header,
)
from llmport.testing import FakeClock, FakeTransport, HttpRequest, HttpResponse, MemoryCache

from .conftest import USER, chat

KEY_A = "sk-tenant-a-0123456789"
KEY_B = "sk-tenant-b-9876543210"
REVOKED = "sk-revoked-5555555555"
BASE = "http://127.0.0.1:9/v1"


def _answer(request: HttpRequest) -> HttpResponse:
    if REVOKED in request.headers.get("authorization", ""):
        return HttpResponse.from_json({"error": {"message": "revoked", "code": "invalid_api_key"}}, 401)
    return chat(f"answer for {request.headers.get('authorization', '?')[-4:]}")


class Tenants:
    """One client (one shared cache), many callers."""

    def __init__(self, cache: Any = None, **client: Any) -> None:
        self.transport = FakeTransport(_answer)
        self.cache = MemoryCache() if cache is None else cache
        self.client = llmport.Client(transport=self.transport, cache=self.cache, clock=FakeClock(), **client)

    def ask(self, **params: Any) -> llmport.ModelResponse:
        params.setdefault("model", "openai/gpt-4o")
        params.setdefault("messages", USER)
        params.setdefault("api_base", BASE)
        return self.client.completion(**params)

    @property
    def sent(self) -> int:
        return len(self.transport.requests)


# Each case: what tenant A sends, and what tenant B sends; the question is the same.
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "api_key": ({"api_key": KEY_A}, {"api_key": KEY_B}),
    "base url user:pass@": (
        {"api_base": "http://alice:pw-alice-1234@127.0.0.1:9/v1"},
        {"api_base": "http://bob:pw-bob-5678@127.0.0.1:9/v1"},
    ),
    "base url ?key=": (
        {"api_base": BASE + "?key=tenant-a-query-key"},
        {"api_base": BASE + "?key=tenant-b-query-key"},
    ),
    "base url ?subscription-key=": (
        {"api_base": BASE + "?subscription-key=apim-a-1234"},
        {"api_base": BASE + "?subscription-key=apim-b-5678"},
    ),
    "authorization override": (
        {"api_key": KEY_A, "extra_headers": {"Authorization": "Bearer override-a-1234"}},
        {"api_key": KEY_A, "extra_headers": {"Authorization": "Bearer override-b-5678"}},
    ),
    "x-tenant": (
        {"api_key": KEY_A, "extra_headers": {"x-tenant": "a"}},
        {"api_key": KEY_A, "extra_headers": {"x-tenant": "b"}},
    ),
    "organization": (
        {"api_key": KEY_A, "organization": "org-a"},
        {"api_key": KEY_A, "organization": "org-b"},
    ),
    "x-api-key header": (
        {"extra_headers": {"x-api-key": "header-key-a-1234"}},
        {"extra_headers": {"x-api-key": "header-key-b-5678"}},
    ),
    # Issue 17 finding 6: with a placeholder key, tenant headers containing it must not collide.
    "placeholder key x": (
        {"api_key": "x", "extra_headers": {"x-tenant": "x-a"}},
        {"api_key": "x", "extra_headers": {"x-tenant": "x-b"}},
    ),
    "placeholder key EMPTY": (
        {"api_key": "EMPTY", "extra_headers": {"x-tenant": "EMPTY-a"}},
        {"api_key": "EMPTY", "extra_headers": {"x-tenant": "EMPTY-b"}},
    ),
    "placeholder key in organization": (
        {"api_key": "EMPTY", "organization": "EMPTY-org-a"},
        {"api_key": "EMPTY", "organization": "EMPTY-org-b"},
    ),
}


@pytest.mark.parametrize(("a", "b"), CASES.values(), ids=CASES.keys())
def test_another_tenant_misses_by_default(a: dict[str, Any], b: dict[str, Any]) -> None:
    t = Tenants()
    t.ask(**a)
    second = t.ask(**b)
    assert t.sent == 2
    assert second._hidden_params["cache_hit"] is False
    assert t.ask(**a)._hidden_params["cache_hit"] is True, "the same tenant still hits"


@pytest.mark.parametrize(("a", "b"), CASES.values(), ids=CASES.keys())
def test_another_tenant_hits_when_the_client_shares(a: dict[str, Any], b: dict[str, Any]) -> None:
    t = Tenants(cache_scope="shared")
    t.ask(**a)
    assert t.ask(**b)._hidden_params["cache_hit"] is True
    assert t.sent == 1


@pytest.mark.parametrize(("a", "b"), CASES.values(), ids=CASES.keys())
def test_another_tenant_hits_when_the_call_shares(a: dict[str, Any], b: dict[str, Any]) -> None:
    t = Tenants()
    t.ask(**a, cache={"scope": "shared"})
    assert t.ask(**b, cache={"scope": "shared"})._hidden_params["cache_hit"] is True
    assert t.sent == 1


async def test_async_calls_keep_tenants_apart_too() -> None:
    t = Tenants()
    await t.client.acompletion("openai/gpt-4o", USER, api_base=BASE, api_key=KEY_A)
    other = await t.client.acompletion("openai/gpt-4o", USER, api_base=BASE, api_key=KEY_B)
    same = await t.client.acompletion("openai/gpt-4o", USER, api_base=BASE, api_key=KEY_A)
    assert (other._hidden_params["cache_hit"], same._hidden_params["cache_hit"]) == (False, True)
    assert t.ask(api_key=KEY_A)._hidden_params["cache_hit"] is True, "sync and async share keys"


def test_a_call_can_keep_its_credentials_scope_on_a_sharing_client() -> None:
    t = Tenants(cache_scope="shared")
    t.ask(api_key=KEY_A, cache={"scope": "credentials"})
    t.ask(api_key=KEY_B, cache={"scope": "credentials"})
    assert t.sent == 2


def test_shared_and_credentials_entries_do_not_mix() -> None:
    t = Tenants()
    t.ask(api_key=KEY_A, cache={"scope": "shared"})
    assert t.ask(api_key=KEY_A)._hidden_params["cache_hit"] is False


def test_a_revoked_key_is_refused_by_the_provider_not_served_from_the_cache() -> None:
    t = Tenants()
    assert t.ask(api_key=KEY_A).choices[0].message.content == "answer for 6789"
    with pytest.raises(llmport.AuthenticationError):
        t.ask(api_key=REVOKED, num_retries=0)
    assert t.sent == 2


def test_headers_that_change_the_answer_stay_in_the_shared_key() -> None:
    t = Tenants(cache_scope="shared")
    t.ask(extra_headers={"anthropic-beta": "a"})
    t.ask(extra_headers={"anthropic-beta": "b"})
    t.ask(extra_headers={"anthropic-beta": "b", "user-agent": "another-sdk/1", "x-request-id": "r-2"})
    assert t.sent == 2, "a beta header changes the key; transport-only headers do not"


@pytest.mark.parametrize("cache_scope", ["tenant", None, 1])
def test_a_bad_cache_scope_is_a_bad_request(cache_scope: Any) -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        llmport.Client(transport=FakeTransport(_answer), cache_scope=cache_scope)
    assert caught.value.param == "cache_scope"


def test_a_bad_per_call_scope_names_the_field_before_sending() -> None:
    t = Tenants()
    with pytest.raises(llmport.BadRequestError) as caught:
        t.ask(cache={"scope": "everyone"})
    assert caught.value.param == "cache['scope']"
    assert t.sent == 0


# -- the key itself ---------------------------------------------------------------------------


def _call_and_request(**params: Any) -> tuple[Any, HttpRequest]:
    seen: list[tuple[Any, HttpRequest]] = []

    class Spy(OpenAICodec):
        def build_request(self, call: Any) -> HttpRequest:
            http = super().build_request(call)
            seen.append((call, http))
            return http

    class Registry(ProviderRegistry):
        def codec(self, name: str) -> Any:
            return Spy()

    client = llmport.Client(transport=FakeTransport(_answer), registry=Registry(), api_base=BASE)
    client.completion("openai/gpt-4o", USER, **params)
    return seen[0]


def test_the_key_holds_neither_the_secret_nor_its_plain_hash() -> None:
    call, http = _call_and_request(api_key=KEY_A)
    salt = b"s" * 32
    key = cache_key(OpenAICodec(), call, http, salt=salt)
    assert KEY_A not in key
    assert hashlib.sha256(KEY_A.encode()).hexdigest() not in key
    assert cache_key(OpenAICodec(), call, http, salt=salt) == key, "deterministic"
    assert cache_key(OpenAICodec(), call, http, salt=b"t" * 32) != key, "the salt is part of it"
    assert cache_key(OpenAICodec(), call, http, salt=None) != key


def test_two_caches_have_different_salts_and_one_cache_keeps_its_own() -> None:
    salts = Salts()
    first, second = MemoryCache(), MemoryCache()
    assert salts.get(first) == salts.get(first) == first.salt()
    assert salts.get(first) != salts.get(second)


def test_a_disk_cache_salt_is_shared_by_every_instance_on_the_directory(tmp_path: Path) -> None:
    one = llmport.DiskCache(tmp_path / "c")
    two = llmport.DiskCache(tmp_path / "c")
    assert one.salt() == two.salt()
    assert len(one.salt()) == 32
    assert (tmp_path / "c" / "llmport-salt").stat().st_mode & 0o077 == 0, "readable by the owner only"
    one.close()
    two.close()


async def test_a_cache_without_its_own_salt_keeps_one_in_itself() -> None:
    class Plain:
        def __init__(self) -> None:
            self.inner = MemoryCache()

        def get(self, key: str) -> bytes | None:
            return self.inner.get(key)

        def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
            self.inner.set(key, value, ttl)

        async def aget(self, key: str) -> bytes | None:
            return self.inner.get(key)

        async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
            self.inner.set(key, value, ttl)

        def clear(self) -> None:
            self.inner.clear()

    plain = Plain()
    salt = Salts().get(plain)  # type: ignore[arg-type]
    assert plain.inner.get("llmport:salt") == salt
    assert await Salts().aget(plain) == salt  # type: ignore[arg-type]


def test_a_disk_cache_shared_by_two_clients_serves_the_same_tenant_only(tmp_path: Path) -> None:
    first = Tenants(llmport.DiskCache(tmp_path / "c"))
    first.ask(api_key=KEY_A)
    second = Tenants(llmport.DiskCache(tmp_path / "c"))
    assert second.ask(api_key=KEY_A)._hidden_params["cache_hit"] is True
    assert second.ask(api_key=KEY_B)._hidden_params["cache_hit"] is False
    first.cache.close()
    second.cache.close()


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("Authorization", True),
        ("proxy-authorization", True),
        ("x-api-key", True),
        ("x-goog-api-key", True),
        ("X-Custom-Token", True),
        ("cookie", True),
        ("x-tenant", False),
        ("anthropic-beta", False),
    ],
)
def test_secret_headers_are_told_by_name(name: str, secret: bool) -> None:
    assert is_secret_header(name) is secret


@pytest.mark.parametrize(
    ("name", "identity"),
    [
        ("x-tenant", True),
        ("x-tenant-id", True),
        ("openai-organization", True),
        ("openai-project", True),
        ("x-user-id", True),
        ("anthropic-beta", False),
        ("content-type", False),
        ("x-stainless-lang", False),
    ],
)
def test_identity_headers_are_told_by_name(name: str, identity: bool) -> None:
    assert is_identity_header(name) is identity


def test_aws_credentials_scope_bedrock_entries() -> None:
    pytest.importorskip("botocore")
    from llmport.testing.bedrock_server import FakeBedrockServer

    with FakeBedrockServer() as server:
        client = llmport.Client(cache=MemoryCache())

        def ask(access: str, secret: str) -> Any:
            return client.completion(
                "bedrock/anthropic.claude-3-haiku-20240307-v1:0", USER, api_base=server.base_url,
                aws_region_name="us-east-1", aws_access_key_id=access, aws_secret_access_key=secret,
            )  # fmt: skip

        ask("AKIDTENANTA", "secret-a-0123456789")
        assert ask("AKIDTENANTB", "secret-b-0123456789")._hidden_params["cache_hit"] is False
        assert ask("AKIDTENANTA", "secret-a-0123456789")._hidden_params["cache_hit"] is True
        assert len(server.requests) == 2
        client.close()

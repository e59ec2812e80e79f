"""The auth step (per attempt, refresh-and-resend on 401, secrets scrubbed) and host settings."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

import llmport
from llmport.adapters.providers.auth import BearerAuth, HeaderKeyAuth, NoAuth
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.ports.auth import Auth, Authorized, AuthScheme
from llmport.ports.codec import Host, HostSetting, ProviderCall
from llmport.testing import FakeClock, FakeTransport, HttpRequest, HttpResponse, StaticCredentials, from_sse

USER = [{"role": "user", "content": "hi"}]
ANSWER = {
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}]
}
BASE = "http://127.0.0.1:9/v1"


class RotatingToken:
    """A token auth whose credential changes on every apply and that can refresh after a 401."""

    def __init__(self, scheme: AuthScheme) -> None:
        self.scheme = scheme
        self.applied: list[str] = []
        self.refreshes = 0
        self.can_refresh = True

    def check(self, call: ProviderCall) -> None:
        return None

    def apply(self, request: HttpRequest, call: ProviderCall) -> Authorized:
        token = f"tok-secret-{len(self.applied)}-{self.refreshes}"
        self.applied.append(token)
        return Authorized(
            replace(request, headers={**request.headers, "authorization": f"Bearer {token}"}), (token,)
        )

    async def aapply(self, request: HttpRequest, call: ProviderCall) -> Authorized:
        return await asyncio.to_thread(self.apply, request, call)

    def refresh(self, call: ProviderCall) -> bool:
        self.refreshes += 1
        return self.can_refresh

    async def arefresh(self, call: ProviderCall) -> bool:
        return self.refresh(call)


def _client(
    handler: Any, cache: llmport.MemoryCache | None = None, **host: Any
) -> tuple[llmport.Client, FakeTransport, RotatingToken]:
    auth: list[RotatingToken] = []

    def make(scheme: AuthScheme) -> Auth:
        auth.append(RotatingToken(scheme))
        return auth[-1]

    row = {"prefix": "tok", "codec": "openai", "default_base": BASE, "auth": AuthScheme("rotating"), **host}
    registry = ProviderRegistry().with_auths(rotating=make).with_hosts(Host(**row))
    fake = FakeTransport(handler)
    client = llmport.Client(
        transport=fake,
        registry=registry,
        clock=FakeClock(),
        credentials=StaticCredentials({}),
        num_retries=2,
        cache=cache,
    )
    registry.auth(AuthScheme("rotating"))
    return client, fake, auth[0]


def test_each_attempt_is_authorized_anew_just_before_sending() -> None:
    answers = iter(
        [HttpResponse.from_json({"error": {"message": "busy"}}, 500), HttpResponse.from_json(ANSWER)]
    )
    client, fake, auth = _client(lambda request: next(answers), cache=llmport.MemoryCache())
    assert client.completion("tok/m", USER).choices[0].message.content == "ok"
    assert [r.headers["authorization"] for r in fake.requests] == [f"Bearer {t}" for t in auth.applied]
    assert len(set(auth.applied)) == 2
    # The cache key is computed from the request before auth: a token that rotates on every
    # attempt does not change it, so the same question is answered from the cache.
    again = client.completion("tok/m", USER)
    assert again._hidden_params["cache_hit"] is True
    assert len(fake.requests) == 2


def test_a_401_is_sent_once_more_after_a_refresh() -> None:
    answers = iter(
        [HttpResponse.from_json({"error": {"message": "expired"}}, 401), HttpResponse.from_json(ANSWER)]
    )
    client, fake, auth = _client(lambda request: next(answers))
    assert client.completion("tok/m", USER).choices[0].message.content == "ok"
    assert auth.refreshes == 1
    assert len(fake.requests) == 2


def test_a_401_the_auth_cannot_refresh_fails_at_once_with_the_token_scrubbed() -> None:
    def echo(request: HttpRequest) -> HttpResponse:
        token = request.headers["authorization"].removeprefix("Bearer ")
        return HttpResponse.from_json({"error": {"message": f"token {token} revoked"}}, 401)

    client, fake, auth = _client(echo)
    auth.can_refresh = False
    with pytest.raises(llmport.AuthenticationError) as raised:
        client.completion("tok/m", USER)
    assert len(fake.requests) == 1
    assert auth.applied[0] not in str(raised.value)
    assert auth.applied[0] not in repr(raised.value.body)


def test_a_refresh_resends_only_once() -> None:
    client, fake, auth = _client(lambda request: HttpResponse.from_json({"error": {"message": "no"}}, 401))
    with pytest.raises(llmport.AuthenticationError):
        client.completion("tok/m", USER)
    assert (len(fake.requests), auth.refreshes) == (2, 1)


async def test_async_and_streamed_attempts_are_authorized_too() -> None:
    answers = iter(
        [
            HttpResponse.from_json({"error": {"message": "expired"}}, 401),
            from_sse([{"choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]}]),
        ]
    )
    client, fake, auth = _client(lambda request: next(answers))
    stream = await client.acompletion("tok/m", USER, stream=True)
    assert [chunk.choices[0].delta.content async for chunk in stream] == ["ok"]
    assert [r.headers["authorization"] for r in fake.requests] == [f"Bearer {t}" for t in auth.applied]
    assert auth.refreshes == 1


def _call(host: Host, key: str | None, base: str | None = None) -> ProviderCall:
    from pydantic import SecretStr

    from llmport.domain.models.request import TimeoutConfig, build_request

    return ProviderCall(
        request=build_request("x/m", USER, {}), host=host, model="m", api_base=base or str(host.default_base),
        api_key=SecretStr(key) if key else None, api_version=None, timeout=TimeoutConfig(),
    )  # fmt: skip


def test_built_in_auths() -> None:
    host = Host(prefix="x", codec="openai", default_base=BASE, key_env=("X_KEY",))
    request = HttpRequest("POST", BASE, {"accept": "application/json"})
    bearer = BearerAuth(AuthScheme("bearer")).apply(request, _call(host, "k1"))
    assert bearer.request.headers["authorization"] == "Bearer k1"
    assert "k1" in bearer.request.secrets
    assert bearer.secrets == ("k1",)
    header = HeaderKeyAuth(AuthScheme("header", header="X-Goog-Api-Key")).apply(request, _call(host, "k2"))
    assert header.request.headers["x-goog-api-key"] == "k2"
    assert NoAuth(AuthScheme("none")).apply(request, _call(host, "k3")).request is request
    assert BearerAuth(AuthScheme("bearer")).apply(request, _call(host, None)).request is request
    # A header the caller set explicitly is kept.
    own = replace(request, headers={"authorization": "Bearer mine"})
    assert (
        BearerAuth(AuthScheme("bearer")).apply(own, _call(host, "k1")).request.headers["authorization"]
        == "Bearer mine"
    )


def test_the_key_required_check_is_the_auths() -> None:
    host = Host(prefix="x", codec="openai", default_base=BASE, key_env=("X_KEY",))
    with pytest.raises(llmport.AuthenticationError, match="X_KEY"):
        BearerAuth(AuthScheme("bearer")).check(_call(host, None))
    BearerAuth(AuthScheme("bearer")).check(_call(host, None, "http://127.0.0.1:1"))  # a server of your own
    BearerAuth(AuthScheme("bearer", required=False)).check(_call(host, None))
    NoAuth(AuthScheme("none")).check(_call(host, None))


def test_registry_resolves_schemes_lazily_and_refuses_unknown_ones() -> None:
    registry = ProviderRegistry()
    auth = registry.auth(AuthScheme("header", header="api-key"))
    assert isinstance(auth, HeaderKeyAuth)
    assert auth is registry.auth(AuthScheme("header", header="api-key"))
    azure = registry.host("azure")
    assert azure is not None
    assert azure.auth == AuthScheme("header", header="api-key")
    with pytest.raises(llmport.BadRequestError, match="sigv9"):
        registry.auth(AuthScheme("sigv9"))


# -- host settings ---------------------------------------------------------------------------

REGION = HostSetting("region", kwargs=("x_region",), env=("X_REGION",), default="eu-1")
SECRET = HostSetting("session", kwargs=("x_session_token",), secret=True)


def _settings_client(env: dict[str, str]) -> tuple[llmport.Client, FakeTransport]:
    host = Host(
        prefix="regional", codec="openai", default_base="http://127.0.0.1:9/{region}/v1",
        auth=AuthScheme("bearer", required=False), settings=(REGION, SECRET),
    )  # fmt: skip
    registry = ProviderRegistry(hosts=[host])
    fake = FakeTransport(lambda request: HttpResponse.from_json(ANSWER))
    client = llmport.Client(
        transport=fake, registry=registry, clock=FakeClock(), credentials=StaticCredentials(env)
    )
    return client, fake


@pytest.mark.parametrize(
    ("env", "kwargs", "region"),
    [
        ({}, {}, "eu-1"),
        ({"X_REGION": "us-2"}, {}, "us-2"),
        ({"X_REGION": "us-2"}, {"x_region": "ap-3"}, "ap-3"),
    ],
)
def test_settings_resolve_call_then_env_then_default_into_the_base(
    env: dict[str, str], kwargs: dict[str, str], region: str
) -> None:
    client, fake = _settings_client(env)
    client.completion("regional/m", USER, **kwargs)
    assert fake.last_request.url == f"http://127.0.0.1:9/{region}/v1/chat/completions"
    assert "x_region" not in fake.last_request.json()


def test_a_secret_setting_is_never_sent_in_the_body_and_is_scrubbed() -> None:
    client, fake = _settings_client({})
    fake._handler = lambda request: HttpResponse.from_json(
        {"error": {"message": "bad session sess-abc"}}, 400
    )
    with pytest.raises(llmport.BadRequestError) as raised:
        client.completion("regional/m", USER, x_session_token="sess-abc")
    assert "x_session_token" not in fake.last_request.json()
    assert "sess-abc" not in str(raised.value)


def test_azure_api_version_is_a_host_setting() -> None:
    registry = ProviderRegistry()
    azure = registry.host("azure")
    assert azure is not None
    [setting] = azure.settings
    assert (setting.name, setting.env) == ("api_version", ("AZURE_API_VERSION", "OPENAI_API_VERSION"))


def test_the_key_check_knows_a_templated_default_base() -> None:
    base = "http://127.0.0.1:9/{region}"
    registry = ProviderRegistry().with_hosts(
        Host(prefix="regional", codec="openai", default_base=base, key_env=("R_KEY",), settings=(REGION,))
    )
    fake = FakeTransport(lambda request: HttpResponse.from_json(ANSWER))
    client = llmport.Client(transport=fake, registry=registry, credentials=StaticCredentials({}))
    with pytest.raises(llmport.AuthenticationError, match="R_KEY"):
        client.completion("regional/m", USER)
    client.completion("regional/m", USER, api_base="http://127.0.0.1:9/own")  # a server of your own
    assert len(fake.requests) == 1

"""The public extension API: llmport.providers, immutable registries, rows added per client and container."""

from __future__ import annotations

import copy
import dataclasses

import pytest
from dependency_injector import containers, providers

import llmport
from llmport.app.container import LLMPortContainer
from llmport.providers import HOSTS, AuthScheme, Host, ProviderRegistry
from llmport.testing import FakeTransport, StaticCredentials, openai_reply

USER = [{"role": "user", "content": "hi"}]
ACME = Host(
    prefix="acme", codec="openai", default_base="http://127.0.0.1:9/acme/v1", key_env=("ACME_API_KEY",)
)


def _answering(text: str) -> FakeTransport:
    return FakeTransport(lambda request: openai_reply(text))


def test_the_public_module_names_everything_an_extension_needs() -> None:
    import llmport.providers as public

    for name in ("Host", "ParamRules", "ModelRule", "ProviderCodec", "Framer", "ProviderRegistry", "HOSTS"):
        assert name in public.__all__
        assert getattr(public, name) is not None
    assert "providers" in dir(llmport)


def test_a_registry_without_arguments_holds_the_built_ins_and_rows_are_added() -> None:
    assert {host.prefix for host in ProviderRegistry().hosts} == {host.prefix for host in HOSTS}
    extended = ProviderRegistry(hosts=[ACME])
    assert extended.host("acme") is ACME
    assert len(extended.hosts) == len(HOSTS) + 1
    assert ProviderRegistry(hosts=[ACME], builtins=False).hosts == (ACME,)


def test_with_methods_return_new_registries_and_leave_the_original_alone() -> None:
    base = ProviderRegistry()
    with_acme = base.with_hosts(ACME)
    assert base.host("acme") is None
    assert with_acme.host("acme") is ACME
    routed = with_acme.with_bare_models({"acme-": "acme"})
    assert routed.host_for_bare_model("acme-large") is ACME
    assert with_acme.host_for_bare_model("acme-large") is None
    assert routed.host_for_bare_model("gpt-4o") is base.host("openai")  # built-in routes stay
    codec = object()
    with_codec = base.with_codecs(acme=codec)  # type: ignore[arg-type]
    assert with_codec.codec("acme") is codec
    with pytest.raises(llmport.BadRequestError):
        base.codec("acme")


def test_a_row_with_a_built_in_prefix_replaces_it_for_that_registry_only() -> None:
    gateway = dataclasses.replace(ProviderRegistry().host("openai"), default_base="http://127.0.0.1:9/gw/v1")
    fake = _answering("via gateway")
    client = llmport.Client(hosts=[gateway], transport=fake, api_key="sk-test")
    assert client.completion("gpt-4o", USER).choices[0].message.content == "via gateway"
    assert fake.last_request.url == "http://127.0.0.1:9/gw/v1/chat/completions"
    assert ProviderRegistry().host("openai").default_base == "https://api.openai.com/v1"


def test_client_hosts_add_to_the_built_ins() -> None:
    fake = _answering("from acme")
    client = llmport.Client(
        hosts=[ACME],
        transport=fake,
        credentials=StaticCredentials({"ACME_API_KEY": "sk-acme", "OPENAI_API_KEY": "sk-o"}),
    )
    assert client.completion("acme/large", USER).choices[0].message.content == "from acme"
    assert fake.last_request.headers["authorization"] == "Bearer sk-acme"
    client.completion("gpt-4o", USER)
    assert fake.last_request.url.startswith("https://api.openai.com/")


def test_hosts_with_a_registry_of_another_kind_are_refused() -> None:
    class Mine:
        def host(self, prefix: str) -> None:
            return None

    with pytest.raises(TypeError, match="extends a ProviderRegistry"):
        llmport.Client(hosts=[ACME], registry=Mine())  # type: ignore[arg-type]


def test_rows_and_registries_are_deep_copyable_so_singleton_providers_work() -> None:
    for row in HOSTS:
        assert copy.deepcopy(row) == row
    registry = ProviderRegistry(hosts=[ACME])
    assert copy.deepcopy(registry) is registry

    class Application(containers.DeclarativeContainer):
        registry = providers.Singleton(ProviderRegistry, hosts=[ACME, *HOSTS[:3]])

    assert Application().registry().host("acme") is ACME


def test_the_container_takes_extra_rows_and_follows_a_registry_change_after_first_use() -> None:
    class Application(containers.DeclarativeContainer):
        llm = providers.Container(
            LLMPortContainer,
            extra_hosts=providers.Object([ACME]),
            transport=providers.Object(_answering("a")),
        )

    app = Application()
    app.llm.config.from_dict({"api_key": "sk-test"})
    client = app.llm.client()
    assert client.completion("acme/large", USER).choices[0].message.content == "a"
    other = dataclasses.replace(ACME, prefix="other", auth=AuthScheme("bearer", required=False))
    with app.llm.registry.override(providers.Object(ProviderRegistry(hosts=[other]))):
        assert client.completion("other/m", USER).choices[0].message.content == "a"
        with pytest.raises(llmport.BadRequestError):
            client.completion("acme/large", USER)
    assert client.completion("acme/large", USER).choices[0].message.content == "a"

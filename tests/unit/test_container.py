"""The container is the composition root: its slots can be filled by a host application."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import containers, providers

import llmport
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.app.container import LLMPortContainer
from llmport.testing import (
    FakeClock,
    FakeTransport,
    HttpResponse,
    MemoryCache,
    MemoryLogger,
    StaticCredentials,
)

from .conftest import USER, chat


class Application(containers.DeclarativeContainer):
    """A host's own container embedding llmport's, as a DDD codebase would."""

    transport = providers.Singleton(FakeTransport, lambda request: chat("from the host's transport"))
    llm = providers.Container(
        LLMPortContainer,
        transport=transport,
        credentials=providers.Object(StaticCredentials({"OPENAI_API_KEY": "sk-host"})),
        clock=providers.Object(FakeClock()),
    )


def test_a_host_container_supplies_the_adapters() -> None:
    app = Application()
    client = app.llm.client()
    assert isinstance(client, llmport.Client)
    assert client.completion("gpt-4o", USER).choices[0].message.content == "from the host's transport"
    assert app.transport().last_request.headers["authorization"] == "Bearer sk-host"


def test_a_slot_can_be_overridden_in_a_scope() -> None:
    container = LLMPortContainer()
    fake = FakeTransport(lambda request: chat("overridden"))
    logger = MemoryLogger()
    with (
        container.transport.override(providers.Object(fake)),
        container.logger.override(providers.Object(logger)),
    ):
        container.credentials.override(providers.Object(StaticCredentials({"OPENAI_API_KEY": "sk-x"})))
        client = container.client()
        assert client.completion("gpt-4o", USER).choices[0].message.content == "overridden"
    assert logger.events
    assert fake.requests


def test_each_container_has_its_own_singletons() -> None:
    first, second = LLMPortContainer(), LLMPortContainer()
    assert first.dispatcher() is first.dispatcher()
    assert first.dispatcher() is not second.dispatcher()


def test_client_arguments_reach_the_wiring() -> None:
    fake = FakeTransport(responses=[HttpResponse.from_json({"choices": [{"message": {"content": "x"}}]})])
    with llmport.Client(
        transport=fake, api_key="sk-arg", api_base="http://127.0.0.1:9/v1", timeout=7
    ) as client:
        client.completion("gpt-4o", USER)
    request = fake.last_request
    assert request.url == "http://127.0.0.1:9/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-arg"
    assert request.timeout.read == 7
    assert fake.closed
    assert "sk-arg" not in repr(client)


def _keyed() -> providers.Object[StaticCredentials]:
    return providers.Object(StaticCredentials({"OPENAI_API_KEY": "sk-x"}))


def test_an_override_reaches_a_client_already_used_and_ends_with_the_with() -> None:
    container = LLMPortContainer()
    container.credentials.override(_keyed())
    default = FakeTransport(lambda request: chat("default"))
    container.transport.override(providers.Object(default))
    client = container.client()
    assert client.completion("gpt-4o", USER).choices[0].message.content == "default"
    scoped = FakeTransport(lambda request: chat("scoped"))
    with container.transport.override(providers.Object(scoped)):
        assert client.completion("gpt-4o", USER).choices[0].message.content == "scoped"
    assert client.completion("gpt-4o", USER).choices[0].message.content == "default"
    assert len(scoped.requests) == 1
    assert len(default.requests) == 2


async def test_an_override_reaches_an_async_client_already_used() -> None:
    container = LLMPortContainer()
    container.credentials.override(_keyed())
    container.transport.override(providers.Object(FakeTransport(lambda request: chat("default"))))
    client = container.client()
    assert (await client.acompletion("gpt-4o", USER)).choices[0].message.content == "default"
    with container.transport.override(providers.Object(FakeTransport(lambda request: chat("scoped")))):
        assert (await client.acompletion("gpt-4o", USER)).choices[0].message.content == "scoped"
    assert (await client.acompletion("gpt-4o", USER)).choices[0].message.content == "default"


def test_reset_singletons_inside_the_with_does_not_make_the_override_outlive_it() -> None:
    container = LLMPortContainer()
    container.credentials.override(_keyed())
    container.transport.override(providers.Object(FakeTransport(lambda request: chat("default"))))
    client = container.client()
    client.completion("gpt-4o", USER)
    with container.transport.override(providers.Object(FakeTransport(lambda request: chat("scoped")))):
        container.reset_singletons()
        assert client.completion("gpt-4o", USER).choices[0].message.content == "scoped"
    assert client.completion("gpt-4o", USER).choices[0].message.content == "default"


def test_every_port_override_is_followed_after_first_use() -> None:
    container = LLMPortContainer()
    fake = FakeTransport(lambda request: chat("x"))
    container.transport.override(providers.Object(fake))
    container.credentials.override(_keyed())
    client = container.client()
    client.completion("gpt-4o", USER)
    logger, cache, clock = MemoryLogger(), MemoryCache(), FakeClock(start=42.0)
    with (
        container.logger.override(providers.Object(logger)),
        container.cache.override(providers.Object(cache)),
        container.clock.override(providers.Object(clock)),
        container.credentials.override(providers.Object(StaticCredentials({"OPENAI_API_KEY": "sk-y"}))),
    ):
        client.completion("gpt-4o", USER, caching=True)
        assert fake.last_request.headers["authorization"] == "Bearer sk-y"
        assert logger.events
        assert len(cache) == 1
        assert client.dispatcher.clock is clock
    client.completion("gpt-4o", USER)
    assert fake.last_request.headers["authorization"] == "Bearer sk-x"
    assert client.dispatcher.clock is not clock
    assert client.dispatcher.cache is None


def test_a_registry_override_is_followed_after_first_use() -> None:
    container = LLMPortContainer()
    container.transport.override(providers.Object(FakeTransport(lambda request: chat("x"))))
    container.credentials.override(_keyed())
    client = container.client()
    client.completion("gpt-4o", USER)
    registry = ProviderRegistry(builtins=False)
    with container.registry.override(providers.Object(registry)):
        assert client.dispatcher.registry is registry
    assert client.dispatcher.registry is not registry


def test_config_takes_plain_values_like_client_arguments() -> None:
    container = LLMPortContainer()
    fake = FakeTransport(lambda request: chat("configured"))
    container.transport.override(providers.Object(fake))
    container.config.from_dict(
        {"api_key": "sk-config", "api_base": "http://127.0.0.1:9/v1", "timeout": 7, "num_retries": 0}
    )
    client = container.client()
    assert client.completion("gpt-4o", USER).choices[0].message.content == "configured"
    assert fake.last_request.headers["authorization"] == "Bearer sk-config"
    assert fake.last_request.url == "http://127.0.0.1:9/v1/chat/completions"
    assert fake.last_request.timeout.read == 7
    assert client.dispatcher.settings.num_retries == 0
    container.config.num_retries.from_value("3")  # as an env var or .ini file would give it
    assert client.dispatcher.settings.num_retries == 3
    assert "sk-config" not in repr(client)


@pytest.mark.parametrize(
    ("config", "error", "words"),
    [
        ({"num_retries": -1}, TypeError, "config.num_retries must be a non-negative integer"),
        ({"api_key": 123}, TypeError, "config.api_key must be a string"),
        ({"drop_params": "perhaps"}, TypeError, "config.drop_params must be True or False"),
        ({"log_level": "LOUD"}, ValueError, "config.log_level must be one of"),
        ({"num_retry": 1}, ValueError, "no setting ['num_retry']"),
        ({"cache": "redis"}, ValueError, "config.cache must be 'memory', 'disk' or None"),
        ({"async_transport": "curl"}, ValueError, "config.async_transport must be 'aiohttp' or 'httpx'"),
        ({"timeout": "soon"}, llmport.BadRequestError, "timeout must be a number of seconds"),
    ],
)
def test_config_values_are_checked_with_clear_errors(
    config: dict[str, object], error: type[Exception], words: str
) -> None:
    container = LLMPortContainer()
    container.transport.override(providers.Object(FakeTransport(lambda request: chat())))
    container.config.from_dict(config)
    with pytest.raises(error) as caught:
        container.client().completion("gpt-4o", USER, api_key="sk-x")
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"num_retries": -1}, TypeError, "Client(num_retries=...) must be a non-negative integer"),
        ({"api_key": 123}, TypeError, "Client(api_key=...) must be a string"),
        ({"log_level": "LOUD"}, ValueError, "Client(log_level=...) must be one of"),
        ({"ssl_verify": 3}, TypeError, "Client(ssl_verify=...) must be True, False"),
        ({"async_transport": "curl"}, ValueError, "Client(async_transport=...) must be 'aiohttp' or 'httpx'"),
    ],
)
def test_client_arguments_are_checked_with_the_same_words(
    kwargs: dict[str, Any], error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as caught:
        llmport.Client(**kwargs)
    assert words in str(caught.value)


def test_config_cache_builds_the_named_cache(tmp_path: Path) -> None:
    container = LLMPortContainer()
    container.config.from_dict({"cache": "disk", "cache_dir": str(tmp_path)})
    assert type(container.cache()).__name__ == "DiskCache"
    other = LLMPortContainer()
    other.config.cache.from_value("memory")
    assert isinstance(other.cache(), MemoryCache)
    assert LLMPortContainer().cache() is None


def test_shutdown_resources_closes_the_default_transport_pools() -> None:
    from llmport.testing import FakeOpenAIServer

    container = LLMPortContainer()
    with FakeOpenAIServer() as server:
        container.config.from_dict({"api_key": "sk-x", "api_base": server.base_url})
        client = container.client()
        assert client.completion("gpt-4o", USER).choices[0].message.content
        routing = container.transport()
        pool = routing.default.sync._client
        assert pool is not None
        assert not pool.is_closed
        container.shutdown_resources()
        assert pool.is_closed
        # The next call builds a fresh transport rather than using the closed one.
        assert client.completion("gpt-4o", USER).choices[0].message.content
        assert container.transport() is not routing
        container.shutdown_resources()


def test_a_first_mock_call_loads_no_container_machinery_nor_http_library() -> None:
    code = (
        "import sys, llmport\n"
        "llmport.completion(model='gpt-4o-mini', messages=[{'role': 'user', 'content': 'hi'}],"
        " mock_response='x')\n"
        "loaded = [m for m in ('dependency_injector.wiring', 'dependency_injector.containers', 'httpx',"
        " 'aiohttp', 'asyncio', 'ssl', 'concurrent.futures', 'llmport.app.container') if m in sys.modules]\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_neither_the_client_nor_the_bootstrap_imports_the_container() -> None:
    import ast

    import llmport.app.bootstrap as bootstrap_module
    import llmport.app.client as client_module

    for module in (client_module, bootstrap_module):
        tree = ast.parse(Path(module.__file__).read_text())
        imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        imported += [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
        assert not [name for name in imported if "container" in name or "dependency_injector" in name]


def test_a_container_built_client_and_a_keyword_built_one_are_wired_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LLMPORT_LOG", raising=False)
    settings = {"api_key": "sk-same", "api_base": "http://127.0.0.1:9/v1", "timeout": 9, "num_retries": 1}
    container = LLMPortContainer()
    container.config.from_dict({**settings, "drop_params": True, "log_level": "INFO"})
    from_container = container.client().dispatcher
    from_keywords = llmport.Client(**settings, drop_params=True, log_level="INFO").dispatcher
    for port in ("transport", "registry", "credentials", "logger", "clock"):
        assert type(getattr(from_container, port)) is type(getattr(from_keywords, port)), port
    assert from_container.settings == from_keywords.settings
    assert from_container.logger.level == from_keywords.logger.level == "INFO"
    assert type(from_container.transport.default) is type(from_keywords.transport.default)
    assert from_container.cache is from_keywords.cache is None
    assert [type(o) for o in from_container.observers] == [type(o) for o in from_keywords.observers]
    assert type(from_container.costing) is type(from_keywords.costing)
    container.shutdown_resources()


def test_both_send_the_same_request() -> None:
    sent = []
    for build in (
        lambda fake: llmport.Client(transport=fake, api_key="sk-same", timeout=9),
        lambda fake: _container_client(fake, {"api_key": "sk-same", "timeout": 9}),
    ):
        fake = FakeTransport(lambda request: chat("same"))
        build(fake).completion("gpt-4o", USER, temperature=0.1)
        request = fake.last_request
        sent.append((request.url, dict(request.headers), request.body, request.timeout))
    assert sent[0] == sent[1]


def _container_client(fake: FakeTransport, config: dict[str, Any]) -> llmport.Client:
    container = LLMPortContainer()
    container.config.from_dict(config)
    container.transport.override(providers.Object(fake))
    client: llmport.Client = container.client()
    return client

"""The container is the composition root: its slots can be filled by a host application."""

from dependency_injector import containers, providers

import llmport
from llmport.app.container import LLMPortContainer
from llmport.testing import FakeClock, FakeTransport, HttpResponse, MemoryLogger, StaticCredentials

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

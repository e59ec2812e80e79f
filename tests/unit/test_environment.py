"""litellm's ``get_llm_provider`` and ``validate_environment``, read off the routing ``completion()`` applies.

The environment is a ``StaticCredentials`` mapping; the client is made current with ``use_client``,
as module-level helpers read the current client. The base URL returned must be the one a call
posts to (captured by a ``FakeTransport``), so the helper cannot drift from the dispatcher.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import llmport
from llmport.testing import FakeTransport, HttpRequest, HttpResponse, StaticCredentials, openai_reply

HI = [{"role": "user", "content": "hi"}]


def client(env: dict[str, str], **options: object) -> llmport.Client:
    transport = FakeTransport(lambda _r: openai_reply("ok"))
    return llmport.Client(transport=transport, credentials=StaticCredentials(env), num_retries=0, **options)


@pytest.fixture
def bare() -> Iterator[llmport.Client]:
    with llmport.use_client(client({})) as scoped:
        yield scoped


@pytest.mark.parametrize(
    ("model", "provider", "name"),
    [
        ("gpt-4o", "openai", "gpt-4o"),
        ("openai/gpt-4o-mini", "openai", "gpt-4o-mini"),
        ("groq/llama-3.1-8b-instant", "groq", "llama-3.1-8b-instant"),
        ("claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"),
        (
            "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
            "bedrock",
            "anthropic.claude-3-haiku-20240307-v1:0",
        ),
        ("ollama_chat/qwen3", "ollama_chat", "qwen3"),
    ],
)
def test_the_provider_and_the_model_without_its_prefix(
    bare: llmport.Client, model: str, provider: str, name: str
) -> None:
    found_name, found_provider, _key, _base = llmport.get_llm_provider(model)

    assert (found_name, found_provider) == (name, provider)


def test_custom_llm_provider_names_the_provider(bare: llmport.Client) -> None:
    assert llmport.get_llm_provider("my-model", custom_llm_provider="groq")[:2] == ("my-model", "groq")


def test_an_unknown_model_raises_bad_request_as_in_litellm(bare: llmport.Client) -> None:
    with pytest.raises(llmport.BadRequestError, match="nonsense-model"):
        llmport.get_llm_provider("nonsense-model")


def test_key_and_base_come_from_the_arguments_then_the_environment_then_the_default() -> None:
    env = {"GROQ_API_KEY": "gsk-from-env", "MISTRAL_API_BASE": "http://127.0.0.1:9/mistral"}
    with llmport.use_client(client(env)):
        assert llmport.get_llm_provider("groq/m")[2:] == ("gsk-from-env", "https://api.groq.com/openai/v1")
        assert llmport.get_llm_provider("groq/m", api_key="gsk-arg", api_base="http://127.0.0.1:8")[2:] == (
            "gsk-arg",
            "http://127.0.0.1:8",
        )
        assert llmport.get_llm_provider("mistral/m")[3] == "http://127.0.0.1:9/mistral"


def test_a_base_that_needs_a_setting_takes_it_from_the_environment() -> None:
    with llmport.use_client(client({"AWS_REGION": "eu-west-1"})):
        assert llmport.get_llm_provider("bedrock/m")[3] == "https://bedrock-runtime.eu-west-1.amazonaws.com"
    with llmport.use_client(client({})):
        assert llmport.get_llm_provider("azure/my-deployment")[3] is None  # Azure has no default base


@pytest.mark.parametrize("model", ["gpt-4o", "groq/llama-3.1-8b-instant", "mistral/mistral-small-latest"])
def test_the_base_returned_is_the_one_a_call_posts_to(model: str) -> None:
    sent: list[HttpRequest] = []

    def capture(request: HttpRequest) -> HttpResponse:
        sent.append(request)
        return openai_reply("ok")

    scoped = llmport.Client(transport=FakeTransport(capture), credentials=StaticCredentials({}), api_key="k")
    with llmport.use_client(scoped):
        base = llmport.get_llm_provider(model)[3]
        llmport.completion(model, HI)

    assert base is not None
    assert sent[0].url.startswith(base + "/")


def test_missing_keys_are_named_by_their_first_variable(bare: llmport.Client) -> None:
    assert llmport.validate_environment("gpt-4o") == {
        "keys_in_environment": False,
        "missing_keys": ["OPENAI_API_KEY"],
    }
    assert llmport.validate_environment("azure/dep") == {
        "keys_in_environment": False,
        "missing_keys": ["AZURE_API_KEY", "AZURE_API_BASE"],
    }


def test_a_key_in_the_environment_or_given_satisfies_it() -> None:
    with llmport.use_client(client({"OPENAI_API_KEY": "sk-env"})):
        assert llmport.validate_environment("gpt-4o") == {"keys_in_environment": True, "missing_keys": []}
    with llmport.use_client(client({})):
        assert llmport.validate_environment("gpt-4o", api_key="sk-arg")["keys_in_environment"] is True
    with llmport.use_client(client({}, api_key="sk-client")):
        assert llmport.validate_environment("gpt-4o")["missing_keys"] == []


def test_hosts_without_a_key_or_with_other_credentials_need_none(bare: llmport.Client) -> None:
    for model in (
        "ollama_chat/qwen3",
        "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
        "vertex_ai/gemini-2.5-flash",
    ):
        assert llmport.validate_environment(model) == {"keys_in_environment": True, "missing_keys": []}


def test_no_model_or_an_unknown_one_gives_litellms_empty_answer(bare: llmport.Client) -> None:
    empty = {"keys_in_environment": False, "missing_keys": []}
    assert llmport.validate_environment() == empty
    assert llmport.validate_environment("nonsense-model") == empty


def test_check_valid_key_makes_one_short_call_with_the_key() -> None:
    sent: list[HttpRequest] = []

    def answer(request: HttpRequest) -> HttpResponse:
        sent.append(request)
        if request.headers["authorization"] != "Bearer sk-good":
            return HttpResponse.from_json({"error": {"message": "bad key", "code": "invalid_api_key"}}, 401)
        return openai_reply("fine")

    scoped = llmport.Client(transport=FakeTransport(answer), credentials=StaticCredentials({}))
    with llmport.use_client(scoped):
        assert llmport.check_valid_key("gpt-4o-mini", "sk-good") is True
        assert llmport.check_valid_key("gpt-4o-mini", "sk-bad") is False
        assert llmport.check_valid_key("nonsense-model", "sk-good") is False  # unroutable: no call

    assert [request.json()["max_tokens"] for request in sent] == [10, 10]

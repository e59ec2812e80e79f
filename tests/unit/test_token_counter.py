"""token_counter: exact for cl100k OpenAI models, estimates said to be so, provider counts on request."""

from __future__ import annotations

import pytest

import llmport
from llmport.testing import FakeTransport, HttpRequest, HttpResponse, StaticCredentials

HELLO = [{"role": "user", "content": "Hello, how are you?"}]


def test_cl100k_models_are_counted_exactly_from_the_packaged_encoding() -> None:
    # OpenAI's tiktoken README: "tiktoken is great!" is 6 tokens in cl100k_base.
    assert llmport.token_counter(model="gpt-4", text="tiktoken is great!", return_estimate_flag=True) == (
        6,
        False,
    )
    assert llmport.token_counter(model="openai/gpt-3.5-turbo", text="hello world") == 2


def test_chat_messages_carry_openais_per_message_overhead() -> None:
    # 3 per message + "user" (1) + the text (6) + 3 priming the reply.
    assert llmport.token_counter(model="gpt-4", messages=HELLO, return_estimate_flag=True) == (13, False)
    named = [{"role": "user", "name": "ann", "content": "Hello, how are you?"}]
    assert llmport.token_counter(model="gpt-4", messages=named) == 13 + 1 + 1  # the name, and its token


def test_o200k_and_other_providers_models_are_estimates_and_say_so() -> None:
    for model in ("gpt-4o", "anthropic/claude-3-5-haiku-20241022", "mistral/mistral-small-latest"):
        tokens, estimate = llmport.token_counter(model=model, messages=HELLO, return_estimate_flag=True)
        assert estimate is True
        assert tokens == 13  # estimated with cl100k, which is installed


def test_images_make_an_openai_count_an_estimate() -> None:
    parts = [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": "http://x/i.png"}},
    ]
    _, estimate = llmport.token_counter(model="gpt-4", messages=[{"role": "user", "content": parts}],
                                        return_estimate_flag=True)  # fmt: skip
    assert estimate is True


def test_exact_asks_anthropics_count_endpoint() -> None:
    seen: list[HttpRequest] = []

    def provider(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse.from_json({"input_tokens": 14})

    client = llmport.Client(
        transport=FakeTransport(provider),
        credentials=StaticCredentials({"ANTHROPIC_API_KEY": "sk-ant-test-1"}),
    )
    with llmport.use_client(client):
        counted = llmport.token_counter(
            model="anthropic/claude-3-5-haiku-20241022",
            messages=[{"role": "system", "content": "be brief"}, *HELLO],
            exact=True,
            return_estimate_flag=True,
        )
    assert counted == (14, False)
    (request,) = seen
    assert request.url == "https://api.anthropic.com/v1/messages/count_tokens"
    assert request.headers["x-api-key"] == "sk-ant-test-1"
    body = request.json()
    assert set(body) == {"model", "messages", "system"}
    assert body["model"] == "claude-3-5-haiku-20241022"


def test_exact_maps_provider_errors_and_refuses_providers_without_an_endpoint() -> None:
    refusal = {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
    failing = FakeTransport(lambda request: HttpResponse.from_json(refusal, 401))
    keys = StaticCredentials({"ANTHROPIC_API_KEY": "k-1234"})
    client = llmport.Client(transport=failing, credentials=keys, num_retries=0)
    with llmport.use_client(client), pytest.raises(llmport.AuthenticationError):
        llmport.token_counter(model="anthropic/claude-3-5-haiku-20241022", text="hi", exact=True)
    with llmport.use_client(client), pytest.raises(llmport.UnsupportedParamsError, match="count endpoint"):
        llmport.token_counter(model="gpt-4o", text="hi", exact=True)
    assert llmport.token_counter(model="gpt-4", text="hi", exact=True) == 1  # exact locally: no network


def test_nothing_to_count_is_a_clear_error() -> None:
    with pytest.raises(llmport.BadRequestError, match="messages or text"):
        llmport.token_counter(model="gpt-4")

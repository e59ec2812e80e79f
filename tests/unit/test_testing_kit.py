"""The testing kit: reply builders, FakeTransport's plain answers, and fake_client(fn)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.testing import (
    CompletionRequest,
    FakeClock,
    FakeTransport,
    HttpRequest,
    MemoryCache,
    anthropic_reply,
    anthropic_stream,
    fake_client,
    openai_reply,
    openai_stream,
)

USER = [{"role": "user", "content": "hi there"}]
CLAUDE = "claude-3-5-haiku-latest"
CALL = {"name": "get_weather", "arguments": {"city": "Paris"}}


def _client(answer: Any) -> llmport.Client:
    return llmport.Client(transport=FakeTransport(lambda request: answer), api_key="sk-test")


def _streamed(client: llmport.Client, model: str) -> llmport.ModelResponse:
    built = llmport.stream_chunk_builder(list(client.completion(model, USER, stream=True)))
    assert built is not None
    return built


@pytest.mark.parametrize(
    ("builder", "model", "streamed"),
    [
        (openai_reply, "gpt-4o", False),
        (openai_stream, "gpt-4o", True),
        (anthropic_reply, CLAUDE, False),
        (anthropic_stream, CLAUDE, True),
    ],
)
def test_each_builder_speaks_its_wire_format(builder: Any, model: str, streamed: bool) -> None:
    client = _client(
        builder("Sunny today.", tool_calls=[CALL], usage={"prompt_tokens": 7, "completion_tokens": 3})
    )
    reply = _streamed(client, model) if streamed else client.completion(model, USER)
    message = reply.choices[0].message
    assert message.content == "Sunny today."
    calls = message.tool_calls or []
    assert [call.function.name for call in calls] == ["get_weather"]
    assert json.loads(calls[0].function.arguments) == {"city": "Paris"}
    assert reply.choices[0].finish_reason == "tool_calls"
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (7, 3)


async def test_builders_answer_async_streams() -> None:
    client = _client(anthropic_stream("one two three"))
    stream = await client.acompletion(CLAUDE, USER, stream=True)
    pieces = [chunk.choices[0].delta.content or "" async for chunk in stream]
    assert "".join(pieces) == "one two three"


def test_an_openai_stream_without_done_is_a_cut_stream() -> None:
    client = llmport.Client(
        transport=FakeTransport(lambda request: openai_stream("hi", done=False)),
        api_key="k",
        num_retries=0,
    )
    with pytest.raises(llmport.APIConnectionError):
        list(client.completion("gpt-4o", USER, stream=True))


@pytest.mark.parametrize("model", ["gpt-4o", CLAUDE])
@pytest.mark.parametrize("streamed", [False, True])
def test_a_handler_may_return_a_plain_string(model: str, streamed: bool) -> None:
    client = _client("just text")
    reply = _streamed(client, model) if streamed else client.completion(model, USER)
    assert reply.choices[0].message.content == "just text"


@pytest.mark.parametrize("model", ["gpt-4o", CLAUDE])
@pytest.mark.parametrize("streamed", [False, True])
def test_a_handler_may_return_a_model_response(model: str, streamed: bool) -> None:
    given = llmport.ModelResponse(
        model="m", choices=[{"message": {"content": "from a response"}, "finish_reason": "stop"}],
        usage={"prompt_tokens": 2, "completion_tokens": 4, "total_tokens": 6},
    )  # fmt: skip
    client = _client(given)
    reply = _streamed(client, model) if streamed else client.completion(model, USER)
    assert reply.choices[0].message.content == "from a response"
    assert reply.usage.completion_tokens == 4


@pytest.mark.parametrize("answer", [{"choices": []}, 42, None, b"bytes"])
def test_any_other_handler_result_is_a_type_error_naming_what_is_allowed(answer: Any) -> None:
    with pytest.raises(TypeError) as caught:
        _client(answer).completion("gpt-4o", USER)
    message = str(caught.value)
    assert type(answer).__name__ in message
    for allowed in ("HttpResponse", "openai_reply", "ModelResponse", "str"):
        assert allowed in message


def test_fake_client_answers_with_the_function_for_every_provider() -> None:
    seen: list[CompletionRequest] = []

    def reply(request: CompletionRequest) -> str:
        seen.append(request)
        return f"echo: {request.messages[-1]['content']}"

    client = fake_client(reply)
    for model in ("gpt-4o", "anthropic/claude-3-5-haiku-latest", "groq/llama-3.1-8b-instant"):
        assert client.completion(model, USER, temperature=0.2).choices[0].message.content == "echo: hi there"
    assert [request.model for request in seen][-1] == "groq/llama-3.1-8b-instant"
    assert seen[0].params["temperature"] == 0.2


def test_fake_client_streams_text_pieces_and_chunks() -> None:
    client = fake_client(lambda request: ["a", "b", "c"])
    chunks = list(client.completion("gpt-4o", USER, stream=True))
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == "abc"
    replay = fake_client(lambda request: chunks)
    assert replay.completion("gpt-4o", USER).choices[0].message.content == "abc"
    assert (
        "".join(c.choices[0].delta.content or "" for c in replay.completion("gpt-4o", USER, stream=True))
        == "abc"
    )


async def test_fake_client_async_and_model_response() -> None:
    given = llmport.ModelResponse(choices=[{"message": {"content": "typed"}}])
    client = fake_client(lambda request: given)
    assert (await client.acompletion("gpt-4o", USER)).choices[0].message.content == "typed"


def test_fake_client_runs_the_real_dispatch_retries_and_parameter_rules() -> None:
    attempts: list[int] = []

    def flaky(request: CompletionRequest) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise llmport.RateLimitError("slow down", "openai", request.model)
        return "second time lucky"

    client = fake_client(flaky, num_retries=1, clock=FakeClock())
    assert client.completion("gpt-4o", USER).choices[0].message.content == "second time lucky"
    assert len(attempts) == 2
    with pytest.raises(llmport.UnsupportedParamsError):
        fake_client(lambda request: "x").completion("cerebras/llama3.1-8b", USER, presence_penalty=0.5)


def test_fake_client_goes_through_the_cache() -> None:
    calls: list[int] = []
    client = fake_client(lambda request: calls.append(1) or "cached", cache=MemoryCache())
    for _ in range(2):
        assert client.completion("gpt-4o", USER, caching=True).choices[0].message.content == "cached"
    assert len(calls) == 1


def test_fake_client_refuses_an_unknown_result() -> None:
    with pytest.raises(TypeError, match="must return a str, a ModelResponse"):
        fake_client(lambda request: {"content": "x"}).completion("gpt-4o", USER)


def test_a_handler_still_sees_the_wire_request() -> None:
    requests: list[HttpRequest] = []
    fake = FakeTransport(lambda request: requests.append(request) or "ok")
    llmport.Client(transport=fake, api_key="sk-test").completion(CLAUDE, USER)
    assert requests[0].url.endswith("/v1/messages")

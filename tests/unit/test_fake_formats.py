"""The reply builders of the newer formats, and FakeTransport's plain answers in every wire format.

Each builder's answer goes through the real codec of its format (``Client(transport=FakeTransport)``):
the content, tool calls, finish and usage given to the builder come back, whole and streamed, sync
and async. A ``str``, a ``ModelResponse`` or a list of chunks returned by a handler is answered in
the format of the request, told by its endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import llmport
from llmport.adapters.transport.fake_formats import ENDPOINTS, FORMATS, wire_format
from llmport.testing import (
    FakeTransport,
    HttpRequest,
    HttpResponse,
    bedrock_reply,
    bedrock_stream,
    cohere_reply,
    cohere_stream,
    gemini_reply,
    gemini_stream,
    ollama_reply,
    ollama_stream,
    responses_reply,
    responses_stream,
)

USER = [{"role": "user", "content": "What is the weather in Paris?"}]
CALL = {"name": "get_weather", "arguments": {"city": "Paris"}}
USAGE = {"prompt_tokens": 7, "completion_tokens": 3}
GEMINI = "gemini/gemini-2.0-flash"
BEDROCK = "bedrock/anthropic.claude-3-haiku-20240307-v1:0"
RESPONSES = "openai/responses/gpt-4o-mini"
OLLAMA = "ollama_chat/llama3.2"
COHERE = "cohere/command-a-03-2025"
# model → (whole builder, stream builder, format name)
BUILDERS: dict[str, tuple[Callable[..., HttpResponse], Callable[..., HttpResponse], str]] = {
    GEMINI: (gemini_reply, gemini_stream, "gemini"),
    BEDROCK: (bedrock_reply, bedrock_stream, "bedrock_converse"),
    RESPONSES: (responses_reply, responses_stream, "responses"),
    OLLAMA: (ollama_reply, ollama_stream, "ollama"),
    COHERE: (cohere_reply, cohere_stream, "cohere"),
}
MODELS = list(BUILDERS)


@pytest.fixture(autouse=True)
def _aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEFAKE00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake-secret-access-key-for-tests-000000")
    monkeypatch.setenv("AWS_REGION_NAME", "us-east-1")


def _client(handler: Callable[[HttpRequest], Any]) -> tuple[llmport.Client, FakeTransport]:
    fake = FakeTransport(handler)
    return llmport.Client(transport=fake, api_key="test-key-0123456789"), fake


def _complete(client: llmport.Client, model: str, *, stream: bool) -> llmport.ModelResponse:
    if not stream:
        return client.completion(model, USER)
    built = llmport.stream_chunk_builder(list(client.completion(model, USER, stream=True)))
    assert built is not None
    return built


async def _acomplete(client: llmport.Client, model: str, *, stream: bool) -> llmport.ModelResponse:
    if not stream:
        return await client.acompletion(model, USER)
    chunks = [chunk async for chunk in await client.acompletion(model, USER, stream=True)]
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    return built


def _assert_answer(reply: llmport.ModelResponse, content: str | None, *, calls: bool) -> None:
    message = reply.choices[0].message
    assert message.content == content
    names = [call.function.name for call in message.tool_calls or []]
    assert names == (["get_weather"] if calls else [])
    if calls:
        assert json.loads((message.tool_calls or [])[0].function.arguments) == {"city": "Paris"}
    assert reply.choices[0].finish_reason == ("tool_calls" if calls else "stop")
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (7, 3)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("model", MODELS)
def test_each_builder_answers_its_codec_with_content_tool_calls_and_usage(model: str, stream: bool) -> None:
    reply, streamed, _ = BUILDERS[model]
    builder = streamed if stream else reply
    client, fake = _client(lambda request: builder("Sunny today.", tool_calls=[CALL], usage=USAGE))
    _assert_answer(_complete(client, model, stream=stream), "Sunny today.", calls=True)
    assert wire_format(fake.last_request) == (BUILDERS[model][2], stream)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("model", MODELS)
async def test_each_builder_answers_async_calls(model: str, stream: bool) -> None:
    reply, streamed, _ = BUILDERS[model]
    builder = streamed if stream else reply
    client, _ = _client(lambda request: builder("Cloudy.", usage=USAGE))
    _assert_answer(await _acomplete(client, model, stream=stream), "Cloudy.", calls=False)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("model", MODELS)
def test_a_plain_string_is_answered_in_the_requests_format(model: str, stream: bool) -> None:
    client, _ = _client(lambda request: "Plain words from the fake.")
    reply = _complete(client, model, stream=stream)
    assert reply.choices[0].message.content == "Plain words from the fake."
    assert reply.choices[0].finish_reason == "stop"


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("model", MODELS)
async def test_a_model_response_is_answered_in_the_requests_format_async(model: str, stream: bool) -> None:
    given = llmport.ModelResponse(
        model="given-model",
        choices=[
            {
                "message": {
                    "content": "From a ModelResponse.",
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {**CALL, "arguments": '{"city":"Paris"}'},
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        usage={"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
    )
    client, _ = _client(lambda request: given)
    _assert_answer(await _acomplete(client, model, stream=stream), "From a ModelResponse.", calls=True)


@pytest.mark.parametrize("model", MODELS)
def test_a_length_finish_is_said_in_each_format(model: str) -> None:
    given = llmport.ModelResponse(choices=[{"message": {"content": "Cut"}, "finish_reason": "length"}])
    client, _ = _client(lambda request: given)
    assert client.completion(model, USER).choices[0].finish_reason == "length"


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("model", MODELS)
def test_a_list_of_chunks_is_answered_in_the_requests_format(model: str, stream: bool) -> None:
    chunks = [
        llmport.ModelResponseStream(choices=[{"delta": {"role": "assistant", "content": "Two "}}]),
        llmport.ModelResponseStream(choices=[{"delta": {"content": "chunks."}, "finish_reason": "stop"}]),
    ]
    client, _ = _client(lambda request: chunks)
    assert _complete(client, model, stream=stream).choices[0].message.content == "Two chunks."


@pytest.mark.parametrize(
    ("model", "builder", "thinking"),
    [
        (GEMINI, gemini_reply, "Thoughts first."),
        (BEDROCK, bedrock_stream, "Thoughts first."),
        (OLLAMA, ollama_stream, "Thoughts first."),
        (COHERE, cohere_reply, "Thoughts first."),
    ],
)
def test_thinking_comes_back_as_reasoning_content(
    model: str, builder: Callable[..., HttpResponse], thinking: str
) -> None:
    client, _ = _client(lambda request: builder("Answer.", thinking=thinking))
    reply = _complete(client, model, stream=builder.__name__.endswith("_stream"))
    message = reply.choices[0].message
    assert (message.content, message.reasoning_content) == ("Answer.", thinking)


@pytest.mark.parametrize(
    ("model", "builder", "keywords", "finish"),
    [
        (GEMINI, gemini_stream, {"finish_reason": "MAX_TOKENS"}, "length"),
        (BEDROCK, bedrock_reply, {"stop_reason": "max_tokens"}, "length"),
        (RESPONSES, responses_stream, {"incomplete": "max_output_tokens"}, "length"),
        (OLLAMA, ollama_reply, {"done_reason": "length"}, "length"),
        (COHERE, cohere_stream, {"finish_reason": "MAX_TOKENS"}, "length"),
    ],
)
def test_each_format_takes_its_own_finish_keyword(
    model: str, builder: Callable[..., HttpResponse], keywords: dict[str, str], finish: str
) -> None:
    client, _ = _client(lambda request: builder("Cut sh", **keywords))
    reply = _complete(client, model, stream=builder.__name__.endswith("_stream"))
    assert reply.choices[0].finish_reason == finish


def test_the_bedrock_stream_is_aws_event_frames_botocore_decodes() -> None:
    from llmport.adapters.providers.bedrock._botocore import botocore

    answer = bedrock_stream("Hi there.", tool_calls=[CALL])
    assert answer.headers["content-type"] == "application/vnd.amazon.eventstream"
    buffer = botocore("eventstream").EventStreamBuffer()
    buffer.add_data(b"".join(answer.chunks or ()))
    kinds = [message.headers[":event-type"] for message in buffer]
    assert kinds[0] == "messageStart"
    assert kinds[-2:] == ["messageStop", "metadata"]
    assert kinds.count("contentBlockStart") == 1  # the tool call; text blocks have none, as on Bedrock


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_ollama_generate_answers_the_ollama_prefix(stream: bool) -> None:
    builder = ollama_stream if stream else ollama_reply
    client, fake = _client(lambda request: builder("Generated.", thinking="Hm.", usage=USAGE, generate=True))
    reply = _complete(client, "ollama/llama3.2", stream=stream)
    assert fake.last_request.url.endswith("/api/generate")
    message = reply.choices[0].message
    assert (message.content, message.reasoning_content) == ("Generated.", "Hm.")
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (7, 3)
    plain, _ = _client(lambda request: "Plain generate.")
    assert _complete(plain, "ollama/llama3.2", stream=stream).choices[0].message.content == "Plain generate."


def test_ollama_generate_refuses_tool_calls() -> None:
    with pytest.raises(ValueError, match="no tool calls"):
        ollama_reply(tool_calls=[CALL], generate=True)


def test_every_endpoint_names_a_format_with_builders() -> None:
    assert {name for _, name, _ in ENDPOINTS} == set(FORMATS)


@pytest.mark.parametrize(
    ("url", "body", "expected"),
    [
        ("https://x/v1/projects/p/locations/l/publishers/anthropic/models/claude:streamRawPredict", b"{}",
         ("anthropic", True)),
        ("https://x/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", b"{}", ("gemini", True)),
        ("https://x/model/anthropic.claude-3-haiku-v1%3A0/converse", b"{}", ("bedrock_converse", False)),
        ("https://x/v1/chat/completions?api-version=1", b'{"stream": true}', ("openai", True)),
        ("https://x/api/chat", b'{"stream": false}', ("ollama", False)),
        ("https://x/api/generate", b'{"stream": true}', ("ollama_generate", True)),
        ("https://x/v1/unknown", b"{}", None),
    ],
)  # fmt: skip
def test_the_format_is_read_off_the_endpoint(
    url: str, body: bytes, expected: tuple[str, bool] | None
) -> None:
    assert wire_format(HttpRequest("POST", url, body=body)) == expected


def test_a_plain_answer_to_an_unknown_endpoint_says_to_build_the_response() -> None:
    fake = FakeTransport(lambda request: "text")
    with pytest.raises(TypeError, match=r"known wire format .*/v1/unknown is none of theirs"):
        fake.send(HttpRequest("POST", "http://127.0.0.1:9/v1/unknown", body=b"{}"))

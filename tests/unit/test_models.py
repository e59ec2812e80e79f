import json

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

import llmport
from llmport import Message, ModelResponse, ModelResponseStream

from .conftest import CHAT


def test_response_dumps_as_an_openai_chat_completion() -> None:
    response = ModelResponse.model_validate(CHAT)
    ChatCompletion.model_validate(response.model_dump())
    assert response["choices"][0]["message"]["content"] == "hello"
    assert response.get("missing", "default") == "default"
    assert "usage" in response
    assert json.loads(response.to_json())["id"] == "chatcmpl-1"
    assert response.json()["model"] == "gpt-4o-2024-08-06"


def test_nulls_from_compatible_servers_take_defaults() -> None:
    response = ModelResponse.model_validate(
        {"id": None, "created": None, "usage": None, "choices": [{"message": None, "finish_reason": None}]}
    )
    assert response.choices[0].finish_reason == "stop"
    assert response.usage.total_tokens == 0
    ChatCompletion.model_validate(response.model_dump())


def test_absent_when_none_attributes_follow_litellm() -> None:
    plain = Message(content="hi")
    assert not hasattr(plain, "function_call")
    assert not hasattr(plain, "reasoning_content")
    assert plain.get("function_call") is None
    assert plain.tool_calls is None
    called = Message(function_call={"name": "f", "arguments": "{}"})
    assert hasattr(called, "function_call")
    assert called.function_call is not None
    assert called.function_call.name == "f"


def test_unknown_provider_fields_are_kept() -> None:
    response = ModelResponse.model_validate({**CHAT, "provider_extra": {"x": 1}})
    assert response.model_dump()["provider_extra"] == {"x": 1}


def test_chunks_always_have_a_choice_and_validate() -> None:
    chunk = ModelResponseStream()
    assert chunk.choices[0].delta.content is None
    ChatCompletionChunk.model_validate(chunk.model_dump())


def test_stream_chunk_builder_assembles_parallel_tool_calls() -> None:
    def tool_delta(index: int, **fields: object) -> ModelResponseStream:
        return ModelResponseStream.model_validate(
            {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": index, **fields}]}}]}
        )

    chunks = [
        ModelResponseStream.model_validate({"choices": [{"delta": {"role": "assistant", "content": None}}]}),
        tool_delta(0, id="call_a", type="function", function={"name": "a", "arguments": '{"x"'}),
        tool_delta(1, id="call_b", type="function", function={"name": "b", "arguments": "{}"}),
        tool_delta(0, function={"arguments": ": 1}"}),
        ModelResponseStream.model_validate({"choices": [{"delta": {}, "finish_reason": "tool_calls"}]}),
    ]
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    calls = built.choices[0].message.tool_calls
    assert calls is not None
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("call_a", "a", '{"x": 1}'),
        ("call_b", "b", "{}"),
    ]
    assert built.choices[0].finish_reason == "tool_calls"
    ChatCompletion.model_validate(built.model_dump())


def test_stream_chunk_builder_estimates_usage_without_usage_chunks() -> None:
    chunks = [ModelResponseStream.model_validate({"choices": [{"delta": {"content": "12345678"}}]})]
    built = llmport.stream_chunk_builder(chunks, messages=[{"role": "user", "content": "abcd"}])
    assert built is not None
    assert (built.usage.prompt_tokens, built.usage.completion_tokens) == (1, 2)
    assert llmport.stream_chunk_builder([]) is None


@pytest.mark.parametrize("name", sorted(llmport.__all__))
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(llmport, name) is not None

"""Acceptance: the Anthropic route end to end against the loopback Anthropic server.

Sync and async, whole and streamed, with tools, thinking, structured output, n fan-out and the
error mapping, called as litellm users call it (module-level ``completion``, keys and base URL
from ``ANTHROPIC_*`` variables).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pydantic import BaseModel

import llmport as litellm
from llmport.testing import FakeAnthropicServer

pytestmark = pytest.mark.acceptance

HELLO = [{"role": "user", "content": "Hello!"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get weather for a location",
            "parameters": {
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            },
        },
    }
]
TOKYO = [{"role": "user", "content": "What's the weather in Tokyo?"}]


class City(BaseModel):
    name: str
    population: int


def body(server: FakeAnthropicServer) -> dict[str, Any]:
    sent = server.requests[-1].body
    assert isinstance(sent, dict)
    return sent


def test_request_shape_and_headers(anthropic_env: FakeAnthropicServer) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": "Answer in English."},
        {"role": "user", "content": "Hi"},
        {
            "role": "user",
            "content": [{"type": "text", "text": "there", "cache_control": {"type": "ephemeral"}}],
        },
    ]
    litellm.completion(
        model="claude-3-5-sonnet-20241022",
        messages=messages,
        stop="END",
        top_k=5,
        extra_headers={"anthropic-beta": "prompt-caching-2024-07-31"},
    )

    request = anthropic_env.requests[-1]
    assert request.headers["anthropic-beta"] == "prompt-caching-2024-07-31"
    assert request.headers["anthropic-version"] == "2023-06-01"
    sent = request.body
    assert sent["system"] == [
        {"type": "text", "text": "Be brief."},
        {"type": "text", "text": "Answer in English."},
    ]
    assert sent["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Hi"},
                {"type": "text", "text": "there", "cache_control": {"type": "ephemeral"}},
            ],
        }
    ]
    assert sent["stop_sequences"] == ["END"]
    assert sent["top_k"] == 5
    assert sent["max_tokens"] == 8192  # claude-3-5-sonnet's default from the model table


def test_images_from_urls_and_data_urls(anthropic_env: FakeAnthropicServer) -> None:
    content = [
        {"type": "text", "text": "Compare"},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
    ]
    litellm.completion(model="claude-3-haiku-20240307", messages=[{"role": "user", "content": content}])

    blocks = body(anthropic_env)["messages"][0]["content"]
    assert blocks[1] == {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
    assert blocks[2]["source"] == {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}


def test_streaming_sync(anthropic_env: FakeAnthropicServer) -> None:
    chunks = list(litellm.completion(model="claude-3-haiku-20240307", messages=HELLO, stream=True))

    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text.endswith("You said: Hello!")
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens > 0


def test_streaming_async(anthropic_env: FakeAnthropicServer) -> None:
    async def main() -> list[Any]:
        stream = await litellm.acompletion(model="claude-3-haiku-20240307", messages=HELLO, stream=True)
        return [chunk async for chunk in stream]

    built = litellm.stream_chunk_builder(asyncio.run(main()))
    assert built is not None
    assert built.choices[0].message.content.endswith("You said: Hello!")


@pytest.mark.parametrize("stream", [False, True])
def test_tool_call_round_trip(anthropic_env: FakeAnthropicServer, stream: bool) -> None:
    first = litellm.completion(
        model="claude-3-5-sonnet-20241022", messages=TOKYO, tools=TOOLS, tool_choice="required"
    )
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    assert json.loads(call.function.arguments) == {"location": "example"}
    assert body(anthropic_env)["tool_choice"] == {"type": "any"}
    messages: list[Any] = [*TOKYO, first.choices[0].message]
    messages.append({"role": "tool", "tool_call_id": call.id, "content": "22C and sunny"})

    second = litellm.completion(
        model="claude-3-5-sonnet-20241022",
        messages=messages,
        tools=TOOLS,
        parallel_tool_calls=False,
        stream=stream,
    )
    if stream:
        second = litellm.stream_chunk_builder(list(second))

    sent = body(anthropic_env)
    assert sent["messages"][1]["content"][0]["type"] == "tool_use"
    assert sent["messages"][2]["content"][0] == {
        "type": "tool_result",
        "tool_use_id": call.id,
        "content": "22C and sunny",
    }
    assert sent["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert second.choices[0].message.content == "The tool returned: 22C and sunny"


def test_streamed_tool_call_keeps_index_and_id(anthropic_env: FakeAnthropicServer) -> None:
    chunks = list(
        litellm.completion(
            model="claude-3-5-sonnet-20241022",
            messages=TOKYO,
            tools=TOOLS,
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
            stream=True,
        )
    )
    fragments = [call for chunk in chunks for call in chunk.choices[0].delta.tool_calls or ()]
    assert {call.index for call in fragments} == {0}
    assert len({call.id for call in fragments if call.id}) == 1
    assert "".join(call.function.arguments or "" for call in fragments) == '{"location": "example"}'
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


@pytest.mark.parametrize("stream", [False, True])
def test_thinking_and_its_return_with_signature(anthropic_env: FakeAnthropicServer, stream: bool) -> None:
    response = litellm.completion(
        model="claude-3-7-sonnet-20250219",
        messages=HELLO,
        reasoning_effort="low",
        max_tokens=500,
        stream=stream,
    )
    if stream:
        response = litellm.stream_chunk_builder(list(response))
    sent = body(anthropic_env)
    assert sent["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert sent["max_tokens"] > 1024  # raised above the budget
    message = response.choices[0].message
    assert message.reasoning_content.startswith("Let me think about")
    assert message.thinking_blocks[0]["signature"]

    litellm.completion(
        model="claude-3-7-sonnet-20250219",
        messages=[*HELLO, message, {"role": "user", "content": "And?"}],
        thinking={"type": "enabled", "budget_tokens": 1024},
    )
    returned = body(anthropic_env)["messages"][1]["content"][0]
    assert returned == message.thinking_blocks[0]


def test_structured_output_with_a_forced_tool_streamed(anthropic_env: FakeAnthropicServer) -> None:
    chunks = list(
        litellm.completion(
            model="claude-3-5-sonnet-20241022", messages=HELLO, response_format=City, stream=True
        )
    )

    assert all(not chunk.choices[0].delta.tool_calls for chunk in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert City.model_validate_json(text) == City(name="example", population=0)


def test_structured_output_with_a_forced_tool(anthropic_env: FakeAnthropicServer) -> None:
    response = litellm.completion(model="claude-3-5-sonnet-20241022", messages=HELLO, response_format=City)

    sent = body(anthropic_env)
    assert sent["tool_choice"] == {"type": "tool", "name": "json_tool_call"}
    assert response.choices[0].finish_reason == "stop"
    assert json.loads(response.choices[0].message.content) == {"name": "example", "population": 0}
    assert response.choices[0].message.parsed == City(name="example", population=0)
    assert response.choices[0].message.tool_calls is None


def test_structured_output_native(anthropic_env: FakeAnthropicServer) -> None:
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    response_format = {"type": "json_schema", "json_schema": {"name": "a", "schema": schema}}
    chunks = list(
        litellm.completion(
            model="claude-sonnet-4-5", messages=HELLO, response_format=response_format, stream=True
        )
    )

    assert body(anthropic_env)["output_config"] == {"format": {"type": "json_schema", "schema": schema}}
    assert "tools" not in body(anthropic_env)
    built = litellm.stream_chunk_builder(chunks)
    assert built is not None
    assert json.loads(built.choices[0].message.content) == {"answer": "example"}


def test_n_fans_out_into_separate_requests(anthropic_env: FakeAnthropicServer) -> None:
    response = litellm.completion(model="claude-3-sonnet-20240229", messages=HELLO, n=3, max_tokens=200)

    assert [choice.index for choice in response.choices] == [0, 1, 2]
    assert len(anthropic_env.requests) == 3
    assert all("n" not in r.body for r in anthropic_env.requests)
    single = litellm.completion(model="claude-3-sonnet-20240229", messages=HELLO, max_tokens=200)
    assert response.usage.prompt_tokens == 3 * single.usage.prompt_tokens
    assert response.usage.total_tokens == 3 * single.usage.total_tokens


def test_n_fans_out_async(anthropic_env: FakeAnthropicServer) -> None:
    async def main() -> litellm.ModelResponse:
        return await litellm.acompletion(model="claude-3-sonnet-20240229", messages=HELLO, n=4)

    response = asyncio.run(main())
    assert [choice.index for choice in response.choices] == [0, 1, 2, 3]
    assert len(anthropic_env.requests) == 4


def test_n_is_all_or_nothing(anthropic_env: FakeAnthropicServer) -> None:
    with pytest.raises(litellm.ServiceUnavailableError):
        litellm.completion(model="anthropic/fake-error-529", messages=HELLO, n=2, num_retries=0)
    # The first failure cancels its sibling, which may not have been sent yet; none is retried.
    assert 1 <= len(anthropic_env.requests) <= 2


def test_n_with_stream_is_unsupported(anthropic_env: FakeAnthropicServer) -> None:
    with pytest.raises(litellm.UnsupportedParamsError, match="n=2"):
        litellm.completion(model="claude-3-haiku-20240307", messages=HELLO, n=2, stream=True)
    assert anthropic_env.requests == []


def test_unmappable_params_raise_unless_dropped(anthropic_env: FakeAnthropicServer) -> None:
    with pytest.raises(litellm.UnsupportedParamsError, match="presence_penalty"):
        litellm.completion(model="claude-3-haiku-20240307", messages=HELLO, presence_penalty=0.5)
    assert anthropic_env.requests == []

    litellm.completion(
        model="claude-3-haiku-20240307", messages=HELLO, presence_penalty=0.5, drop_params=True
    )
    assert "presence_penalty" not in body(anthropic_env)


def test_overloaded_is_retried(anthropic_env: FakeAnthropicServer) -> None:
    with pytest.raises(litellm.ServiceUnavailableError) as caught:
        litellm.completion(model="anthropic/fake-error-529", messages=HELLO, num_retries=1)
    assert caught.value.status_code == 529
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith("req_fake")
    assert len(anthropic_env.requests) == 2


@pytest.mark.parametrize(
    ("model", "error"),
    [
        ("anthropic/fake-error-401", litellm.AuthenticationError),
        ("anthropic/fake-error-403", litellm.PermissionDeniedError),
        ("anthropic/fake-error-404", litellm.NotFoundError),
        ("anthropic/fake-error-429", litellm.RateLimitError),
        ("anthropic/fake-error-500", litellm.InternalServerError),
        ("anthropic/fake-error-context", litellm.ContextWindowExceededError),
    ],
)
def test_errors_are_mapped(anthropic_env: FakeAnthropicServer, model: str, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        litellm.completion(model=model, messages=HELLO, num_retries=0)
    assert caught.value.llm_provider == "anthropic"
    assert caught.value.request_id is not None
    if model.endswith("429"):
        assert caught.value.retry_after == 0  # the server's retry-after header, kept


def test_a_stream_error_event_raises_the_mapped_error(anthropic_env: FakeAnthropicServer) -> None:
    received = []
    with pytest.raises(litellm.ServiceUnavailableError, match="Overloaded"):
        received.extend(litellm.completion(model="anthropic/fake-stream-error", messages=HELLO, stream=True))
    assert received


def test_a_stream_without_message_stop_raises(anthropic_env: FakeAnthropicServer) -> None:
    with pytest.raises(litellm.APIConnectionError):
        list(
            litellm.completion(model="anthropic/fake-stream-drop", messages=HELLO, stream=True, num_retries=0)
        )


def test_missing_key_names_the_variable(
    anthropic_env: FakeAnthropicServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    monkeypatch.delenv("ANTHROPIC_BASE_URL")
    with pytest.raises(litellm.AuthenticationError, match="ANTHROPIC_API_KEY"):
        litellm.completion(model="claude-3-haiku-20240307", messages=HELLO)

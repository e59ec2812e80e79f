"""FakeOllamaServer and FakeCohereServer: their wire shapes, and llmport against them over loopback HTTP.

Each route (``ollama_chat/``, ``ollama/``, ``cohere/``, ``cohere_chat/``) answers sync and async,
streamed and not, with tools (a full tool round trip) and structured output; scripted failures
come back as llmport's exceptions. The Cohere fake answers 422 to unknown fields as Cohere does,
so these also prove the codec sends none.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

import llmport
from llmport.testing import FakeCohereServer, FakeOllamaServer

KEY = "co-test-key-0123456789"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
USER = [{"role": "user", "content": "What is the weather in Paris?"}]


class City(BaseModel):
    name: str
    population: int


@pytest.fixture(scope="module")
def ollama() -> Iterator[FakeOllamaServer]:
    with FakeOllamaServer() as server:
        yield server


@pytest.fixture(scope="module")
def cohere() -> Iterator[FakeCohereServer]:
    with FakeCohereServer() as server:
        yield server


def _target(name: str, ollama: FakeOllamaServer, cohere: FakeCohereServer) -> tuple[str, dict[str, Any]]:
    if name.startswith("ollama"):
        return f"{name}/llama3.2", {"api_base": ollama.base_url}
    return f"{name}/command-a-03-2025", {"api_base": cohere.base_url, "api_key": KEY}


def _call(
    model: str, settings: dict[str, Any], *, mode: str, stream: bool, **params: Any
) -> llmport.ModelResponse:
    client = llmport.Client(num_retries=0, **settings)

    async def acall() -> llmport.ModelResponse | None:
        async with client:
            if stream:
                chunks = await client.acompletion(model, params.pop("messages", USER), stream=True, **params)
                return llmport.stream_chunk_builder([chunk async for chunk in chunks])
            response = await client.acompletion(model, params.pop("messages", USER), **params)
            assert isinstance(response, llmport.ModelResponse)
            return response

    if mode == "async":
        result = asyncio.run(acall())
    else:
        with client:
            answer = client.completion(model, params.pop("messages", USER), stream=stream, **params)
            result = llmport.stream_chunk_builder(list(answer)) if stream else answer  # type: ignore[arg-type]
    assert isinstance(result, llmport.ModelResponse)
    return result


ROUTES = ["ollama_chat", "ollama", "cohere", "cohere_chat"]
MODES = pytest.mark.parametrize(
    ("mode", "stream"), [("sync", False), ("sync", True), ("async", False), ("async", True)]
)


@MODES
@pytest.mark.parametrize("route", ROUTES)
def test_text(
    route: str, mode: str, stream: bool, ollama: FakeOllamaServer, cohere: FakeCohereServer
) -> None:
    model, settings = _target(route, ollama, cohere)
    response = _call(model, settings, mode=mode, stream=stream, max_tokens=100)
    assert response.choices[0].message.content is not None
    assert response.choices[0].message.content.endswith("You said: What is the weather in Paris?")
    assert response.choices[0].finish_reason == "stop"
    assert response.usage.prompt_tokens > 0
    assert response.usage.completion_tokens > 0


@MODES
@pytest.mark.parametrize("route", ["ollama_chat", "cohere", "cohere_chat"])
def test_a_tool_round_trip(
    route: str, mode: str, stream: bool, ollama: FakeOllamaServer, cohere: FakeCohereServer
) -> None:
    model, settings = _target(route, ollama, cohere)
    first = _call(model, settings, mode=mode, stream=stream, tools=[WEATHER])
    message = first.choices[0].message
    assert first.choices[0].finish_reason == "tool_calls"
    calls = message.tool_calls or []
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("get_weather", {"city": "example"})
    ]
    history = [*USER, message, {"role": "tool", "tool_call_id": calls[0].id, "content": "18C and sunny"}]
    second = _call(model, settings, mode=mode, stream=stream, tools=[WEATHER], messages=history)
    assert second.choices[0].message.content == "The tool returned: 18C and sunny"


@MODES
@pytest.mark.parametrize("route", ROUTES)
def test_structured_output(
    route: str, mode: str, stream: bool, ollama: FakeOllamaServer, cohere: FakeCohereServer
) -> None:
    model, settings = _target(route, ollama, cohere)
    response = _call(model, settings, mode=mode, stream=stream, response_format=City)
    assert City.model_validate_json(response.choices[0].message.content or "") == City(
        name="example", population=0
    )


@pytest.mark.parametrize("route", ["ollama_chat", "cohere"])
def test_thinking_and_max_tokens(route: str, ollama: FakeOllamaServer, cohere: FakeCohereServer) -> None:
    model, settings = _target(route, ollama, cohere)
    if route == "cohere":
        model = "cohere/command-a-reasoning-08-2025"
    response = _call(model, settings, mode="sync", stream=True, reasoning_effort="high", max_tokens=3)
    assert (response.choices[0].message.get("reasoning_content") or "").startswith("Let me think about")
    assert response.choices[0].finish_reason == "length"


@pytest.mark.parametrize(
    ("model", "error"),
    [
        ("fake-error-404", llmport.NotFoundError),
        ("fake-error-context", llmport.ContextWindowExceededError),
        ("fake-error-429", llmport.RateLimitError),
    ],
)
@pytest.mark.parametrize("route", ["ollama_chat", "cohere"])
def test_scripted_errors(
    route: str, model: str, error: type[Exception], ollama: FakeOllamaServer, cohere: FakeCohereServer
) -> None:
    _, settings = _target(route, ollama, cohere)
    with pytest.raises(error):
        _call(f"{route}/{model}", settings, mode="sync", stream=False)


@pytest.mark.parametrize(
    ("model", "error"),
    [("fake-stream-drop", llmport.APIConnectionError), ("fake-stream-error", llmport.InternalServerError)],
)
@pytest.mark.parametrize("route", ["ollama_chat", "cohere"])
def test_streams_failing_after_chunks(
    route: str, model: str, error: type[Exception], ollama: FakeOllamaServer, cohere: FakeCohereServer
) -> None:
    _, settings = _target(route, ollama, cohere)
    client = llmport.Client(num_retries=0, **settings)
    received: list[Any] = []
    with client, pytest.raises(error):
        received.extend(client.completion(f"{route}/{model}", USER, stream=True))
    assert received  # the chunks before the failure reached the caller


def test_the_cohere_fake_refuses_unknown_fields_and_keys(cohere: FakeCohereServer) -> None:
    headers = {"authorization": f"Bearer {KEY}"}
    body = {"model": "m", "messages": [{"role": "tool", "tool_call_id": "x", "name": "f", "content": "1"}]}
    with httpx.Client(base_url=cohere.base_url) as client:
        unknown = client.post("/v2/chat", json={"model": "m", "messages": USER, "n": 2}, headers=headers)
        named = client.post("/v2/chat", json=body, headers=headers)
        keyless = client.post("/v2/chat", json={"model": "m", "messages": USER})
    assert unknown.status_code == 422
    assert "parameter 'n' is not a valid field" in unknown.json()["message"]
    assert named.status_code == 422
    assert keyless.status_code == 401
    with pytest.raises(llmport.AuthenticationError):
        _call("cohere/m", {"api_base": cohere.base_url, "api_key": "invalid"}, mode="sync", stream=False)


def test_the_ollama_fake_streams_ndjson_by_default_and_refuses_string_arguments(
    ollama: FakeOllamaServer,
) -> None:
    call = {"function": {"name": "f", "arguments": '{"a": 1}'}}
    with httpx.Client(base_url=ollama.base_url) as client:
        streamed = client.post("/api/chat", json={"model": "m", "messages": USER})
        refused = client.post(
            "/api/chat", json={"model": "m", "messages": [{"role": "assistant", "tool_calls": [call]}]}
        )
    assert streamed.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in streamed.text.splitlines()]
    assert lines[-1]["done"] is True
    assert not any(line["done"] for line in lines[:-1])
    assert refused.status_code == 400
    assert "error" in refused.json()

"""FakeGeminiServer speaks generateContent, and llmport talks to it through a real HTTP transport."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import llmport
from llmport.testing import FakeGeminiServer

KEY = "gm-fake-key"
HI = [{"role": "user", "content": "hi there"}]
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@pytest.fixture
def server() -> Iterator[FakeGeminiServer]:
    with FakeGeminiServer() as srv:
        yield srv


@pytest.fixture
def client(server: FakeGeminiServer) -> Iterator[llmport.Client]:
    with llmport.Client(api_key=KEY, api_base=server.base_url, num_retries=0) as c:
        yield c


def test_a_plain_answer_echoes_and_counts(client: llmport.Client, server: FakeGeminiServer) -> None:
    response = client.completion("gemini/gemini-2.5-flash", HI)
    assert response.choices[0].message.content.endswith("You said: hi there")
    assert response.usage.prompt_tokens == 2
    (request,) = server.requests
    assert request.headers["x-goog-api-key"] == KEY
    assert request.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert "key" not in request.query


@pytest.mark.parametrize("sse", [True, False], ids=["sse", "json-array"])
def test_both_stream_forms(server: FakeGeminiServer, sse: bool) -> None:
    path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent" + ("?alt=sse" if sse else "")
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    with httpx.Client(base_url=server.root_url) as http:
        answer = http.post(path, json=body, headers={"x-goog-api-key": KEY})
    if sse:
        frames = [json.loads(line[5:]) for line in answer.text.splitlines() if line.startswith("data:")]
    else:
        frames = json.loads(answer.text)
    assert frames[-1]["candidates"][0]["finishReason"] == "STOP"
    assert "usageMetadata" in frames[-1]


async def test_streamed_reasoning_async(server: FakeGeminiServer) -> None:
    async with llmport.Client(api_key=KEY, api_base=server.base_url, num_retries=0) as client:
        stream = await client.acompletion("gemini/gemini-2.5-flash", HI, stream=True, reasoning_effort="low")
        chunks = [chunk async for chunk in stream]
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert built.choices[0].message.reasoning_content.startswith("Thinking about")
    assert built.choices[0].message.content.endswith("hi there")
    assert built.usage.completion_tokens_details.reasoning_tokens > 0


@pytest.mark.parametrize("stream", [False, True])
def test_gemini_3_tool_round_trip_needs_the_signature(client: llmport.Client, stream: bool) -> None:
    model = "gemini/gemini-3-pro-preview"
    first = client.completion(model, HI, tools=[TOOL], stream=stream)
    message = (
        llmport.stream_chunk_builder(list(first)).choices[0].message if stream else first.choices[0].message
    )
    (call,) = message.tool_calls
    assert json.loads(call.function.arguments) == {"city": "example"}
    history = [*HI, message, {"role": "tool", "tool_call_id": call.id, "content": "sunny"}]
    second = client.completion(model, history, tools=[TOOL])
    assert second.choices[0].message.content.startswith("The tool returned")
    forged = message.model_dump()
    forged["thought_signatures"][0]["signature"] = "forged"
    with pytest.raises(llmport.BadRequestError, match="Corrupted thought signature"):
        client.completion(model, [*HI, forged, history[-1]], tools=[TOOL])


def test_structured_output(client: llmport.Client) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    for model in ("gemini/gemini-2.5-flash", "gemini/gemini-2.0-flash"):
        response = client.completion(model, HI, response_format=fmt)
        assert json.loads(response.choices[0].message.content) == {"n": 0}


@pytest.mark.parametrize(
    ("model", "cls", "stream"),
    [
        ("fake-error-429", llmport.RateLimitError, False),
        ("fake-error-503", llmport.ServiceUnavailableError, False),
        ("fake-error-context", llmport.ContextWindowExceededError, False),
        ("fake-blocked", llmport.ContentPolicyViolationError, False),
        ("fake-stream-error", llmport.ServiceUnavailableError, True),
        ("fake-stream-drop", llmport.APIConnectionError, True),
    ],
)
def test_magic_failures(client: llmport.Client, model: str, cls: type[Exception], stream: bool) -> None:
    def call() -> None:
        result: Any = client.completion(f"gemini/{model}", HI, stream=stream)
        if stream:
            list(result)

    with pytest.raises(cls) as caught:
        call()
    assert type(caught.value) is cls
    if model == "fake-error-429":
        assert caught.value.retry_after == 0.0  # type: ignore[attr-defined]


def test_requests_without_a_key_are_refused(server: FakeGeminiServer) -> None:
    with httpx.Client(base_url=server.root_url) as http:
        answer = http.post(
            "/v1beta/models/m:generateContent", json={"contents": [{"role": "user", "parts": []}]}
        )
    assert answer.status_code == 403
    assert answer.json()["error"]["status"] == "PERMISSION_DENIED"

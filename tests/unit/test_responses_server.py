"""FakeResponsesServer: llmport's loopback Responses API, driven through completion()."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

import llmport
from llmport.testing import FakeResponsesServer

USER = [{"role": "user", "content": "What is 2 + 3?"}]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "add",
            "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
        },
    }
]


@pytest.fixture
def server() -> Iterator[FakeResponsesServer]:
    with FakeResponsesServer() as fake:
        yield fake


def client(server: FakeResponsesServer, **settings: Any) -> llmport.Client:
    return llmport.Client(api_base=server.base_url, api_key="sk-test", num_retries=0, **settings)


def _tool_turn(history: list[Any], response: llmport.ModelResponse, reuse: Any) -> None:
    message = response.choices[0].message
    history.append(reuse(message))
    calls = message.tool_calls
    assert calls is not None
    history.append({"role": "tool", "tool_call_id": calls[0].id, "content": "5"})


@pytest.mark.parametrize("stream", [False, True], ids=["body", "stream"])
@pytest.mark.parametrize("reuse", [lambda m: m, lambda m: m.model_dump()], ids=["message", "model_dump"])
def test_a_tool_conversation_sends_the_encrypted_reasoning_back(
    server: FakeResponsesServer, stream: bool, reuse: Any
) -> None:
    history: list[Any] = list(USER)
    with client(server) as llm:
        first = llm.completion("responses/gpt-5", history, tools=TOOLS, stream=stream)
        if stream:
            first = llmport.stream_chunk_builder(list(first))
        assert isinstance(first, llmport.ModelResponse)
        assert first.choices[0].finish_reason == "tool_calls"
        _tool_turn(history, first, reuse)
        second = llm.completion("responses/gpt-5", history, tools=TOOLS)
    assert second.choices[0].message.content == "The tool returned: 5"
    sent_back = server.requests[1].body["input"]
    kept = first.choices[0].message.responses_items
    assert kept is not None
    assert sent_back[1] == kept[0].model_dump(exclude_none=True)
    assert sent_back[1]["encrypted_content"].startswith("fake-enc-")
    assert second.usage.completion_tokens_details is not None
    assert second.usage.completion_tokens_details.reasoning_tokens == 8


def test_tampered_or_missing_encrypted_reasoning_is_refused(server: FakeResponsesServer) -> None:
    item = {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "forged"}
    history = [*USER, {"role": "assistant", "content": "ok", "responses_items": [item]}, *USER]
    with client(server) as llm:
        with pytest.raises(llmport.BadRequestError, match="could not be verified"):
            llm.completion("responses/gpt-5", history)
        del item["encrypted_content"]
        with pytest.raises(llmport.NotFoundError, match="not persisted"):
            llm.completion("responses/gpt-5", history)


def test_structured_output_and_summaries(server: FakeResponsesServer) -> None:
    class Sum(BaseModel):
        total: int

    with client(server) as llm:
        result = llm.completion("responses/o3", USER, response_format=Sum, reasoning={"summary": "auto"})
    assert isinstance(result.choices[0].message.parsed, Sum)
    assert result.choices[0].message.reasoning_content == "**Thinking it over**\n\nA short fake summary."
    assert server.requests[0].body["text"]["format"]["name"] == "Sum"


def test_max_output_tokens_cuts_the_answer(server: FakeResponsesServer) -> None:
    with client(server) as llm:
        result = llm.completion(
            "responses/gpt-4.1", [{"role": "user", "content": "word " * 40}], max_tokens=16
        )
    assert result.choices[0].finish_reason == "length"
    assert len((result.choices[0].message.content or "").split(" ")) == 16


def test_async_streaming(server: FakeResponsesServer) -> None:
    async def run() -> list[Any]:
        async with client(server) as llm:
            stream = await llm.acompletion("openai/responses/gpt-4.1", USER, stream=True)
            return [chunk async for chunk in stream]

    chunks = asyncio.run(run())
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert built.choices[0].message.content == (
        "This is a fake reply from llmport's loopback Responses server. You said: What is 2 + 3?"
    )
    assert "include" not in server.requests[0].body  # a chat model: no reasoning to keep


@pytest.mark.parametrize(
    ("model", "error"),
    [
        ("fake-error-429", llmport.RateLimitError),
        ("fake-error-500", llmport.InternalServerError),
        ("fake-error-context", llmport.ContextWindowExceededError),
    ],
)
def test_magic_models_fail_as_scripted(
    server: FakeResponsesServer, model: str, error: type[Exception]
) -> None:
    with client(server) as llm, pytest.raises(error):
        llm.completion(f"responses/{model}", USER)


def test_magic_stream_failures(server: FakeResponsesServer) -> None:
    with client(server) as llm:
        with pytest.raises(llmport.APIConnectionError):
            list(llm.completion("responses/fake-stream-drop", USER, stream=True))
        received: list[Any] = []
        with pytest.raises(llmport.InternalServerError, match="server had an error"):
            received.extend(llm.completion("responses/fake-stream-error", USER, stream=True))


def test_a_missing_key_is_refused(server: FakeResponsesServer) -> None:
    llm = llmport.Client(api_base=server.base_url, api_key="sk-invalid", num_retries=0)
    with llm, pytest.raises(llmport.AuthenticationError):
        llm.completion("responses/gpt-4.1", USER)
    assert server.requests[0].path == "/v1/responses"


@pytest.mark.parametrize("version", [None, "2025-04-01-preview"])
def test_azure_deployments_answer_through_the_same_codec(
    server: FakeResponsesServer, version: str | None
) -> None:
    extra = {"api_version": version} if version else {}
    with llmport.Client(api_base=server.root_url, api_key="azure-key", num_retries=0) as llm:
        chunks = list(llm.completion("azure/responses/my-gpt-5", USER, tools=TOOLS, stream=True, **extra))
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert built.choices[0].finish_reason == "tool_calls"
    request = server.requests[0]
    assert request.path == ("/openai/responses" if version else "/openai/v1/responses")
    assert request.query.get("api-version") == version
    assert request.headers["api-key"] == "azure-key"
    assert "authorization" not in request.headers
    assert request.body["model"] == "my-gpt-5"


def test_azure_wants_its_key_header(server: FakeResponsesServer) -> None:
    llm = llmport.Client(api_base=server.root_url + "/openai/v1", num_retries=0)
    with llm, pytest.raises(llmport.AuthenticationError):
        llm.completion("azure/responses/dep", USER, api_key="sk-invalid")

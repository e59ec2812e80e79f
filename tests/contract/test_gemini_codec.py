"""The Gemini codec on recorded answers: whole bodies, SSE and JSON-array streams, sync and async.

Every recording in ``fixtures/gemini`` (simonw/llm-gemini, openinference google-genai and
langchain-on-Vertex, vercel-ai google) is replayed through ``completion()``; text, reasoning,
tool calls, thought signatures, finish reason and usage must match what ``gemini_oracle`` reads
from the raw bytes. Streams are also replayed split at every byte (each offset, through the
codec's parser) and at random offsets (through ``completion()``), and must give the same chunks.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

import llmport
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.domain.models.request import TimeoutConfig, build_request
from llmport.ports.codec import ProviderCall

from .fixtures_loader import Exchange, exchange_names, load_exchange
from .gemini_oracle import Expected, expected
from .replay import (
    MESSAGES,
    areplay_completion,
    make_client,
    pieces_at,
    random_pieces,
    replay,
    replay_completion,
    seeded_rng,
)

MODEL = "gemini/gemini-2.5-flash"
BASE = "http://127.0.0.1:9/v1beta"
EXCHANGES = [load_exchange("gemini", name) for name in exchange_names("gemini")]
OK = [e for e in EXCHANGES if e.status == 200]
STREAMS = [e for e in OK if e.is_stream]
WHOLE = [e for e in OK if not e.is_stream]
FAILED = [e for e in EXCHANGES if e.status >= 400]
# Streamed function-call arguments (partialArgs): checked against values read off the recordings.
PARTIAL = {e.name for e in STREAMS if expected(e).partial_calls}


def ids(exchanges: list[Exchange]) -> list[str]:
    return [e.name for e in exchanges]


def run(
    exchange: Exchange, pieces: tuple[bytes, ...] | None = None
) -> tuple[llmport.ModelResponse, list[Any]]:
    """Replay ``exchange``; return the response (rebuilt from chunks for a stream) and the chunks."""
    return replay_completion(exchange, MODEL, BASE, pieces)


def assert_matches(response: llmport.ModelResponse, want: Expected, partial: bool = False) -> None:
    ChatCompletion.model_validate(response.model_dump())
    choice = response.choices[0]
    message = choice.message
    assert (message.content or "") == want.text
    assert (message.get("reasoning_content") or "") == want.reasoning
    assert choice.finish_reason == want.finish_reason
    assert response.usage.prompt_tokens == want.prompt_tokens
    assert response.usage.completion_tokens == want.completion_tokens
    assert response.usage.total_tokens == want.prompt_tokens + want.completion_tokens
    if want.total_tokens is not None and want.prompt_tokens:  # a frame may lack promptTokenCount
        assert response.usage.total_tokens == want.total_tokens
    details = response.usage.completion_tokens_details
    assert details is not None
    assert details.reasoning_tokens == want.reasoning_tokens
    assert response.model == (want.model or "gemini-2.5-flash")
    if want.id:
        assert response.id == want.id
    signatures = message.get("thought_signatures") or []
    assert [s.signature for s in signatures if s.tool_call_id is None] == want.text_signatures
    if partial:
        return
    calls = message.tool_calls or []
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == want.tool_calls
    for call, recorded_id, signature in zip(calls, want.call_ids, want.call_signatures, strict=True):
        assert call.id == (recorded_id or call.id)
        assert call.id.startswith("call_") or call.id == recorded_id
        assert not signature or signature not in call.id  # never smuggled into the id
        owed = [s.signature for s in signatures if s.tool_call_id == call.id]
        assert owed == ([signature] if signature else [])
    assert len({c.id for c in calls}) == len(calls)


def test_the_recordings_cover_the_issue() -> None:
    assert len(EXCHANGES) >= 25
    assert any(e.body.lstrip().startswith(b"[") for e in STREAMS)  # JSON-array streams
    assert any(e.body.startswith(b"data:") for e in STREAMS)  # SSE streams
    assert len(WHOLE) >= 10
    wants = {e.name: expected(e) for e in OK}
    assert any(w.tool_calls for w in wants.values())
    assert any(w.reasoning for w in wants.values())
    assert any(any(w.call_signatures) for w in wants.values())
    assert any(w.text_signatures for w in wants.values())
    assert any("response_mime_type" in json.dumps(e.request_body) for e in OK)  # structured output
    assert FAILED
    assert PARTIAL


@pytest.mark.parametrize("exchange", WHOLE, ids=ids(WHOLE))
def test_whole_answer(exchange: Exchange) -> None:
    response, _ = run(exchange)
    assert_matches(response, expected(exchange))


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream(exchange: Exchange) -> None:
    response, chunks = run(exchange)
    assert_matches(response, expected(exchange), exchange.name in PARTIAL)
    for chunk in chunks:
        ChatCompletionChunk.model_validate(chunk.model_dump())
    finishes = [chunk for chunk in chunks if chunk.choices[0].finish_reason]
    assert finishes == [chunks[-1]]
    assert chunks[-1].usage is not None
    assert chunks[0].choices[0].delta.role == "assistant"


def _parse(exchange: Exchange, pieces: tuple[bytes, ...]) -> list[dict[str, Any]]:
    registry = ProviderRegistry()
    host = registry.host("gemini")
    assert host is not None
    request = build_request("gemini/m", [{"role": "user", "content": "hi"}], {"stream": True})
    call = ProviderCall(
        request=request, host=host, model="m", api_base=BASE, api_key=None, api_version=None,
        timeout=TimeoutConfig(),
    )  # fmt: skip
    parser = registry.codec("gemini").stream_parser(call)
    chunks = [chunk for piece in pieces for chunk in parser.feed(piece)] + parser.finish()
    return [_comparable(chunk) for chunk in chunks]


def _comparable(chunk: Any) -> dict[str, Any]:
    dumped = {k: v for k, v in chunk.model_dump().items() if k != "created"}
    for choice in dumped["choices"]:
        for call in choice["delta"].get("tool_calls") or ():
            call["id"] = "generated" if call["id"].startswith("call_") else call["id"]
        for signature in choice["delta"].get("thought_signatures") or ():
            tool = signature["tool_call_id"]
            signature["tool_call_id"] = "generated" if tool and tool.startswith("call_") else tool
    return dumped


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream_split_at_every_byte(exchange: Exchange) -> None:
    whole = _parse(exchange, (exchange.body,))
    body = exchange.body
    step = max(1, len(body) // 1500)  # every byte for bodies up to 1.5 kB; larger ones every step-th
    offsets = set(range(1, len(body), step))
    for boundary in (i for i in range(len(body)) if body[i : i + 1] in (b"\n", b"{", b"}", b",", b"[", b"]")):
        offsets.update((boundary, boundary + 1))  # every frame edge, whatever the step
    for offset in sorted(offsets):
        assert _parse(exchange, pieces_at(body, (offset,))) == whole, offset


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream_split_at_random_bytes_through_completion(exchange: Exchange) -> None:
    _, whole = run(exchange, (exchange.body,))
    rng = seeded_rng("gemini", exchange.name)
    for _ in range(3):
        _, split = run(exchange, random_pieces(exchange.body, rng))
        assert [_comparable(c) for c in split] == [_comparable(c) for c in whole]


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream_cut_before_the_finish_reason_raises(exchange: Exchange) -> None:
    cut = exchange.body[: exchange.body.rindex(b'"finishReason"')]
    client, _ = make_client(replay(exchange, cut), api_base=BASE)
    with client, pytest.raises(llmport.APIConnectionError, match="finish reason"):
        list(client.completion(MODEL, MESSAGES, stream=True))


@pytest.mark.parametrize("exchange", OK, ids=ids(OK))
async def test_async(exchange: Exchange) -> None:
    response = await areplay_completion(exchange, MODEL, BASE)
    assert_matches(response, expected(exchange), exchange.name in PARTIAL)


# Values read off the recordings (vercel-ai google-stream-tool-call-* fixtures).
PARTIAL_CALLS = {
    "vercel_google_stream_tool_call_arguments_stream": [
        ("getWeather", {"location": "Boston"}),
        ("getWeather", {"location": "San Francisco"}),
    ],
    "vercel_google_stream_no_args_tool_call_stream": [
        ("read_theme", {}),
        ("read_screen", {"id": "A"}),
        ("read_screen", {"id": "B"}),
        ("read_screen", {"id": "C"}),
    ],
    "vercel_google_stream_tool_call_array_arguments_missing_terminal_function_call_stream": [
        (
            "writeItems",
            {
                "operations": [
                    {"action": "add", "description": "Fresh red apple", "itemid": "apple_001", "price": 0.5},
                    {
                        "action": "add",
                        "description": "Ripe yellow banana",
                        "itemid": "banana_001",
                        "price": 0.3,
                    },
                ]
            },
        )
    ],
}


@pytest.mark.parametrize("name", sorted(PARTIAL_CALLS))
def test_streamed_function_call_arguments_are_assembled(name: str) -> None:
    response, _ = run(load_exchange("gemini", name))
    calls = response.choices[0].message.tool_calls or []
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == PARTIAL_CALLS[name]
    assert response.choices[0].finish_reason == "tool_calls"
    signed = {s.tool_call_id for s in response.choices[0].message.thought_signatures or ()}
    assert calls[0].id in signed


def test_nested_streamed_arguments_build_lists_of_objects() -> None:
    response, _ = run(
        load_exchange("gemini", "vercel_google_vertex_stream_tool_call_arguments_nested_1_stream")
    )
    (call,) = response.choices[0].message.tool_calls or []
    arguments = json.loads(call.function.arguments)
    ingredients = arguments["recipe"]["ingredients"]
    assert ingredients[0] == {"amount": "16 oz", "name": "Lasagna noodles"}
    assert ingredients[6] == {"amount": "1", "name": "Egg"}
    assert all(set(item) == {"amount", "name"} for item in ingredients)


@pytest.mark.parametrize("exchange", FAILED, ids=ids(FAILED))
def test_recorded_error(exchange: Exchange) -> None:
    body = json.loads(exchange.body)
    client, _ = make_client(replay(exchange), api_base=BASE)
    with client, pytest.raises(llmport.RateLimitError) as caught:
        client.completion(MODEL, MESSAGES)
    error = caught.value
    assert error.status_code == exchange.status == 429
    assert error.llm_provider == "gemini"
    assert error.message == body["error"]["message"]
    assert error.retry_after == 34.4  # RetryInfo.retryDelay "34.4s"
    assert error.type == "RESOURCE_EXHAUSTED"

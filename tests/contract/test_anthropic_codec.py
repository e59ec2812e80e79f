"""The Anthropic codec on recorded answers: whole messages and SSE streams, sync and async.

Every successful recording (simonw/llm-anthropic, anthropic-sdk-python, openinference, vercel-ai)
is replayed through ``completion()``; text, tool calls, reasoning (with signatures), finish
reason and usage must match what ``anthropic_oracle`` reads from the raw bytes. Streams are also
replayed cut at random byte offsets and must give the same chunks.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

import llmport
from llmport.testing import HttpResponse

from .anthropic_oracle import Expected, arguments, expected
from .fixtures_loader import Exchange, exchange_names, load_exchange
from .replay import (
    MESSAGES,
    areplay_completion,
    make_client,
    random_pieces,
    replay,
    replay_completion,
    seeded_rng,
)

MODEL = "anthropic/claude-sonnet-4-5"
BASE = "http://127.0.0.1:9"
EXCHANGES = [load_exchange("anthropic", name) for name in exchange_names("anthropic")]
OK = [e for e in EXCHANGES if e.status == 200 and e.name != "vercel_spliced_message_start_stream"]
# vercel-ai's deliberately broken stream: a relay restarted the answer after content had begun.
SPLICED = "vercel_spliced_message_start_stream"
STREAMS = [e for e in OK if e.is_stream and e.name != SPLICED]
WHOLE = [e for e in OK if not e.is_stream]
FAILED = [e for e in EXCHANGES if e.status >= 400]


def ids(exchanges: list[Exchange]) -> list[str]:
    return [e.name for e in exchanges]


def run(
    exchange: Exchange, pieces: tuple[bytes, ...] | None = None
) -> tuple[llmport.ModelResponse, list[Any]]:
    """Replay ``exchange``; return the response (rebuilt from chunks for a stream) and the chunks."""
    return replay_completion(exchange, MODEL, BASE, pieces)


def assert_matches(response: llmport.ModelResponse, want: Expected) -> None:
    ChatCompletion.model_validate(response.model_dump())
    assert len(response.choices) == 1
    choice = response.choices[0]
    message = choice.message
    assert (message.content or "") == want.text
    calls = [(c.id, c.function.name, arguments(c.function.arguments)) for c in message.tool_calls or ()]
    assert calls == want.tool_calls
    assert (message.get("reasoning_content") or "") == want.reasoning
    blocks = [b for b in message.get("thinking_blocks") or () if b["type"] == "thinking"]
    assert [b["signature"] for b in blocks] == want.signatures
    assert choice.finish_reason == want.finish_reason
    assert response.usage.prompt_tokens == want.prompt_tokens
    assert response.usage.completion_tokens == want.completion_tokens
    assert response.usage.total_tokens == want.prompt_tokens + want.completion_tokens
    details = response.usage.prompt_tokens_details
    assert details is not None
    assert details.cached_tokens == want.cached_tokens
    assert details.cache_creation_tokens == want.cache_creation_tokens
    assert response.id == want.id
    assert response.model == want.model


def test_the_recordings_cover_the_issue() -> None:
    assert len(OK) >= 30
    assert len(STREAMS) >= 27
    assert any(expected(e).tool_calls for e in STREAMS)
    assert any(expected(e).reasoning for e in STREAMS)
    assert any(expected(e).tool_calls for e in WHOLE)
    assert {expected(e).finish_reason for e in OK} >= {"stop", "length", "tool_calls", "content_filter"}
    assert any(expected(e).cached_tokens for e in OK)


@pytest.mark.parametrize("exchange", WHOLE, ids=ids(WHOLE))
def test_whole_message(exchange: Exchange) -> None:
    response, _ = run(exchange)
    assert_matches(response, expected(exchange))


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream(exchange: Exchange) -> None:
    response, chunks = run(exchange)
    assert_matches(response, expected(exchange))
    for chunk in chunks:
        ChatCompletionChunk.model_validate(chunk.model_dump())
    finishes = [chunk for chunk in chunks if chunk.choices[0].finish_reason]
    assert len(finishes) == 1
    assert finishes[0] is chunks[-1]
    assert chunks[-1].usage is not None  # without stream_options: Anthropic always reports usage
    indexes = {}
    for chunk in chunks:
        for call in chunk.choices[0].delta.tool_calls or ():
            if call.id is not None:
                indexes[call.id] = call.index
    assert sorted(indexes.values()) == list(range(len(indexes)))


def _without_created(chunks: list[Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in chunk.model_dump().items() if k != "created"} for chunk in chunks]


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream_split_at_random_bytes(exchange: Exchange) -> None:
    _, whole = run(exchange, (exchange.body,))
    rng = seeded_rng("anthropic", exchange.name)
    for _ in range(3):
        _, split = run(exchange, random_pieces(exchange.body, rng))
        assert _without_created(split) == _without_created(whole)


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream_cut_before_message_stop_raises(exchange: Exchange) -> None:
    cut = exchange.body[: exchange.body.index(b"message_stop") - 20]
    client, _ = make_client(replay(exchange, cut), api_base=BASE)
    with client, pytest.raises(llmport.APIConnectionError, match="message_stop"):
        list(client.completion(MODEL, MESSAGES, stream=True))


@pytest.mark.parametrize("exchange", OK, ids=ids(OK))
async def test_async(exchange: Exchange) -> None:
    response = await areplay_completion(exchange, MODEL, BASE)
    assert_matches(response, expected(exchange))


def test_a_stream_restarted_after_content_is_rejected_after_the_delivered_chunks() -> None:
    exchange = load_exchange("anthropic", SPLICED)
    client, _ = make_client(replay(exchange), api_base=BASE)
    received = []
    with client, pytest.raises(llmport.APIResponseValidationError, match="second message_start"):
        received.extend(client.completion(MODEL, MESSAGES, stream=True))
    assert received
    assert received[0].choices[0].delta.role == "assistant"


@pytest.mark.parametrize("exchange", FAILED, ids=ids(FAILED))
def test_recorded_error(exchange: Exchange) -> None:
    body = json.loads(exchange.body)
    client, _ = make_client(replay(exchange), api_base=BASE)
    with client, pytest.raises(llmport.APIError) as caught:
        client.completion(MODEL, MESSAGES)
    error = caught.value
    wanted = {"rate_limit_error": llmport.RateLimitError, "invalid_request_error": llmport.BadRequestError}
    assert type(error) is wanted[body["error"]["type"]]
    assert error.status_code == exchange.status
    assert error.llm_provider == "anthropic"
    assert error.message == body["error"]["message"]
    assert error.request_id == exchange.headers.get("request-id")


# A string where the content blocks belong used to escape as AttributeError.
TEXT_FOR_BLOCKS = {"id": "msg_1", "type": "message", "role": "assistant", "content": "text", "model": "m"}


def test_content_that_is_not_blocks_is_a_validation_error() -> None:
    client, _ = make_client(lambda _request: HttpResponse.from_json(TEXT_FOR_BLOCKS), api_base=BASE)
    with client, pytest.raises(llmport.APIResponseValidationError):
        client.completion(MODEL, MESSAGES)


def test_a_streamed_block_that_is_not_an_object_is_a_validation_error() -> None:
    start = {"type": "message_start", "message": {**TEXT_FOR_BLOCKS, "content": []}}
    block = {"type": "content_block_start", "index": 0, "content_block": "text"}
    events = b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in (start, block))
    sse = HttpResponse(200, {"content-type": "text/event-stream"}, chunks=(events,))
    client, _ = make_client(lambda _request: sse, api_base=BASE)
    with client:
        stream = client.completion(MODEL, MESSAGES, stream=True)
        with pytest.raises(llmport.APIResponseValidationError):
            list(stream)

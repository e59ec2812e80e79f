"""The Bedrock Converse codec on recorded answers: whole JSON and binary event streams, sync and async.

Every recording (openinference Converse / ConverseStream cassettes, vercel-ai amazon-bedrock
fixtures) is replayed through ``completion()``; text, tool calls, reasoning with signatures,
finish reason and usage must match what ``bedrock_oracle`` reads from the recorded bytes with
botocore directly. Streams are also fed one byte at a time and cut in two at every offset, and
must give the same chunks. Recorded streams without ``metadata`` (vercel-ai wrote some by hand)
are incomplete: their chunks arrive, then ``APIConnectionError``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

import llmport
from llmport.testing import HttpResponse

from .bedrock_oracle import Expected, expected
from .fixtures_loader import FIXTURES_DIR, Exchange, exchange_names, load_exchange, load_metadata
from .replay import MESSAGES, make_client, pieces_at, stream_parser

MODEL = "bedrock/anthropic.claude-3-haiku-20240307-v1:0"
BASE = "http://127.0.0.1:9"
EXCHANGES = [load_exchange("bedrock", name) for name in exchange_names("bedrock")]
WHOLE = [e for e in EXCHANGES if not e.is_stream]
STREAMS = [e for e in EXCHANGES if e.is_stream]
COMPLETE = [e for e in STREAMS if expected(e).complete]
INCOMPLETE = [e for e in STREAMS if not expected(e).complete]


def ids(exchanges: list[Exchange]) -> list[str]:
    return [e.name for e in exchanges]


def _client(exchange: Exchange, pieces: tuple[bytes, ...] | None = None) -> llmport.Client:
    def handler(request: Any) -> HttpResponse:
        if not exchange.is_stream:
            return HttpResponse(exchange.status, exchange.headers, exchange.body)
        chunks = pieces or pieces_at(exchange.body, range(7, len(exchange.body), 211))
        return HttpResponse(exchange.status, exchange.headers, chunks=chunks)

    return make_client(handler, api_base=BASE)[0]


def assert_matches(response: llmport.ModelResponse, want: Expected) -> None:
    ChatCompletion.model_validate(response.model_dump())
    (choice,) = response.choices
    message = choice.message
    assert (message.content or "") == want.text
    calls = [(c.id, c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls or ()]
    assert calls == want.tool_calls
    assert (message.get("reasoning_content") or "") == want.reasoning
    blocks = [b for b in message.get("thinking_blocks") or () if b["type"] == "thinking"]
    assert [b["signature"] for b in blocks] == want.signatures
    assert choice.finish_reason == want.finish_reason()
    usage = want.usage or {}
    assert response.usage.prompt_tokens == want.prompt_tokens
    assert response.usage.completion_tokens == usage["outputTokens"]
    assert response.usage.total_tokens == want.prompt_tokens + usage["outputTokens"]
    details = response.usage.prompt_tokens_details
    assert details is not None
    assert details.cached_tokens == int(usage.get("cacheReadInputTokens") or 0)


def test_the_recordings_cover_the_issue() -> None:
    assert len(EXCHANGES) >= 20
    assert len(WHOLE) >= 10
    assert len([e for e in STREAMS if e.name.startswith("oi_")]) == 3  # binary event streams as recorded
    wanted = [expected(e) for e in EXCHANGES]
    assert any(w.tool_calls for w in wanted)
    assert any(w.reasoning and w.signatures for w in wanted)
    assert any(w.stop_reason == "max_tokens" for w in wanted)
    assert INCOMPLETE  # streams without metadata exist in the corpus and must not pass silently


@pytest.mark.parametrize("exchange", WHOLE, ids=ids(WHOLE))
def test_whole_answer(exchange: Exchange) -> None:
    with _client(exchange) as client:
        response = client.completion(MODEL, MESSAGES)
    assert isinstance(response, llmport.ModelResponse)
    assert_matches(response, expected(exchange))
    recorded_id = exchange.headers.get("x-amzn-requestid")
    assert response._hidden_params.get("request_id") == recorded_id


@pytest.mark.parametrize("exchange", COMPLETE, ids=ids(COMPLETE))
def test_stream(exchange: Exchange) -> None:
    with _client(exchange) as client:
        chunks = list(client.completion(MODEL, MESSAGES, stream=True))
    for chunk in chunks:
        assert chunk.choices
        ChatCompletionChunk.model_validate(chunk.model_dump())
    assert len({chunk.id for chunk in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [i for i, c in enumerate(chunks) if c.usage is not None] == [len(chunks) - 1]
    assert [i for i, c in enumerate(chunks) if c.choices[0].finish_reason] == [len(chunks) - 1]
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert_matches(built, expected(exchange))


@pytest.mark.parametrize("exchange", INCOMPLETE, ids=ids(INCOMPLETE))
def test_stream_without_metadata_is_incomplete_after_its_chunks(exchange: Exchange) -> None:
    received: list[llmport.ModelResponseStream] = []
    with (
        _client(exchange) as client,
        pytest.raises(llmport.APIConnectionError, match="messageStop and metadata"),
    ):
        received.extend(client.completion(MODEL, MESSAGES, stream=True))
    want = expected(exchange)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in received)
    assert text == want.text
    assert not any(chunk.choices[0].finish_reason for chunk in received)


def _parse(pieces: tuple[bytes, ...]) -> list[dict[str, Any]]:
    parser = stream_parser("bedrock")
    chunks = [chunk for piece in pieces for chunk in parser.feed(piece)] + parser.finish()
    return [{k: v for k, v in chunk.model_dump().items() if k not in ("id", "created")} for chunk in chunks]


@pytest.mark.parametrize("exchange", COMPLETE, ids=ids(COMPLETE))
def test_stream_fed_one_byte_at_a_time(exchange: Exchange) -> None:
    whole = _parse((exchange.body,))
    assert whole
    body = exchange.body
    assert _parse(tuple(body[i : i + 1] for i in range(len(body)))) == whole


@pytest.mark.parametrize(
    "exchange",
    [e for e in COMPLETE if len(e.body) < 5000],
    ids=ids([e for e in COMPLETE if len(e.body) < 5000]),
)
def test_stream_cut_in_two_at_every_offset(exchange: Exchange) -> None:
    whole = _parse((exchange.body,))
    for cut in range(1, len(exchange.body)):
        assert _parse(pieces_at(exchange.body, [cut])) == whole, f"cut at byte {cut}"


@pytest.mark.parametrize("exchange", COMPLETE, ids=ids(COMPLETE))
def test_stream_cut_inside_the_last_frame_is_a_connection_error(exchange: Exchange) -> None:
    parser = stream_parser("bedrock")
    delivered = parser.feed(exchange.body[:-3])
    assert delivered
    with pytest.raises(llmport.APIConnectionError):
        parser.finish()


@pytest.mark.parametrize("exchange", WHOLE + COMPLETE, ids=ids(WHOLE + COMPLETE))
async def test_async(exchange: Exchange) -> None:
    with _client(exchange) as client:
        if exchange.is_stream:
            stream = await client.acompletion(MODEL, MESSAGES, stream=True)
            chunks = [chunk async for chunk in stream]
            response = llmport.stream_chunk_builder(chunks)
        else:
            response = await client.acompletion(MODEL, MESSAGES)
    assert isinstance(response, llmport.ModelResponse)
    assert_matches(response, expected(exchange))


@pytest.mark.parametrize("exchange", EXCHANGES, ids=ids(EXCHANGES))
def test_fixture_metadata_and_no_secrets(exchange: Exchange) -> None:
    meta = load_metadata("bedrock", exchange.name)
    assert meta["project"] in {"openinference", "vercel-ai"}
    assert meta["source"]
    assert meta["description"]
    assert set(meta["request"]) == {"method", "url", "headers", "body"}
    headers = {key.lower() for key in meta["response"]["headers"]}
    assert not headers & {"authorization", "x-amz-security-token", "set-cookie"}
    raw = (FIXTURES_DIR / "bedrock" / meta["response"]["body_file"]).read_bytes()
    assert not re.search(rb"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|Bearer\s+\S{20,}", raw)
    if exchange.is_stream:
        assert expected(exchange).stop_reason is not None  # botocore decodes every frame
    else:
        assert "output" in json.loads(exchange.body)

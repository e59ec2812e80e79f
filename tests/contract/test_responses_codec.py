"""The Responses codec on recorded answers: whole responses and typed SSE streams, sync and async.

Every Responses recording (simonw/llm, openinference's litellm tests, vercel-ai's OpenAI and
open-responses packages: OpenAI, and LM Studio's implementation of the API) is replayed
through ``completion()``; text, reasoning, tool calls, finish reason, usage and the items kept
for the next turn must match what ``responses_oracle`` reads from the raw bytes. Streams are
replayed whole, one byte at a time, and split in two at every byte.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

import llmport
from llmport.adapters.providers.responses import events as events_module
from llmport.testing import HttpResponse

from .fixtures_loader import Exchange, exchange_names, load_exchange
from .replay import MESSAGES, make_client, pieces_at, stream_parser
from .responses_oracle import Expected, arguments, from_events, from_response, payloads, segments

MODEL = "responses/gpt-5.5"
BASE = "http://127.0.0.1:9"
EXCHANGES = [load_exchange("responses", name) for name in exchange_names("responses")]
WHOLE = [e for e in EXCHANGES if not e.is_stream]
# One case per recorded response: a vercel-ai recording holds four streams in a row.
STREAMS = [
    (f"{e.name}#{position}", body)
    for e in EXCHANGES
    if e.is_stream
    for position, body in enumerate(segments(e))
]
FAILED_STREAMS = [(name, body) for name, body in STREAMS if b'"type":"error"' in body]
OK_STREAMS = [(name, body) for name, body in STREAMS if (name, body) not in FAILED_STREAMS]
SMALL_STREAMS = [(name, body) for name, body in OK_STREAMS if len(body) < 12_000]


def ids(cases: list[Any]) -> list[str]:
    return [case.name if isinstance(case, Exchange) else case[0] for case in cases]


def expected_stream(body: bytes) -> Expected:
    return from_events(payloads(body))


def run_whole(exchange: Exchange) -> llmport.ModelResponse:
    client, _ = make_client(lambda request: HttpResponse(200, exchange.headers, exchange.body), api_base=BASE)
    with client:
        response = client.completion(MODEL, MESSAGES)
    assert isinstance(response, llmport.ModelResponse)
    return response


def run_stream(body: bytes, received: list[Any] | None = None) -> list[Any]:
    """Stream ``body`` (in pieces of 997 bytes) through ``completion``; chunks also go to ``received``."""
    chunks = pieces_at(body, range(13, len(body), 997))
    received = [] if received is None else received
    client, _ = make_client(lambda request: HttpResponse(200, {}, chunks=chunks), api_base=BASE)
    with client:
        received.extend(client.completion(MODEL, MESSAGES, stream=True))
    return received


def assert_matches(response: llmport.ModelResponse, want: Expected) -> None:
    ChatCompletion.model_validate(response.model_dump())
    assert len(response.choices) == 1, "one choice, never a preamble or reasoning as choices[0]"
    choice = response.choices[0]
    message = choice.message
    assert (message.content or "") == want.text
    assert (message.get("reasoning_content") or "") == want.reasoning
    calls = [(c.id, c.function.name, arguments(c.function.arguments)) for c in message.tool_calls or ()]
    assert calls == want.tool_calls
    kept = [item.model_dump(exclude_none=True) for item in message.get("responses_items") or ()]
    assert kept == want.kept
    assert choice.finish_reason == want.finish_reason
    usage = response.usage
    assert usage.prompt_tokens == want.usage["prompt_tokens"]
    assert usage.completion_tokens == want.usage["completion_tokens"]
    assert usage.total_tokens == want.usage["total_tokens"]
    if want.usage["cached_tokens"] is not None:
        assert usage.prompt_tokens_details is not None
        assert usage.prompt_tokens_details.cached_tokens == want.usage["cached_tokens"]
    if want.usage["reasoning_tokens"] is not None:
        assert usage.completion_tokens_details is not None
        assert usage.completion_tokens_details.reasoning_tokens == want.usage["reasoning_tokens"]
    assert response.id == want.id
    assert response.model == want.model


def test_the_recordings_cover_the_issue() -> None:
    assert len(WHOLE) >= 20
    assert len(OK_STREAMS) >= 13
    assert FAILED_STREAMS
    whole = [from_response(json.loads(e.body)) for e in WHOLE]
    streamed = [expected_stream(body) for _, body in OK_STREAMS]
    for wants in (whole, streamed):
        assert any(want.tool_calls for want in wants)
        assert any(item["type"] == "reasoning" for want in wants for item in want.kept)
        assert any(item["type"] == "message" for want in wants for item in want.kept)  # preambles
        assert any(want.reasoning for want in wants)
        assert any(want.usage["reasoning_tokens"] for want in wants)
    assert any(len(want.tool_calls) > 1 for want in whole)
    assert any("reasoning_text" in body.decode() for _, body in OK_STREAMS)  # raw reasoning (LM Studio)


@pytest.mark.parametrize("exchange", WHOLE, ids=ids(WHOLE))
def test_whole_response(exchange: Exchange) -> None:
    assert_matches(run_whole(exchange), from_response(json.loads(exchange.body)))


@pytest.mark.parametrize(("name", "body"), OK_STREAMS, ids=ids(OK_STREAMS))
def test_stream(name: str, body: bytes) -> None:
    chunks = run_stream(body)
    want = expected_stream(body)
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert_matches(built, want)
    for chunk in chunks:
        ChatCompletionChunk.model_validate(chunk.model_dump())
    assert chunks[0].choices[0].delta.role == "assistant"
    finishes = [chunk for chunk in chunks if chunk.choices[0].finish_reason]
    assert finishes == [chunks[-1]]
    assert chunks[-1].usage is not None  # the Responses API always reports usage
    # Argument deltas arrive as they were sent, not only once the call is done; a call whose
    # server sent no delta gets its arguments from `function_call_arguments.done` in one piece.
    fragments = sum(len(c.choices[0].delta.tool_calls or ()) for c in chunks)
    events = payloads(body)
    deltas = [p["item_id"] for p in events if p["type"] == "response.function_call_arguments.delta"]
    done_only = [
        p
        for p in events
        if p["type"] == "response.function_call_arguments.done" and p["item_id"] not in deltas
    ]
    assert fragments == len(deltas) + len(done_only) + len(want.tool_calls)


@pytest.mark.parametrize(("name", "body"), OK_STREAMS, ids=ids(OK_STREAMS))
def test_stream_whole_matches_the_completed_response(name: str, body: bytes) -> None:
    events = payloads(body)
    completed = events[-1]["response"]
    numbers = [event["sequence_number"] for event in events]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        pytest.skip("the recording leaves out some events (vercel-ai trimmed its deltas)")
    streamed, whole = from_events(events), from_response(completed)
    for want in (streamed, whole):
        # Each copy of an item is encrypted afresh: the tokens differ, both are valid.
        want.kept = [{**item, "encrypted_content": bool(item.get("encrypted_content"))} for item in want.kept]
    assert streamed == whole


def _parsed(body: bytes, pieces: tuple[bytes, ...]) -> list[dict[str, Any]]:
    parser = stream_parser("responses")
    chunks = [chunk for piece in pieces for chunk in parser.feed(piece)] + parser.finish()
    return [{k: v for k, v in chunk.model_dump().items() if k != "created"} for chunk in chunks]


@pytest.mark.parametrize(("name", "body"), OK_STREAMS, ids=ids(OK_STREAMS))
def test_stream_one_byte_at_a_time(name: str, body: bytes) -> None:
    assert _parsed(body, pieces_at(body, range(1, len(body)))) == _parsed(body, (body,))


@pytest.mark.parametrize(("name", "body"), SMALL_STREAMS, ids=ids(SMALL_STREAMS))
def test_stream_split_in_two_at_every_byte(name: str, body: bytes) -> None:
    whole = _parsed(body, (body,))
    for cut in range(1, len(body)):
        assert _parsed(body, (body[:cut], body[cut:])) == whole, f"split at byte {cut}"


@pytest.mark.parametrize(("name", "body"), OK_STREAMS, ids=ids(OK_STREAMS))
def test_stream_cut_before_completed_raises(name: str, body: bytes) -> None:
    cut = body[: body.rindex(b"response.completed") - 20]
    received: list[Any] = []
    with pytest.raises(llmport.APIConnectionError, match=r"response\.completed"):
        run_stream(cut, received)
    assert received  # what arrived before the cut was delivered


@pytest.mark.parametrize("case", [*WHOLE, *OK_STREAMS], ids=ids([*WHOLE, *OK_STREAMS]))
async def test_async(case: Exchange | tuple[str, bytes]) -> None:
    if isinstance(case, Exchange):
        body, stream, want = case.body, False, from_response(json.loads(case.body))
    else:
        body, stream, want = case[1], True, expected_stream(case[1])
    client, _ = make_client(lambda request: HttpResponse(200, {}, body), api_base=BASE)
    async with client:
        if stream:
            chunks = await client.acompletion(MODEL, MESSAGES, stream=True)
            response = llmport.stream_chunk_builder([chunk async for chunk in chunks])
        else:
            response = await client.acompletion(MODEL, MESSAGES)
    assert isinstance(response, llmport.ModelResponse)
    assert_matches(response, want)


@pytest.mark.parametrize(("name", "body"), FAILED_STREAMS, ids=ids(FAILED_STREAMS))
def test_recorded_error_event(name: str, body: bytes) -> None:
    error = next(p for p in payloads(body) if p["type"] == "error")["error"]
    received: list[Any] = []
    with pytest.raises(llmport.RateLimitError) as caught:  # insufficient_quota, as OpenAI classifies it
        run_stream(body, received)
    assert caught.value.message == error["message"]
    assert caught.value.code == error["code"]
    assert caught.value.llm_provider == "responses"
    assert [chunk.choices[0].delta.role for chunk in received] == ["assistant"]


@pytest.mark.parametrize(("name", "body"), OK_STREAMS, ids=ids(OK_STREAMS))
def test_chunks_are_the_ones_model_validate_makes(
    name: str, body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The decoder validates its own payloads in one pass (plain_chunk); pydantic's full path agrees.
    fast = [chunk.model_dump() for chunk in stream_parser("responses").feed(body)]
    monkeypatch.setattr(events_module, "plain_chunk", llmport.ModelResponseStream.model_validate)
    slow = [chunk.model_dump() for chunk in stream_parser("responses").feed(body)]
    assert fast == slow
    assert len(fast) > 2

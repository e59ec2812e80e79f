"""Contract tests: the OpenAI chat-completions codec replaying the recorded bytes in fixtures/openai.

Every fixture is covered by parametrization over ``exchange_names("openai")``, so a new recording
is checked without editing this file. Expectations come from the raw recorded bytes (see
``replay.py``), never from llmport's own parser.
"""

from __future__ import annotations

import json

import pytest

import llmport
from llmport.testing import HttpRequest, HttpResponse

from .fixtures_loader import Exchange, exchange_names, load_exchange
from .replay import (
    MESSAGES,
    answer,
    assert_built,
    assert_response,
    assert_stream_chunks,
    astream_chunks,
    dumps,
    expected_stream,
    make_client,
    pieces_at,
    random_pieces,
    raw_payloads,
    replay,
    seeded_rng,
    stream_chunks,
)

MODEL = "openai/gpt-4o"
ALL = exchange_names("openai")
STREAMS = [name for name in ALL if load_exchange("openai", name).is_stream]
SUCCESSES = [
    name
    for name in ALL
    if not load_exchange("openai", name).is_stream and load_exchange("openai", name).status < 400
]
# Small recordings replayed split in two at every byte boundary.
EVERY_BOUNDARY = ["stream_finish_length_max_tokens", "stream_content_logprobs"]


def _exchange(name: str) -> Exchange:
    return load_exchange("openai", name)


def _chunks(
    exchange: Exchange, body: bytes | None = None, pieces: tuple[bytes, ...] | None = None
) -> list[llmport.ModelResponseStream]:
    client, _ = make_client(replay(exchange, body, pieces))
    return stream_chunks(client, MODEL)


def test_the_corpus_has_streams_and_plain_answers() -> None:
    assert len(STREAMS) >= 15
    assert len(SUCCESSES) >= 5


# -- non-streamed ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", SUCCESSES)
def test_non_streamed_answer_keeps_the_recorded_completion(name: str) -> None:
    exchange = _exchange(name)
    client, fake = make_client(replay(exchange))
    response = client.completion(MODEL, MESSAGES)
    assert_response(response, json.loads(exchange.body))
    assert len(fake.requests) == 1
    assert response._hidden_params["custom_llm_provider"] == "openai"


@pytest.mark.parametrize("name", SUCCESSES)
async def test_async_non_streamed_answer_equals_the_sync_one(name: str) -> None:
    exchange = _exchange(name)
    client, _ = make_client(replay(exchange))
    sync = client.completion(MODEL, MESSAGES)
    response = await client.acompletion(MODEL, MESSAGES)
    assert isinstance(response, llmport.ModelResponse)
    assert response.model_dump() == sync.model_dump()


def test_cached_tokens_are_reported() -> None:
    client, _ = make_client(replay(_exchange("nonstream_cached_tokens")))
    usage = client.completion(MODEL, MESSAGES).usage
    assert usage.prompt_tokens == 1370
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 1280


def test_parallel_tool_calls_stay_distinct_non_streamed() -> None:
    client, _ = make_client(replay(_exchange("nonstream_parallel_tool_calls")))
    choice = client.completion(MODEL, MESSAGES).choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls or []
    assert [call.function.name for call in calls] == ["get_weather", "get_population"]
    assert len({call.id for call in calls}) == 2
    assert all(isinstance(json.loads(call.function.arguments), dict) for call in calls)


def test_response_headers_are_exposed_without_secrets() -> None:
    exchange = _exchange("nonstream_finish_length_max_tokens")
    client, _ = make_client(replay(exchange))
    response = client.completion(MODEL, MESSAGES)
    assert response.response_headers["x-request-id"] == exchange.headers["x-request-id"]


# -- streamed -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", STREAMS)
def test_stream_chunks_follow_the_recorded_events(name: str) -> None:
    exchange = _exchange(name)
    assert_stream_chunks(_chunks(exchange), raw_payloads(exchange.body))


@pytest.mark.parametrize("name", STREAMS)
def test_stream_rebuilds_the_recorded_message(name: str) -> None:
    exchange = _exchange(name)
    built = llmport.stream_chunk_builder(_chunks(exchange))
    assert_built(built, expected_stream(raw_payloads(exchange.body)))


@pytest.mark.parametrize("name", STREAMS)
def test_stream_split_at_random_offsets_gives_the_same_chunks(name: str) -> None:
    exchange = _exchange(name)
    whole = dumps(_chunks(exchange, pieces=(exchange.body,)))
    rng = seeded_rng("openai", name)
    for _ in range(8):
        assert dumps(_chunks(exchange, pieces=random_pieces(exchange.body, rng))) == whole
    assert dumps(_chunks(exchange, pieces=pieces_at(exchange.body, range(1, len(exchange.body))))) == whole


@pytest.mark.parametrize("name", STREAMS)
@pytest.mark.parametrize("newline", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_stream_with_other_line_endings_gives_the_same_chunks(name: str, newline: bytes) -> None:
    exchange = _exchange(name)
    assert b"\r" not in exchange.body  # JSON escapes newlines, so every LF is SSE framing
    body = exchange.body.replace(b"\n", newline)
    whole = dumps(_chunks(exchange))
    rng = seeded_rng("openai", name, repr(newline))
    for _ in range(4):
        assert dumps(_chunks(exchange, body, random_pieces(body, rng))) == whole


@pytest.mark.parametrize("name", EVERY_BOUNDARY)
def test_stream_split_in_two_at_every_byte_boundary(name: str) -> None:
    exchange = _exchange(name)
    body = exchange.body
    current: list[tuple[bytes, ...]] = [(body,)]

    def handler(request: HttpRequest) -> HttpResponse:
        return answer(exchange, pieces=current[0])

    client, _ = make_client(handler)
    whole = dumps(stream_chunks(client, MODEL))
    for cut in range(1, len(body)):
        current[0] = (body[:cut], body[cut:])
        assert dumps(stream_chunks(client, MODEL)) == whole, f"split at byte {cut}"


@pytest.mark.parametrize("name", STREAMS)
async def test_async_stream_gives_the_same_chunks(name: str) -> None:
    exchange = _exchange(name)
    pieces = random_pieces(exchange.body, seeded_rng("async", name))

    async def handler(request: HttpRequest) -> HttpResponse:
        return answer(exchange, pieces=pieces)

    client, _ = make_client(handler)  # type: ignore[arg-type]
    chunks = await astream_chunks(client, MODEL)
    assert dumps(chunks) == dumps(_chunks(exchange))
    assert_stream_chunks(chunks, raw_payloads(exchange.body))
    assert_built(llmport.stream_chunk_builder(chunks), expected_stream(raw_payloads(exchange.body)))


@pytest.mark.parametrize("name", STREAMS)
def test_stream_without_done_but_complete_is_not_an_error(name: str) -> None:
    exchange = _exchange(name)
    body = exchange.body
    assert body.endswith(b"data: [DONE]\n\n")
    payloads = raw_payloads(body)
    if not any(
        choice.get("finish_reason") for payload in payloads for choice in payload.get("choices") or ()
    ):
        pytest.skip("no finish_reason recorded: only [DONE] can end this stream")
    trimmed = body[: -len(b"data: [DONE]\n\n")]
    wants_usage = payloads[-1].get("usage") is not None
    client, _ = make_client(replay(exchange, trimmed))
    params = {"stream_options": {"include_usage": True}} if wants_usage else {"stream_options": None}
    n = len({choice["index"] for payload in payloads for choice in payload.get("choices") or ()})
    assert dumps(stream_chunks(client, MODEL, n=n, **params)) == dumps(_chunks(exchange))


# -- particular recordings ------------------------------------------------------------------


def test_stream_parallel_tool_calls_are_assembled_by_index() -> None:
    built = llmport.stream_chunk_builder(_chunks(_exchange("stream_parallel_tool_calls")))
    assert built is not None
    message = built.choices[0].message
    calls = message.tool_calls or []
    assert [call.function.name for call in calls] == ["GetWeatherArgs", "get_stock_price"]
    assert json.loads(calls[1].function.arguments)["ticker"] == "AAPL"
    assert built.choices[0].finish_reason == "tool_calls"
    assert not message.content


def test_stream_n3_gives_three_separate_choices_and_one_usage() -> None:
    chunks = _chunks(_exchange("stream_structured_output_n3"))
    assert {chunk.choices[0].index for chunk in chunks} == {0, 1, 2}
    assert sum(chunk.usage is not None for chunk in chunks) == 1
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert [choice.index for choice in built.choices] == [0, 1, 2]
    for choice in built.choices:
        assert set(json.loads(choice.message.content or "")) == {"city", "temperature", "units"}


def test_stream_refusal_is_assembled_and_content_stays_empty() -> None:
    built = llmport.stream_chunk_builder(_chunks(_exchange("stream_refusal")))
    assert built is not None
    assert built.choices[0].message.refusal == "I'm sorry, I can't assist with that request."
    assert not built.choices[0].message.content


def test_stream_logprobs_content_is_kept_on_chunks_and_built_message() -> None:
    exchange = _exchange("stream_content_logprobs")
    chunks = _chunks(exchange)
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert built.choices[0].logprobs is not None
    tokens = [entry["token"] for entry in built.choices[0].logprobs.content or []]
    assert "".join(tokens) == built.choices[0].message.content == "Foo!"


def test_stream_refusal_logprobs_are_kept_in_built_message() -> None:
    exchange = _exchange("stream_refusal_logprobs")
    built = llmport.stream_chunk_builder(_chunks(exchange))
    assert built is not None
    assert built.choices[0].logprobs is not None
    expected = expected_stream(raw_payloads(exchange.body)).choices[0].logprobs_refusal
    assert built.choices[0].logprobs.refusal == expected


def test_stream_leading_space_and_repeated_names_from_compatible_hosts() -> None:
    for name in (
        "compat_openrouter_stream_tool_call_leading_space",
        "compat_openrouter_stream_tool_call_repeated_name",
    ):
        built = llmport.stream_chunk_builder(_chunks(_exchange(name)))
        assert built is not None
        calls = built.choices[0].message.tool_calls or []
        assert [(call.function.name, call.function.arguments) for call in calls] == [("llm_version", "{}")]


def test_stream_non_ascii_text_survives_splits_inside_characters() -> None:
    exchange = _exchange("stream_json_object_mode")
    text = expected_stream(raw_payloads(exchange.body)).choices[0].content
    assert "°C" in text
    cuts = [
        i for i in range(len(exchange.body)) if exchange.body[i] >= 0x80
    ]  # inside or before UTF-8 sequences
    built = llmport.stream_chunk_builder(_chunks(exchange, pieces=pieces_at(exchange.body, cuts)))
    assert built is not None
    assert built.choices[0].message.content == text

"""Contract tests: recorded answers of OpenAI-compatible hosts replayed through their host rows.

Each recording in fixtures/<host>/ is answered by a ``FakeTransport`` to a call on
``<host>/<recorded model>``; what llmport returns is compared with what the recorded bytes say
(``compatible.recorded_answer`` / ``recorded_stream``, which never use llmport's parsers).
Where llmport deliberately rewrites a recorded field (see compatible.py), the field-by-field
comparisons leave those cases out and a dedicated test checks the rewrite.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport

from .compatible import (
    CHUNK_SHAPE,
    CONTENT_PARTS,
    GROQ_PLAIN,
    NORMALIZED,
    PLAIN,
    STREAMS,
    model_of,
    params,
    recorded_answer,
    recorded_stream,
)
from .fixtures_loader import load_exchange, load_metadata
from .replay import (
    MESSAGES,
    assert_contains,
    assert_response,
    assert_stream_chunks,
    astream_chunks,
    dumps,
    make_client,
    random_pieces,
    raw_payloads,
    replay,
    seeded_rng,
    stream_chunks,
)

PLAIN_REASONING = [case for case in PLAIN if recorded_answer(load_exchange(*case).body)[0].reasoning]
STREAM_REASONING = [case for case in STREAMS if recorded_stream(load_exchange(*case).body)[0].reasoning]
# vercel-ai stored payload lists: their SSE framing and final [DONE] were rebuilt, not recorded.
REFRAMED = [case for case in STREAMS if load_metadata(*case)["framing"] == "chunks-lines"]
AS_RECORDED = [case for case in PLAIN if case not in NORMALIZED]
STREAMS_AS_RECORDED = [case for case in STREAMS if case not in NORMALIZED]


def _answer(case: tuple[str, str]) -> llmport.ModelResponse:
    exchange = load_exchange(*case)
    client, _ = make_client(replay(exchange))
    return client.completion(model_of(exchange), MESSAGES)


def _chunks(case: tuple[str, str], body: bytes | None = None, pieces: Any = None) -> list[Any]:
    exchange = load_exchange(*case)
    client, _ = make_client(replay(exchange, body=body, pieces=pieces))
    return stream_chunks(client, model_of(exchange))


def _calls(message: llmport.Message) -> list[tuple[str | None, str | None, Any]]:
    return [
        (call.id, call.function.name, json.loads(call.function.arguments))
        for call in message.tool_calls or ()
    ]


# -- non-streamed ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", params(AS_RECORDED))
def test_non_streamed_answer_keeps_every_recorded_field(case: tuple[str, str]) -> None:
    assert_contains(_answer(case).model_dump(), json.loads(load_exchange(*case).body))


@pytest.mark.parametrize("case", params([case for case in AS_RECORDED if case not in GROQ_PLAIN]))
def test_non_streamed_answer_validates_as_the_sdk_chat_completion(case: tuple[str, str]) -> None:
    assert_response(_answer(case), json.loads(load_exchange(*case).body))


@pytest.mark.parametrize("case", params(sorted(GROQ_PLAIN)))
def test_groq_service_tier_is_passed_through_as_the_vendor_said(case: tuple[str, str]) -> None:
    recorded = json.loads(load_exchange(*case).body)
    response = _answer(case)
    assert recorded["service_tier"] == "on_demand"
    assert response.service_tier == "on_demand"
    without = {k: v for k, v in recorded.items() if k != "service_tier"}
    assert_response(
        llmport.ModelResponse.model_validate(
            {k: v for k, v in response.model_dump().items() if k != "service_tier"}
        ),
        without,
    )


@pytest.mark.parametrize("case", params(sorted(CONTENT_PARTS)))
def test_mistral_content_parts_become_text_and_reasoning_content(case: tuple[str, str]) -> None:
    exchange = load_exchange(*case)
    said = (recorded_stream if exchange.is_stream else recorded_answer)(exchange.body)[0]
    assert said.text == "2 + 2 = 4"
    assert said.reasoning
    if exchange.is_stream:
        built = llmport.stream_chunk_builder(_chunks(case))
        assert built is not None
        message = built.choices[0].message
    else:
        message = _answer(case).choices[0].message
    assert message.content == said.text
    assert message.get("reasoning_content") == said.reasoning


@pytest.mark.parametrize("case", params(PLAIN))
def test_non_streamed_text_tool_calls_finish_reason_and_usage(case: tuple[str, str]) -> None:
    said, usage = recorded_answer(load_exchange(*case).body)
    response = _answer(case)
    choice = response.choices[0]
    assert (choice.message.content or "") == said.text
    assert _calls(choice.message) == said.tool_calls()
    assert all(call.type == "function" for call in choice.message.tool_calls or ())
    assert choice.finish_reason == said.finish_reason
    assert_contains(response.usage.model_dump(), usage, "usage")


@pytest.mark.parametrize("case", params(PLAIN_REASONING))
def test_non_streamed_reasoning_is_reasoning_content(case: tuple[str, str]) -> None:
    said, _ = recorded_answer(load_exchange(*case).body)
    message = _answer(case).choices[0].message
    assert message.get("reasoning_content") == said.reasoning
    assert message.content == said.text


# -- streamed -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", params(STREAMS))
def test_stream_rebuilds_the_recorded_text_tool_calls_finish_reason_and_usage(case: tuple[str, str]) -> None:
    said, usage = recorded_stream(load_exchange(*case).body)
    chunks = _chunks(case)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == said.text
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    choice = built.choices[0]
    assert (choice.message.content or "") == said.text
    assert _calls(choice.message) == said.tool_calls()
    assert choice.finish_reason == said.finish_reason
    assert_contains(built.usage.model_dump(), usage, "usage")


@pytest.mark.parametrize("case", params(STREAM_REASONING))
def test_stream_reasoning_is_reasoning_content(case: tuple[str, str]) -> None:
    said, _ = recorded_stream(load_exchange(*case).body)
    chunks = _chunks(case)
    assert "".join(chunk.choices[0].delta.reasoning_content or "" for chunk in chunks) == said.reasoning
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert built.choices[0].message.get("reasoning_content") == said.reasoning


@pytest.mark.parametrize("case", params(STREAMS_AS_RECORDED))
def test_stream_chunks_follow_the_recorded_events(case: tuple[str, str]) -> None:
    assert_stream_chunks(_chunks(case), raw_payloads(load_exchange(*case).body))


@pytest.mark.parametrize("case", params(sorted(CHUNK_SHAPE)))
def test_perplexity_stream_keeps_every_event_but_its_object(case: tuple[str, str]) -> None:
    # Every recorded event is kept but its `object`, which llmport makes "chat.completion.chunk".
    payloads = raw_payloads(load_exchange(*case).body)
    chunks = _chunks(case)
    assert [payload["object"] for payload in payloads][-2:] == [
        "chat.completion.chunk",
        "chat.completion.done",
    ]
    assert len(chunks) == len(payloads)
    for chunk, payload in zip(chunks, payloads, strict=True):
        assert chunk.object == "chat.completion.chunk"
        assert chunk.usage is not None  # perplexity sends the running usage on every event
        assert_contains(chunk.usage.model_dump(), payload["usage"], "usage")
        assert_contains(
            chunk.model_dump(), {k: v for k, v in payload.items() if k not in ("usage", "object")}
        )
        assert (chunk.model_extra or {})["citations"] == payload["citations"]


@pytest.mark.parametrize("case", params(STREAMS))
def test_stream_split_at_random_offsets_gives_the_same_chunks(case: tuple[str, str]) -> None:
    body = load_exchange(*case).body
    whole = dumps(_chunks(case, pieces=(body,)))
    rng = seeded_rng("compatible", *case)
    for _ in range(6):
        assert dumps(_chunks(case, pieces=random_pieces(body, rng, max_cuts=300))) == whole


@pytest.mark.parametrize("case", params(STREAMS))
async def test_async_stream_split_at_random_offsets_gives_the_same_chunks(case: tuple[str, str]) -> None:
    exchange = load_exchange(*case)
    pieces = random_pieces(exchange.body, seeded_rng("compatible-async", *case))
    client, _ = make_client(replay(exchange, pieces=pieces))
    chunks = await astream_chunks(client, model_of(exchange))
    assert dumps(chunks) == dumps(_chunks(case))


@pytest.mark.parametrize("case", params(REFRAMED))
def test_stream_does_not_depend_on_the_reconstructed_done(case: tuple[str, str]) -> None:
    body = load_exchange(*case).body
    done = b"data: [DONE]\n\n"
    assert body.endswith(done)
    assert dumps(_chunks(case, body=body[: -len(done)])) == dumps(_chunks(case))

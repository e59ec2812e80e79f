"""The Ollama native codec on recorded answers: whole bodies and NDJSON streams, sync and async.

Every recording (openinference's Ollama cassettes) is replayed through ``completion()``; text,
thinking, tool calls, finish reason and usage must match what ``_oracle`` reads from the raw
recorded lines with ``json.loads`` alone. Streams are also fed byte by byte, split at every byte
of a short stream made of recorded lines, and cut at random offsets, and must give the same chunks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

import llmport
from llmport.testing import HttpRequest, HttpResponse, from_ndjson

from .fixtures_loader import Exchange, exchange_names, load_exchange
from .replay import (
    MESSAGES,
    answer,
    areplay_completion,
    make_client,
    pieces_at,
    random_pieces,
    replay,
    replay_completion,
    seeded_rng,
    stream_parser,
)

MODEL = "ollama_chat/qwen3.6:latest"
BASE = "http://127.0.0.1:9"
EXCHANGES = [load_exchange("ollama", name) for name in exchange_names("ollama")]
OK = [e for e in EXCHANGES if e.status == 200]
STREAMS = [e for e in OK if e.is_stream]
WHOLE = [e for e in OK if not e.is_stream]
FAILED = [e for e in EXCHANGES if e.status >= 400]


def ids(exchanges: list[Exchange]) -> list[str]:
    return [e.name for e in exchanges]


@dataclass
class Expected:
    """What a recorded answer says, read from its lines by hand."""

    text: str = ""
    thinking: str = ""
    tool_calls: list[tuple[str, str, Any]] = field(default_factory=list)
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""


def _oracle(exchange: Exchange) -> Expected:
    want = Expected()
    for line in exchange.body.decode("utf-8").split("\n"):
        if not line.strip():
            continue
        data = json.loads(line)
        message = data["message"]
        want.text += message.get("content") or ""
        want.thinking += message.get("thinking") or ""
        for call in message.get("tool_calls") or ():
            want.tool_calls.append((call["id"], call["function"]["name"], call["function"]["arguments"]))
        want.model = data["model"]
        if data["done"]:
            want.finish_reason = "tool_calls" if want.tool_calls else data["done_reason"]
            want.prompt_tokens = data.get("prompt_eval_count", 0)
            want.completion_tokens = data.get("eval_count", 0)
    return want


def run(
    exchange: Exchange, pieces: tuple[bytes, ...] | None = None
) -> tuple[llmport.ModelResponse, list[Any]]:
    """Replay ``exchange``; return the response (rebuilt from chunks for a stream) and the chunks."""
    return replay_completion(exchange, MODEL, BASE, pieces)


def assert_matches(response: llmport.ModelResponse, want: Expected) -> None:
    ChatCompletion.model_validate(response.model_dump())
    assert len(response.choices) == 1
    message = response.choices[0].message
    assert (message.content or "") == want.text
    assert (message.get("reasoning_content") or "") == want.thinking
    calls = [(c.id, c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls or ()]
    assert calls == want.tool_calls
    assert response.choices[0].finish_reason == want.finish_reason
    assert response.usage.prompt_tokens == want.prompt_tokens
    assert response.usage.completion_tokens == want.completion_tokens
    assert response.usage.total_tokens == want.prompt_tokens + want.completion_tokens
    assert response.model == want.model


def test_the_recordings_cover_the_issue() -> None:
    assert len(STREAMS) >= 2
    assert len(WHOLE) >= 6
    assert any(_oracle(e).tool_calls for e in WHOLE)
    assert all(_oracle(e).thinking for e in OK)
    assert FAILED


@pytest.mark.parametrize("exchange", WHOLE, ids=ids(WHOLE))
def test_whole_answer(exchange: Exchange) -> None:
    response, _ = run(exchange)
    assert_matches(response, _oracle(exchange))


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream(exchange: Exchange) -> None:
    response, chunks = run(exchange)
    assert_matches(response, _oracle(exchange))
    for chunk in chunks:
        ChatCompletionChunk.model_validate(chunk.model_dump())
    assert len({chunk.id for chunk in chunks}) == 1  # one answer, one id
    finishes = [chunk for chunk in chunks if chunk.choices[0].finish_reason]
    assert finishes == [chunks[-1]]
    assert chunks[-1].usage is not None  # Ollama always counts tokens on its done line


def _dumps(chunks: list[Any]) -> list[dict[str, Any]]:
    return [chunk.model_dump() for chunk in chunks]


def _parse(pieces: tuple[bytes, ...]) -> list[dict[str, Any]]:
    parser = stream_parser("ollama_chat")
    chunks = [chunk for piece in pieces for chunk in parser.feed(piece)]
    chunks += parser.finish()
    # The stream id is made up per stream: compare everything else.
    return [{k: v for k, v in chunk.items() if k != "id"} for chunk in _dumps(chunks)]


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream_fed_byte_by_byte(exchange: Exchange) -> None:
    whole = _parse((exchange.body,))
    assert _parse(tuple(exchange.body[i : i + 1] for i in range(len(exchange.body)))) == whole


def test_a_short_recorded_stream_split_at_every_byte() -> None:
    lines = load_exchange("ollama", "oi_chat_stream").body.split(b"\n")
    body = b"\n".join([*lines[:3], *lines[-10:]])  # recorded lines: thinking, content, done
    whole = _parse((body,))
    assert len(whole) >= 5
    for cut in range(1, len(body)):
        assert _parse(pieces_at(body, [cut])) == whole, cut


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream_split_at_random_bytes(exchange: Exchange) -> None:
    _, whole = run(exchange, (exchange.body,))
    rng = seeded_rng("ollama", exchange.name)
    for _ in range(3):
        _, split = run(exchange, random_pieces(exchange.body, rng))
        assert [c.choices[0].model_dump() for c in split] == [c.choices[0].model_dump() for c in whole]


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream_without_its_done_line_raises_after_the_chunks(exchange: Exchange) -> None:
    cut = exchange.body[: exchange.body.rindex(b'"done":true')]
    cut = cut[: cut.rindex(b"\n") + 1]  # every line but the done one, each whole
    client, _ = make_client(replay(exchange, cut), api_base=BASE)
    received: list[Any] = []
    with client, pytest.raises(llmport.APIConnectionError, match="done: true"):
        received.extend(client.completion(MODEL, MESSAGES, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in received) == _oracle(exchange).text


def test_an_error_line_after_http_200_raises_after_the_chunks_already_delivered() -> None:
    exchange = load_exchange("ollama", "oi_chat_stream")
    lines = exchange.body.split(b"\n")
    body = b"\n".join([*lines[:5], b'{"error":"an error was encountered while running the model"}', b""])
    client, _ = make_client(replay(exchange, body), api_base=BASE)
    received: list[Any] = []
    with client, pytest.raises(llmport.InternalServerError, match="while running the model") as caught:
        received.extend(client.completion(MODEL, MESSAGES, stream=True))
    assert len(received) == 6  # the role chunk, then one per recorded line
    assert caught.value.llm_provider == "ollama_chat"


@pytest.mark.parametrize("exchange", OK, ids=ids(OK))
async def test_async(exchange: Exchange) -> None:
    assert_matches(await areplay_completion(exchange, MODEL, BASE), _oracle(exchange))


@pytest.mark.parametrize("exchange", FAILED, ids=ids(FAILED))
def test_recorded_error(exchange: Exchange) -> None:
    client, _ = make_client(replay(exchange), api_base=BASE)
    with client, pytest.raises(llmport.NotFoundError) as caught:
        client.completion(MODEL, MESSAGES)
    assert caught.value.status_code == 404
    assert caught.value.llm_provider == "ollama_chat"
    assert caught.value.message == json.loads(exchange.body)["error"]


def test_tool_calls_without_ids_get_distinct_stable_ids_and_indexes() -> None:
    # Servers before v0.12.10 send neither id nor index: the recorded answer without them.
    body = json.loads(load_exchange("ollama", "oi_chat_with_tool_call").body)
    call = body["message"]["tool_calls"][0]
    call.pop("id")
    call["function"].pop("index")
    body["message"]["tool_calls"] = [call, json.loads(json.dumps(call))]
    lines = [{**body, "done": False}, {**body, "message": {"role": "assistant"}}]
    client, _ = make_client(lambda request: from_ndjson(lines), api_base=BASE)
    with client:
        chunks = list(client.completion(MODEL, MESSAGES, stream=True))
    fragments = [c for chunk in chunks for c in chunk.choices[0].delta.tool_calls or ()]
    assert [f.index for f in fragments] == [0, 1]
    ids_ = [f.id for f in fragments]
    assert len(set(ids_)) == 2
    assert all(i and i.startswith("call_") for i in ids_)
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    calls = built.choices[0].message.tool_calls or []
    assert [c.id for c in calls] == ids_
    assert [json.loads(c.function.arguments) for c in calls] == [{"city": "Paris"}] * 2
    assert built.choices[0].finish_reason == "tool_calls"


def test_the_request_goes_to_api_chat_without_credentials() -> None:
    seen: list[HttpRequest] = []
    exchange = WHOLE[0]

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return answer(exchange)

    client, _ = make_client(handler, api_base=BASE, api_key=None)
    with client:
        client.completion(MODEL, MESSAGES)
    assert seen[0].url == BASE + "/api/chat"
    assert "authorization" not in seen[0].headers

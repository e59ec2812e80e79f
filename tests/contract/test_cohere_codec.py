"""The Cohere v2 codec on recorded answers: whole bodies and SSE event streams, sync and async.

Every recording (vercel-ai's Cohere fixtures) is replayed through ``completion()``; text,
thinking, tool calls (joined by index), the tool plan, finish reason and usage must match what
``_oracle`` reads from the recorded payloads with ``json.loads`` alone. The recorded stream
payloads are replayed both as loaded (``data:`` lines and ``[DONE]``) and framed as Cohere sends
them (an ``event:`` line naming each payload's type), whole, at every byte split and at random
splits.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

import llmport
from llmport.testing import HttpResponse

from .fixtures_loader import FIXTURES_DIR, Exchange, exchange_names, load_exchange, load_metadata
from .replay import (
    MESSAGES,
    areplay_completion,
    make_client,
    pieces_at,
    random_pieces,
    replay,
    replay_completion,
    seeded_rng,
    stream_parser,
)

MODEL = "cohere/command-a-03-2025"
BASE = "http://127.0.0.1:9"
EXCHANGES = [load_exchange("cohere", name) for name in exchange_names("cohere")]
STREAMS = [e for e in EXCHANGES if e.is_stream]
WHOLE = [e for e in EXCHANGES if not e.is_stream]
_FINISH = {"COMPLETE": "stop", "STOP_SEQUENCE": "stop", "MAX_TOKENS": "length", "TOOL_CALL": "tool_calls"}


def ids(exchanges: list[Exchange]) -> list[str]:
    return [e.name for e in exchanges]


def payloads(exchange: Exchange) -> list[dict[str, Any]]:
    """The recorded stream payloads: the fixture file's lines, read with ``json.loads``."""
    meta = load_metadata("cohere", exchange.name)
    raw = (FIXTURES_DIR / "cohere" / meta["response"]["body_file"]).read_text(encoding="utf-8")
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


def with_event_lines(exchange: Exchange) -> bytes:
    """The payloads framed as Cohere sends them: ``event: <type>`` then ``data:``, then ``[DONE]``."""
    frames = [f"event: {p['type']}\ndata: {json.dumps(p)}\n\n".encode() for p in payloads(exchange)]
    return b"".join(frames) + b"data: [DONE]\n\n"


@dataclass
class Expected:
    """What a recorded answer says, joined by hand."""

    id: str = ""
    text: str = ""
    thinking: str = ""
    tool_plan: str = ""
    tool_calls: dict[int, list[str]] = field(default_factory=dict)  # index → [id, name, arguments]
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int | None = None
    billed: dict[str, Any] | None = None

    def finish(self, reason: str, usage: dict[str, Any]) -> None:
        self.finish_reason = "tool_calls" if self.tool_calls else _FINISH[reason]
        self.prompt_tokens = usage["tokens"]["input_tokens"]
        self.completion_tokens = usage["tokens"]["output_tokens"]
        self.cached_tokens = usage.get("cached_tokens")
        self.billed = usage["billed_units"]


def _oracle(exchange: Exchange) -> Expected:
    want = Expected()
    if not exchange.is_stream:
        body = json.loads(exchange.body)
        message = body["message"]
        want.id = body["id"]
        want.text = "".join(c.get("text", "") for c in message.get("content") or ())
        want.thinking = "".join(c.get("thinking", "") for c in message.get("content") or ())
        want.tool_plan = message.get("tool_plan", "")
        for index, call in enumerate(message.get("tool_calls") or ()):
            want.tool_calls[index] = [call["id"], call["function"]["name"], call["function"]["arguments"]]
        want.finish(body["finish_reason"], body["usage"])
        return want
    for payload in payloads(exchange):
        message = payload.get("delta", {}).get("message", {})
        if payload["type"] == "message-start":
            want.id = payload["id"]
        elif payload["type"] == "content-delta":
            want.text += message["content"].get("text", "")
            want.thinking += message["content"].get("thinking", "")
        elif payload["type"] == "tool-plan-delta":
            want.tool_plan += message["tool_plan"]
        elif payload["type"] == "tool-call-start":
            call = message["tool_calls"]
            want.tool_calls[payload["index"]] = [
                call["id"],
                call["function"]["name"],
                call["function"]["arguments"],
            ]
        elif payload["type"] == "tool-call-delta":
            want.tool_calls[payload["index"]][2] += message["tool_calls"]["function"]["arguments"]
        elif payload["type"] == "message-end":
            want.finish(payload["delta"]["finish_reason"], payload["delta"]["usage"])
    return want


def _arguments(text: str) -> Any:
    # Cohere sends "" (streams) or "null" for a call without parameters: llmport sends "{}".
    return {} if text in ("", "null") else json.loads(text)


def run(
    exchange: Exchange, body: bytes | None = None, pieces: tuple[bytes, ...] | None = None
) -> tuple[llmport.ModelResponse, list[Any]]:
    """Replay ``exchange`` (with ``body`` instead of its own, if given) through ``completion()``."""
    return replay_completion(_with_body(exchange, body), MODEL, BASE, pieces)


def _with_body(exchange: Exchange, body: bytes | None) -> Exchange:
    return exchange if body is None else dataclasses.replace(exchange, body=body)


def assert_matches(response: llmport.ModelResponse, want: Expected) -> None:
    ChatCompletion.model_validate(response.model_dump())
    assert len(response.choices) == 1
    message = response.choices[0].message
    assert response.id == want.id
    assert (message.content or "") == want.text
    assert (message.get("reasoning_content") or "") == want.thinking
    calls = [[c.id, c.function.name, json.loads(c.function.arguments)] for c in message.tool_calls or ()]
    assert calls == [
        [i, n, _arguments(a)] for i, n, a in (want.tool_calls[k] for k in sorted(want.tool_calls))
    ]
    assert response.choices[0].finish_reason == want.finish_reason
    assert response.usage.prompt_tokens == want.prompt_tokens
    assert response.usage.completion_tokens == want.completion_tokens
    details = response.usage.prompt_tokens_details
    assert (details.cached_tokens if details else None) == want.cached_tokens


def test_the_recordings_cover_the_issue() -> None:
    assert len(STREAMS) >= 4
    assert len(WHOLE) >= 6
    types = {p["type"] for e in STREAMS for p in payloads(e)}
    assert types >= {"message-start", "content-start", "content-delta", "content-end", "tool-plan-delta"}
    assert types >= {"tool-call-start", "tool-call-delta", "tool-call-end", "message-end"}
    reasons = {_oracle(e).finish_reason for e in EXCHANGES}
    assert reasons == {"stop", "length", "tool_calls"}


@pytest.mark.parametrize("exchange", WHOLE, ids=ids(WHOLE))
def test_whole_answer(exchange: Exchange) -> None:
    response, _ = run(exchange)
    want = _oracle(exchange)
    assert_matches(response, want)
    assert response._hidden_params["billed_units"] == want.billed
    assert response.choices[0].message.get("tool_plan", "") == want.tool_plan


@pytest.mark.parametrize("framing", ["data-only", "event-lines"])
@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream(exchange: Exchange, framing: str) -> None:
    body = with_event_lines(exchange) if framing == "event-lines" else None
    response, chunks = run(exchange, body)
    want = _oracle(exchange)
    assert_matches(response, want)
    for chunk in chunks:
        ChatCompletionChunk.model_validate(chunk.model_dump())
    finishes = [chunk for chunk in chunks if chunk.choices[0].finish_reason]
    assert finishes == [chunks[-1]]
    assert chunks[-1].usage is not None
    plan = [(c.choices[0].delta.get("provider_specific_fields") or {}).get("tool_plan") or "" for c in chunks]
    assert "".join(plan) == want.tool_plan
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == want.text  # the plan is never content


def _parse(pieces: tuple[bytes, ...]) -> list[dict[str, Any]]:
    parser = stream_parser("cohere")
    chunks = [chunk for piece in pieces for chunk in parser.feed(piece)]
    chunks += parser.finish()
    return [{k: v for k, v in chunk.model_dump().items() if k != "created"} for chunk in chunks]


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream_split_at_every_byte(exchange: Exchange) -> None:
    body = with_event_lines(exchange)
    whole = _parse((body,))
    assert _parse(tuple(body[i : i + 1] for i in range(len(body)))) == whole
    for cut in range(1, len(body), 1 if len(body) < 4000 else 7):
        assert _parse(pieces_at(body, [cut])) == whole, cut


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream_split_at_random_bytes(exchange: Exchange) -> None:
    body = with_event_lines(exchange)
    _, whole = run(exchange, body, (body,))
    rng = seeded_rng("cohere", exchange.name)
    for _ in range(3):
        _, split = run(exchange, body, random_pieces(body, rng))
        assert [c.choices[0].model_dump() for c in split] == [c.choices[0].model_dump() for c in whole]


@pytest.mark.parametrize("exchange", STREAMS, ids=ids(STREAMS))
def test_stream_without_message_end_raises_after_the_chunks(exchange: Exchange) -> None:
    body = with_event_lines(exchange)
    cut = body[: body.index(b"event: message-end")]
    client, _ = make_client(replay(exchange, cut), api_base=BASE)
    received: list[Any] = []
    with client, pytest.raises(llmport.APIConnectionError, match="message-end"):
        received.extend(client.completion(MODEL, MESSAGES, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in received) == _oracle(exchange).text


@pytest.mark.parametrize(
    ("reason", "error"), [("ERROR", llmport.InternalServerError), ("TIMEOUT", llmport.Timeout)]
)
def test_a_failed_message_end_raises_after_the_chunks_already_delivered(
    reason: str, error: type[Exception]
) -> None:
    exchange = load_exchange("cohere", "vercel_cohere_text_stream")
    body = with_event_lines(exchange)
    body = body[: body.index(b"event: message-end")]
    end = {
        "type": "message-end",
        "delta": {"finish_reason": reason, "error": "internal error during generation"},
    }
    body += f"event: message-end\ndata: {json.dumps(end)}\n\n".encode()
    client, _ = make_client(replay(exchange, body), api_base=BASE)
    received: list[Any] = []
    with client, pytest.raises(error) as caught:
        received.extend(client.completion(MODEL, MESSAGES, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in received) == "The capital of France is Paris."
    assert caught.value.llm_provider == "cohere"  # type: ignore[attr-defined]


@pytest.mark.parametrize("exchange", EXCHANGES, ids=ids(EXCHANGES))
async def test_async(exchange: Exchange) -> None:
    body = with_event_lines(exchange) if exchange.is_stream else None
    response = await areplay_completion(_with_body(exchange, body), MODEL, BASE)
    assert_matches(response, _oracle(exchange))


def test_citations_of_a_whole_answer_are_kept() -> None:
    exchange = load_exchange("cohere", "vercel_cohere_citations")
    response, _ = run(exchange)
    citations = response.choices[0].message.provider_specific_fields["citations"]  # type: ignore[attr-defined]
    assert citations == json.loads(exchange.body)["message"]["citations"]


# Cohere's error bodies: {"id", "message"} (the shape in the wire notes, litellm #24031).
@pytest.mark.parametrize(
    ("status", "message", "error"),
    [
        (400, "too many tokens: size limit exceeded by 11326 tokens.", llmport.ContextWindowExceededError),
        (401, "invalid api token", llmport.AuthenticationError),
        (404, "model 'xyz' not found, make sure the correct model ID was used", llmport.NotFoundError),
        (422, "unknown field: parameter 'index' is not a valid field", llmport.UnprocessableEntityError),
        (429, "trial token rate limit exceeded, limit is 100000 tokens per minute", llmport.RateLimitError),
        (498, "blocked by usage guidelines", llmport.ContentPolicyViolationError),
        (500, "internal server error", llmport.InternalServerError),
    ],
)
def test_errors_are_classified_by_status_and_body(
    status: int, message: str, error: type[llmport.APIError]
) -> None:
    body = {"id": "c3f80b96-0000-4000-8000-000000000000", "message": message}
    answer = HttpResponse(
        status, {"content-type": "application/json", "x-request-id": "req_1"}, json.dumps(body).encode()
    )
    client, _ = make_client(lambda request: answer, api_base=BASE)
    with client, pytest.raises(error) as caught:
        client.completion(MODEL, MESSAGES)
    assert type(caught.value) is error
    assert caught.value.status_code == status
    assert caught.value.message == message
    assert caught.value.request_id == "req_1"

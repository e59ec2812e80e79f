"""Replaying recorded exchanges through llmport, and expectations computed from the raw recorded bytes.

The expectations here never use llmport's own parsers: the SSE body is read with a few lines of
strict line splitting (a ``data:`` field must start its line, as in the SSE spec) and the deltas
are joined by hand, so a codec bug cannot hide in both the code under test and its oracle.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openai.types.chat import ChatCompletion, ChatCompletionChunk

import llmport
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.domain.models.request import TimeoutConfig, build_request
from llmport.ports.codec import ProviderCall, StreamParser
from llmport.testing import FakeClock, FakeTransport, HttpRequest, HttpResponse

from .fixtures_loader import Exchange

API_KEY = "sk-test-key"
MESSAGES: list[dict[str, Any]] = [{"role": "user", "content": "Hello"}]
Handler = Callable[[HttpRequest], HttpResponse]

_LINE_END = re.compile(r"\r\n|\r|\n")


# -- driving llmport ------------------------------------------------------------------------


def make_client(handler: Handler, **settings: Any) -> tuple[llmport.Client, FakeTransport]:
    """A client over a ``FakeTransport`` answering with ``handler`` (no retries, fake clock)."""
    fake = FakeTransport(handler)
    settings.setdefault("api_key", API_KEY)
    client = llmport.Client(transport=fake, clock=FakeClock(), num_retries=0, **settings)
    return client, fake


def stream_parser(provider: str, registry: ProviderRegistry | None = None) -> StreamParser:
    """A fresh stream parser of ``provider``'s codec for a streamed call to ``provider/m``."""
    registry = registry or ProviderRegistry()
    host = registry.host(provider)
    assert host is not None
    request = build_request(f"{provider}/m", [{"role": "user", "content": "hi"}], {"stream": True})
    call = ProviderCall(
        request=request, host=host, model="m", api_base="http://127.0.0.1:9", api_key=None,
        api_version=None, timeout=TimeoutConfig(),
    )  # fmt: skip
    return registry.codec(host.codec).stream_parser(call)


def pieces_at(body: bytes, cuts: Iterable[int]) -> tuple[bytes, ...]:
    """``body`` split at the given byte offsets (out-of-range and repeated offsets ignored)."""
    points = sorted({cut for cut in cuts if 0 < cut < len(body)})
    bounds = [0, *points, len(body)]
    return tuple(body[start:end] for start, end in itertools.pairwise(bounds))


def seeded_rng(*labels: str) -> random.Random:
    """A ``Random`` seeded from labels, so each fixture gets its own reproducible splits."""
    return random.Random(zlib.crc32("/".join(labels).encode()))


def random_pieces(body: bytes, rng: random.Random, max_cuts: int = 60) -> tuple[bytes, ...]:
    """``body`` split at 1..max_cuts random offsets (often mid-line, mid-field or mid-character)."""
    count = min(rng.randint(1, max_cuts), len(body) - 1)
    return pieces_at(body, rng.sample(range(1, len(body)), count))


def answer(
    exchange: Exchange, body: bytes | None = None, pieces: Sequence[bytes] | None = None
) -> HttpResponse:
    """The recorded answer; a streamed body is delivered in pieces (default: cut every 997 bytes)."""
    content = exchange.body if body is None else body
    if not exchange.is_stream:
        return HttpResponse(exchange.status, exchange.headers, content)
    chunks = tuple(pieces) if pieces is not None else pieces_at(content, range(13, len(content), 997))
    return HttpResponse(exchange.status, exchange.headers, chunks=chunks)


def replay(exchange: Exchange, body: bytes | None = None, pieces: Sequence[bytes] | None = None) -> Handler:
    """A ``FakeTransport`` handler answering every request with the recorded bytes."""

    def handler(request: HttpRequest) -> HttpResponse:
        return answer(exchange, body, pieces)

    return handler


def replay_completion(
    exchange: Exchange, model: str, api_base: str, pieces: tuple[bytes, ...] | None = None
) -> tuple[llmport.ModelResponse, list[llmport.ModelResponseStream]]:
    """Replay ``exchange`` through ``completion()``: the response (rebuilt for a stream) and the chunks."""
    client, _ = make_client(lambda request: answer(exchange, None, pieces), api_base=api_base)
    with client:
        if not exchange.is_stream:
            response = client.completion(model, MESSAGES)
            assert isinstance(response, llmport.ModelResponse)
            return response, []
        chunks = list(client.completion(model, MESSAGES, stream=True))
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    return built, chunks


async def areplay_completion(exchange: Exchange, model: str, api_base: str) -> llmport.ModelResponse:
    """Async ``replay_completion`` through ``acompletion()``: the response (rebuilt for a stream)."""
    client, _ = make_client(replay(exchange), api_base=api_base)
    async with client:
        if exchange.is_stream:
            stream = await client.acompletion(model, MESSAGES, stream=True)
            response = llmport.stream_chunk_builder([chunk async for chunk in stream])
        else:
            response = await client.acompletion(model, MESSAGES)
    assert isinstance(response, llmport.ModelResponse)
    return response


def stream_chunks(client: llmport.Client, model: str, **params: Any) -> list[llmport.ModelResponseStream]:
    """Run a streamed completion (include_usage) and read every chunk."""
    params.setdefault("stream_options", {"include_usage": True})
    stream = client.completion(model, MESSAGES, stream=True, **params)
    return list(stream)


async def astream_chunks(
    client: llmport.Client, model: str, **params: Any
) -> list[llmport.ModelResponseStream]:
    """Async ``stream_chunks`` through ``acompletion``."""
    params.setdefault("stream_options", {"include_usage": True})
    stream = await client.acompletion(model, MESSAGES, stream=True, **params)
    return [chunk async for chunk in stream]


def dumps(chunks: Iterable[llmport.ModelResponseStream]) -> list[dict[str, Any]]:
    """Chunks as plain dicts, for equality checks."""
    return [chunk.model_dump() for chunk in chunks]


# -- the oracle: the recorded bytes read independently ----------------------------------------


def raw_payloads(body: bytes) -> list[dict[str, Any]]:
    """The JSON payloads of the ``data:`` lines up to ``[DONE]`` (strict: ``data:`` starts the line)."""
    payloads: list[dict[str, Any]] = []
    for line in _LINE_END.split(body.decode("utf-8")):
        if not line.startswith("data:"):
            continue
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            break
        payloads.append(json.loads(data))
    return payloads


def event_spans(body: bytes) -> list[tuple[int, int]]:
    """Byte ranges ``[start, end)`` of each ``data:`` event including its blank line (LF framing)."""
    spans: list[tuple[int, int]] = []
    for match in re.finditer(rb"(?m)^data:[^\n]*\n\n", body):
        spans.append((match.start(), match.end()))
    return spans


@dataclass
class ExpectedToolCall:
    """A tool call joined from its deltas by ``index``."""

    id: str | None = None
    type: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass
class ExpectedChoice:
    """One choice's message joined from its deltas."""

    content: str = ""
    refusal: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    tool_calls: dict[int, ExpectedToolCall] = field(default_factory=dict)
    logprobs_content: list[dict[str, Any]] = field(default_factory=list)
    logprobs_refusal: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ExpectedStream:
    """What a recorded stream says, joined by hand."""

    choices: dict[int, ExpectedChoice]
    usage: dict[str, Any] | None


def expected_stream(payloads: Sequence[dict[str, Any]]) -> ExpectedStream:
    """Join the recorded deltas per choice index (tool calls per tool index) and take the last usage."""
    choices: dict[int, ExpectedChoice] = {}
    usage: dict[str, Any] | None = None
    for payload in payloads:
        usage = payload.get("usage") or usage
        for choice in payload.get("choices") or ():
            expected = choices.setdefault(choice["index"], ExpectedChoice())
            delta = choice.get("delta") or {}
            expected.content += delta.get("content") or ""
            expected.refusal += delta.get("refusal") or ""
            expected.reasoning += delta.get("reasoning_content") or ""
            for fragment in delta.get("tool_calls") or ():
                call = expected.tool_calls.setdefault(fragment["index"], ExpectedToolCall())
                function = fragment.get("function") or {}
                call.id = call.id or fragment.get("id")
                call.type = call.type or fragment.get("type")
                call.name = call.name or function.get("name")  # sent once by OpenAI; repeated by some hosts
                call.arguments += function.get("arguments") or ""
            expected.finish_reason = choice.get("finish_reason") or expected.finish_reason
            logprobs = choice.get("logprobs") or {}
            expected.logprobs_content += logprobs.get("content") or []
            expected.logprobs_refusal += logprobs.get("refusal") or []
    return ExpectedStream(choices, usage)


# -- assertions -----------------------------------------------------------------------------


def assert_contains(actual: Any, expected: Any, path: str = "$") -> None:
    """Every value recorded in ``expected`` is in ``actual`` (extra keys in ``actual`` are fine)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert_contains(actual.get(key), value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{path}: {len(actual)} items, recorded {len(expected)}"
        for position, (got, want) in enumerate(zip(actual, expected, strict=True)):
            assert_contains(got, want, f"{path}[{position}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != recorded {expected!r}"


def assert_stream_chunks(
    chunks: Sequence[llmport.ModelResponseStream], payloads: Sequence[dict[str, Any]]
) -> None:
    """Each chunk has a choice, validates as the SDK's chunk and keeps its recorded payload's fields;
    payloads without choices are dropped, and a trailing usage-only payload rides on the finish chunk."""
    for chunk in chunks:
        assert chunk.choices, "a chunk without choices"
        assert chunk.choices[0].index >= 0
        ChatCompletionChunk.model_validate(chunk.model_dump())
    with_choices = [payload for payload in payloads if payload.get("choices")]
    assert len(chunks) == len(with_choices)
    for chunk, payload in zip(chunks, with_choices, strict=True):
        assert_contains(chunk.model_dump(), {k: v for k, v in payload.items() if k != "usage"})
    carriers = [i for i, payload in enumerate(with_choices) if payload.get("usage")]
    tail = payloads[-1] if payloads and not payloads[-1].get("choices") else None
    if tail is not None and tail.get("usage"):
        carriers.append(len(chunks) - 1)
        assert any(choice.finish_reason for choice in chunks[-1].choices), "usage must ride on a finish chunk"
        assert chunks[-1].usage is not None
        assert_contains(chunks[-1].usage.model_dump(), tail["usage"], "usage")
    assert [i for i, chunk in enumerate(chunks) if chunk.usage is not None] == carriers


def assert_built(built: llmport.ModelResponse | None, expected: ExpectedStream) -> None:
    """The response rebuilt from chunks says what the recorded deltas say."""
    assert built is not None
    ChatCompletion.model_validate(built.model_dump())
    assert sorted(choice.index for choice in built.choices) == sorted(expected.choices)
    for choice in built.choices:
        want = expected.choices[choice.index]
        message = choice.message
        assert (message.content or "") == want.content
        assert (message.refusal or "") == want.refusal
        assert (message.get("reasoning_content") or "") == want.reasoning
        assert choice.finish_reason == (want.finish_reason or "stop")  # litellm's default when none was sent
        calls = [
            (call.id, call.type, call.function.name, json.loads(call.function.arguments))
            for call in message.tool_calls or ()
        ]
        wanted = [
            (call.id, call.type or "function", call.name, json.loads(call.arguments))
            for _, call in sorted(want.tool_calls.items())
        ]
        assert calls == wanted
        assert len({call[0] for call in calls}) == len(calls), "parallel tool calls must stay distinct"
        if want.logprobs_content:
            assert choice.logprobs is not None
            assert choice.logprobs.content == want.logprobs_content
    if expected.usage is not None:
        assert_contains(built.usage.model_dump(), expected.usage, "usage")


def assert_response(response: llmport.ModelResponse, recorded: dict[str, Any]) -> None:
    """A non-streamed response validates as the SDK's ``ChatCompletion`` and keeps every recorded field."""
    assert isinstance(response, llmport.ModelResponse)
    ChatCompletion.model_validate(response.model_dump())
    assert_contains(response.model_dump(), recorded)
    for choice, raw in zip(response.choices, recorded["choices"], strict=True):
        assert choice.message.content == raw["message"].get("content")
        for call, raw_call in zip(
            choice.message.tool_calls or (), raw["message"].get("tool_calls") or (), strict=True
        ):
            assert json.loads(call.function.arguments) == json.loads(raw_call["function"]["arguments"])

"""Cached streams, from recorded provider traffic: stored once complete, replayed chunk for chunk.

A replay must give the caller the very chunk sequence the live stream gave (content deltas,
tool-call fragments, the finish chunk with its usage), never one aggregated chunk, on every cache
adapter, sync and async. A stream that is cut, fails, or that the caller leaves early is never stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import llmport
from llmport.adapters.cache.redis_cache import RedisCache
from llmport.testing import FakeClock, FakeStream, FakeTransport, HttpRequest, HttpResponse, MemoryCache
from tests.contract.fixtures_loader import load_exchange

from .conftest import USER

# (provider folder, fixture, model): OpenAI with usage on the finish chunk, OpenAI parallel tool
# calls, Anthropic tool use (a different codec, the same rule).
RECORDINGS = [
    ("openai", "stream_text_after_tool_result_include_usage", "openai/gpt-4o-mini"),
    ("openai", "stream_parallel_tool_calls", "openai/gpt-4o"),
    ("anthropic", "sdk_sse_tool_use_response", "anthropic/claude-sonnet-4-5"),
]


def _pieces(body: bytes, size: int = 37) -> tuple[bytes, ...]:
    """The body in small reads, cut anywhere, as a network delivers it."""
    return tuple(body[i : i + size] for i in range(0, len(body), size))


def _dump(chunks: list[Any], provider: str = "openai") -> list[dict[str, Any]]:
    dumps = [chunk.model_dump() for chunk in chunks]
    if provider == "anthropic":
        # Anthropic's events carry no timestamp: `created` is the second each chunk was parsed,
        # so a replay a second later differs there and nowhere else.
        for dump in dumps:
            dump.pop("created")
    return dumps


CACHES: dict[str, Callable[[Path, str], Any]] = {
    "memory": lambda _, __: MemoryCache(),
    "disk": lambda directory, _: llmport.DiskCache(directory / "cache"),
    "redis": lambda _, url: RedisCache(url, namespace=f"streams-{uuid.uuid4().hex}"),
}


@pytest.fixture(params=sorted(CACHES))
def cache(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    made = CACHES[request.param](tmp_path, url)
    yield made
    made.clear()
    if hasattr(made, "close"):
        made.close()


class Recorded:
    """A client whose provider answers every request with one recorded stream."""

    def __init__(self, provider: str, name: str, cache: Any, answer: Any = None) -> None:
        exchange = load_exchange(provider, name)
        self.body = exchange.body
        self.transport = FakeTransport(
            answer or (lambda request: HttpResponse(200, exchange.headers, chunks=_pieces(exchange.body)))
        )
        self.client = llmport.Client(
            transport=self.transport, cache=cache, clock=FakeClock(), api_key="sk-stream-cache-1234"
        )

    @property
    def sent(self) -> int:
        return len(self.transport.requests)


@pytest.mark.parametrize(("provider", "name", "model"), RECORDINGS, ids=[r[1] for r in RECORDINGS])
def test_a_replay_is_the_original_chunk_sequence(provider: str, name: str, model: str, cache: Any) -> None:
    r = Recorded(provider, name, cache)
    live_stream = r.client.completion(model, USER, stream=True)
    live = list(live_stream)
    replay_stream = r.client.completion(model, USER, stream=True)
    replayed = list(replay_stream)
    assert r.sent == 1
    assert len(live) > 2, "a real stream, not one chunk"
    assert _dump(replayed, provider) == _dump(live, provider)
    assert live_stream._hidden_params["cache_hit"] is False
    assert replay_stream._hidden_params["cache_hit"] is True
    assert replay_stream._hidden_params["custom_llm_provider"] == provider
    finish = [c for c in replayed if c.choices and c.choices[0].finish_reason]
    assert len(finish) == 1
    assert finish[0] is replayed[-1] or replayed[-1].usage is not None


def test_usage_rides_on_the_replayed_finish_chunk() -> None:
    r = Recorded("openai", "stream_text_after_tool_result_include_usage", MemoryCache())
    list(r.client.completion("openai/gpt-4o-mini", USER, stream=True))
    replayed = list(r.client.completion("openai/gpt-4o-mini", USER, stream=True))
    last = replayed[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.usage is not None
    assert last.usage.total_tokens > 0
    assert all(c.usage is None for c in replayed[:-1])
    text = "".join(c.choices[0].delta.content or "" for c in replayed)
    assert len(text) > 20
    assert r.sent == 1


@pytest.mark.parametrize(("provider", "name", "model"), RECORDINGS, ids=[r[1] for r in RECORDINGS])
async def test_async_replays_are_the_original_chunk_sequence(
    provider: str, name: str, model: str, cache: Any
) -> None:
    r = Recorded(provider, name, cache)
    live = [chunk async for chunk in await r.client.acompletion(model, USER, stream=True)]
    stream = await r.client.acompletion(model, USER, stream=True)
    replayed = [chunk async for chunk in stream]
    assert r.sent == 1
    assert stream._hidden_params["cache_hit"] is True
    assert _dump(replayed, provider) == _dump(live, provider)
    sync_replay = list(r.client.completion(model, USER, stream=True))
    assert _dump(sync_replay, provider) == _dump(live, provider), "sync and async share stream entries"
    if isinstance(cache, RedisCache):
        await cache.aclose()


def test_a_stream_and_a_plain_call_never_answer_each_other() -> None:
    r = Recorded("openai", "stream_text_after_tool_result_include_usage", MemoryCache())
    list(r.client.completion("openai/gpt-4o-mini", USER, stream=True))
    with pytest.raises(llmport.APIError):
        r.client.completion("openai/gpt-4o-mini", USER)  # a plain call misses: it gets the SSE body
    assert r.sent == 2


def _cut(request: HttpRequest) -> FakeStream:
    body = load_exchange("openai", "stream_text_after_tool_result_include_usage").body
    half = body.index(b"\n\n", len(body) // 2) + 2  # whole events, the finish chunk never sent
    return FakeStream(parts=_pieces(body[:half]))


def test_a_stream_without_its_terminal_event_is_not_stored() -> None:
    cache = MemoryCache()
    r = Recorded("openai", "stream_text_after_tool_result_include_usage", cache, answer=_cut)
    for _ in range(2):
        with pytest.raises(llmport.APIConnectionError):
            list(r.client.completion("openai/gpt-4o-mini", USER, stream=True, num_retries=0))
    assert r.sent == 2
    assert len(cache) == 0


def test_a_stream_failing_midway_is_not_stored() -> None:
    body = load_exchange("openai", "stream_text_after_tool_result_include_usage").body

    def broken(request: HttpRequest) -> FakeStream:
        return FakeStream(parts=(*_pieces(body[:600]), llmport.APIConnectionError("connection reset")))

    cache = MemoryCache()
    r = Recorded("openai", "stream_text_after_tool_result_include_usage", cache, answer=broken)
    with pytest.raises(llmport.APIConnectionError):
        list(r.client.completion("openai/gpt-4o-mini", USER, stream=True, num_retries=0))
    assert len(cache) == 0


def test_an_error_answer_is_not_stored() -> None:
    cache = MemoryCache()
    error = HttpResponse.from_json({"error": {"message": "overloaded", "type": "server_error"}}, 500)
    r = Recorded("openai", "stream_text_after_tool_result_include_usage", cache, answer=lambda _: error)
    with pytest.raises(llmport.InternalServerError):
        r.client.completion("openai/gpt-4o-mini", USER, stream=True, num_retries=0)
    assert len(cache) == 0


def test_a_stream_the_caller_leaves_early_is_not_stored() -> None:
    cache = MemoryCache()
    r = Recorded("openai", "stream_text_after_tool_result_include_usage", cache)
    stream = r.client.completion("openai/gpt-4o-mini", USER, stream=True)
    next(iter(stream))
    stream.close()
    assert len(cache) == 0
    list(r.client.completion("openai/gpt-4o-mini", USER, stream=True))
    assert len(cache) == 1
    assert r.sent == 2


async def test_an_async_stream_the_caller_leaves_early_is_not_stored() -> None:
    cache = MemoryCache()
    r = Recorded("openai", "stream_text_after_tool_result_include_usage", cache)
    stream = await r.client.acompletion("openai/gpt-4o-mini", USER, stream=True)
    await anext(stream)
    await stream.aclose()
    assert len(cache) == 0


def test_a_stream_too_large_to_record_is_answered_but_not_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmport.domain.dispatch import stream_cache

    monkeypatch.setattr(stream_cache, "MAX_RECORDED_BYTES", 500)
    cache = MemoryCache()
    r = Recorded("openai", "stream_text_after_tool_result_include_usage", cache)
    chunks = list(r.client.completion("openai/gpt-4o-mini", USER, stream=True))
    assert chunks[-1].usage is not None
    assert len(cache) == 0


def test_stream_directives_apply() -> None:
    cache = MemoryCache()
    r = Recorded("openai", "stream_text_after_tool_result_include_usage", cache)
    list(r.client.completion("openai/gpt-4o-mini", USER, stream=True, cache={"no-store": True}))
    assert len(cache) == 0
    list(r.client.completion("openai/gpt-4o-mini", USER, stream=True))
    list(r.client.completion("openai/gpt-4o-mini", USER, stream=True, cache={"no-cache": True}))
    assert r.sent == 3
    list(r.client.completion("openai/gpt-4o-mini", USER, stream=True, caching=False))
    assert r.sent == 4
    list(r.client.completion("openai/gpt-4o-mini", USER, stream=True))
    assert r.sent == 4


def test_a_replayed_stream_entry_holds_no_secret() -> None:
    cache = MemoryCache()
    r = Recorded("openai", "stream_text_after_tool_result_include_usage", cache)
    list(r.client.completion("openai/gpt-4o-mini", USER, stream=True))
    [(key, (entry, _))] = [(k, v) for k, v in cache._entries.items()]
    assert b"sk-stream-cache-1234" not in entry
    assert "sk-stream-cache-1234" not in key

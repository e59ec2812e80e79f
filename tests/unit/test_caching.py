"""Response caching through the dispatcher: keys, entries, hits, directives and broken caches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

import llmport
from llmport.adapters.providers.openai import OpenAICodec
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.domain.dispatch.cache_keys import cache_key
from llmport.domain.dispatch.caching import CorruptEntryError, decode_entry, encode_entry
from llmport.domain.models.request import TimeoutConfig, build_request
from llmport.ports.codec import ProviderCall
from llmport.testing import (
    FakeClock,
    FakeTransport,
    HttpRequest,
    HttpResponse,
    MemoryCache,
    MemoryLogger,
    StaticCredentials,
)

from .conftest import USER, chat

SECRET = "sk-cache-canary-0123456789"


class Setup:
    """A client with a fake transport counting requests, a fake clock and a memory logger."""

    def __init__(self, cache: Any = None, clock: FakeClock | None = None) -> None:
        self.transport = FakeTransport(lambda request: chat(f"answer {len(self.transport.requests)}"))
        self.clock = clock or FakeClock()
        self.logger = MemoryLogger(level="WARNING")
        self.cache = cache
        self.client = llmport.Client(
            transport=self.transport,
            clock=self.clock,
            logger=self.logger,
            cache=cache,
            credentials=StaticCredentials({"OPENAI_API_KEY": SECRET}),
        )

    def ask(self, **params: Any) -> llmport.ModelResponse:
        params.setdefault("model", "gpt-4o")
        params.setdefault("messages", USER)
        return self.client.completion(**params)

    @property
    def sent(self) -> int:
        return len(self.transport.requests)


class BrokenCache(MemoryCache):
    """A cache whose storage fails, as an unreachable disk or server would."""

    def get(self, key: str) -> bytes | None:
        raise OSError("disk I/O error")

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        raise OSError("disk full")


def test_without_a_cache_every_call_goes_out() -> None:
    s = Setup()
    s.ask()
    s.ask()
    assert s.sent == 2


def test_a_repeated_call_is_answered_from_the_cache() -> None:
    s = Setup(MemoryCache())
    first = s.ask(temperature=0.2)
    second = s.ask(temperature=0.2)
    assert s.sent == 1
    assert second.choices[0].message.content == first.choices[0].message.content == "answer 1"
    assert second.id == first.id
    assert first._hidden_params["cache_hit"] is False
    hidden = second._hidden_params
    assert hidden["cache_hit"] is True
    assert hidden["custom_llm_provider"] == "openai"
    assert hidden["api_base"] == "https://api.openai.com/v1"
    assert hidden["response_ms"] >= 0
    assert second._response_headers["x-request-id"] == "req_1"


@pytest.mark.parametrize(
    "change",
    [
        {"temperature": 0.3},
        {"model": "gpt-4o-mini"},
        {"messages": [{"role": "user", "content": "other"}]},
        {"api_base": "http://127.0.0.1:9/v1"},
        {"extra_headers": {"x-tenant": "b"}},
        {"seed": 1},
        {"cache": {"namespace": "tenant-b"}},
    ],
    ids=lambda change: next(iter(change)),
)
def test_anything_that_changes_the_request_misses(change: dict[str, Any]) -> None:
    s = Setup(MemoryCache())
    s.ask(temperature=0.2)
    s.ask(**{"temperature": 0.2, **change})
    assert s.sent == 2


def test_parameter_order_does_not_matter() -> None:
    s = Setup(MemoryCache())
    s.ask(temperature=0.2, top_p=0.5)
    s.ask(top_p=0.5, temperature=0.2)
    assert s.sent == 1


def test_the_key_and_the_entry_hold_no_secret() -> None:
    cache = MemoryCache()
    s = Setup(cache)
    s.ask(extra_headers={"x-custom-auth": SECRET})
    [(key, (entry, _))] = cache._entries.items()
    assert SECRET not in key
    assert SECRET.encode() not in entry
    stored = json.loads(entry)
    assert stored["codec"] == "openai/1"
    assert json.loads(stored["body"])["choices"][0]["message"]["content"] == "answer 1"
    assert stored["status"] == 200


def test_caching_false_bypasses_the_cache() -> None:
    s = Setup(MemoryCache())
    s.ask()
    s.ask(caching=False)
    assert s.sent == 2


def test_caching_true_without_a_cache_uses_memory() -> None:
    s = Setup()
    s.ask(caching=True)
    assert s.ask(caching=True)._hidden_params["cache_hit"] is True
    s.ask()
    assert s.sent == 2, "a call without caching=True does not use the fallback cache"


def test_no_cache_skips_the_lookup_and_no_store_skips_the_write() -> None:
    s = Setup(MemoryCache())
    s.ask()
    s.ask(cache={"no-cache": True})
    assert s.sent == 2
    s.ask(temperature=1.0, cache={"no-store": True})
    s.ask(temperature=1.0)
    assert s.sent == 4


def test_ttl_expires_entries_and_s_maxage_refuses_old_ones() -> None:
    clock = FakeClock()
    cache = MemoryCache(clock=clock.monotonic)
    s = Setup(cache, clock=clock)
    s.ask(cache={"ttl": 10})
    clock.sleep(5)
    s.ask()
    assert s.sent == 1
    clock.sleep(6)
    s.ask()
    assert s.sent == 2, "expired after its ttl"
    clock.sleep(30)
    s.ask(cache={"s-maxage": 10})
    assert s.sent == 3, "the entry is 30 s old"
    assert s.ask(cache={"s-maxage": 10})._hidden_params["cache_hit"] is True


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"caching": "yes"}, "caching"),
        ({"cache": ["no-cache"]}, "cache"),
        ({"cache": {"no-cache": 1}}, "cache['no-cache']"),
        ({"cache": {"ttl": -1}}, "cache['ttl']"),
        ({"cache": {"nonsense": True}}, "cache['nonsense']"),
    ],
)
def test_bad_cache_arguments_name_the_field_before_sending(params: dict[str, Any], field: str) -> None:
    s = Setup(MemoryCache())
    with pytest.raises(llmport.BadRequestError) as caught:
        s.ask(**params)
    assert caught.value.param == field
    assert s.sent == 0


def test_a_complete_stream_is_cached_and_replayed_chunk_for_chunk() -> None:
    # Streams were not cached before issue 15; tests/unit/test_stream_cache.py covers them in full.
    s = Setup(MemoryCache())
    s.transport = FakeTransport(
        lambda request: HttpResponse.from_sse(
            [
                {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                 "choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": None}]},
                {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                 "choices": [{"index": 0, "delta": {"content": "y"}, "finish_reason": "stop"}]},
            ]
        )
    )  # fmt: skip
    client = llmport.Client(transport=s.transport, cache=s.cache, api_key="k", clock=FakeClock())
    runs = [list(client.completion("gpt-4o", USER, stream=True)) for _ in range(2)]
    assert [[c.choices[0].delta.content for c in run] for run in runs] == [["x", "y"], ["x", "y"]]
    assert len(s.transport.requests) == 1
    assert len(s.cache) == 1


def test_a_corrupt_entry_is_a_logged_miss_and_is_replaced() -> None:
    cache = MemoryCache()
    s = Setup(cache)
    s.ask()
    [key] = cache._entries
    cache.set(key, b"\x80 not json")
    assert s.ask().choices[0].message.content == "answer 2"
    assert [e.message for e in s.logger.events] == ["llmport cache entry failed; treated as a miss"]
    assert s.ask()._hidden_params["cache_hit"] is True


def test_a_stored_body_that_no_longer_parses_is_a_miss() -> None:
    cache = MemoryCache()
    s = Setup(cache)
    s.ask()
    [key] = cache._entries
    entry = json.loads(cache.get(key) or b"")
    entry["body"] = '{"error": {"message": "not a completion"}}'
    cache.set(key, json.dumps(entry).encode())
    assert s.ask()._hidden_params["cache_hit"] is False
    assert s.sent == 2


def test_an_unreadable_cache_never_fails_the_call() -> None:
    s = Setup(BrokenCache())
    assert s.ask().choices[0].message.content == "answer 1"
    assert s.ask().choices[0].message.content == "answer 2"
    messages = [e.message for e in s.logger.events]
    assert messages.count("llmport cache read failed; treated as a miss") == 2
    assert messages.count("llmport cache write failed; treated as a miss") == 2
    assert all(SECRET not in repr(e.fields) for e in s.logger.events)


async def test_async_calls_share_the_cache_with_sync_calls() -> None:
    s = Setup(MemoryCache())
    s.ask()
    hit = await s.client.acompletion("gpt-4o", USER)
    assert hit._hidden_params["cache_hit"] is True
    await s.client.acompletion("gpt-4o", USER, temperature=0.9)
    again = await s.client.acompletion("gpt-4o", USER, temperature=0.9)
    assert again._hidden_params["cache_hit"] is True
    assert s.sent == 2


async def test_async_broken_cache_is_a_miss() -> None:
    s = Setup(BrokenCache())
    response = await s.client.acompletion("gpt-4o", USER)
    assert response.choices[0].message.content == "answer 1"
    assert len(s.logger.events) == 2


def test_a_disk_cache_answers_a_new_client_in_a_new_run(tmp_path: Path) -> None:
    first = Setup(llmport.DiskCache(tmp_path / "cache"))
    first.ask()
    first.cache.close()
    second = Setup(llmport.DiskCache(tmp_path / "cache"))
    response = second.ask()
    assert second.sent == 0
    assert response._hidden_params["cache_hit"] is True
    assert response.choices[0].message.content == "answer 1"
    second.cache.close()


# -- the key and the entry format -----------------------------------------------------------


def _request(**overrides: Any) -> HttpRequest:
    fields: dict[str, Any] = {
        "method": "POST",
        "url": "https://api.example.com/v1/chat/completions?key=" + SECRET,
        "headers": {"authorization": f"Bearer {SECRET}", "content-type": "application/json"},
        "body": b'{"model":"m","messages":[]}',
        "secrets": (SECRET,),
    }
    fields.update(overrides)
    return HttpRequest(**fields)


def _call(secret: str) -> ProviderCall:
    host = ProviderRegistry().host("openai")
    assert host is not None
    request = build_request("openai/m", USER, {})
    return ProviderCall(
        request, host, "m", "https://api.example.com/v1", SecretStr(secret), None, TimeoutConfig()
    )


def test_the_key_ignores_secrets_but_not_other_headers() -> None:
    codec = OpenAICodec()
    key = cache_key(codec, _call(SECRET), _request(), salt=None)
    assert SECRET not in key
    other_secret = _request(
        url="https://api.example.com/v1/chat/completions?key=other-key",
        headers={"authorization": "Bearer other-key", "content-type": "application/json"},
        secrets=("other-key",),
    )
    assert cache_key(codec, _call("other-key"), other_secret, salt=None) == key, "shared scope"
    salted = cache_key(codec, _call(SECRET), _request(), salt=b"s" * 32)
    assert SECRET not in salted
    assert cache_key(codec, _call("other-key"), other_secret, salt=b"s" * 32) != salted
    changed = _request(headers={"content-type": "text/json"})
    assert cache_key(codec, _call(SECRET), changed, salt=None) != key
    assert cache_key(codec, _call(SECRET), _request(), salt=None, namespace="n") != key


def test_entries_round_trip_binary_bodies_and_reject_other_codec_versions() -> None:
    codec = OpenAICodec()
    response = HttpResponse(200, {"content-type": "application/json"}, b"\xff\xfe raw")
    entry = encode_entry(codec, response, stored_at=100.0)
    assert b"body_b64" in entry
    decoded = decode_entry(entry, codec, now=150.0, max_age=None)
    assert decoded is not None
    assert decoded.content == b"\xff\xfe raw"
    assert decode_entry(entry, codec, now=150.0, max_age=10) is None
    stale = json.loads(entry)
    stale["codec"] = "openai/0"
    assert decode_entry(json.dumps(stale).encode(), codec, now=150.0, max_age=None) is None


@pytest.mark.parametrize("raw", [b"", b"[]", b'{"format": 1}', b'{"format": 99}', b"\x00\x01"])
def test_entries_llmport_did_not_write_are_corrupt(raw: bytes) -> None:
    with pytest.raises(CorruptEntryError):
        decode_entry(raw, OpenAICodec(), now=0.0, max_age=None)

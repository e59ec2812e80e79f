"""RedisCache beyond the contract: native TTL, namespaces, size bound, outages, shared salt.

Every test talks to a real redis-server on 127.0.0.1 (the ``redis_url`` fixture) or to a
loopback socket that plays a dead or silent Redis.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

import llmport
from llmport.adapters.cache.redis_cache import RedisCache
from llmport.ports.cache import CacheUnavailableError
from llmport.testing import FakeClock, FakeTransport, MemoryLogger
from tests.redis_server import RedisServer, free_port

from .conftest import USER, chat


def _namespace() -> str:
    return f"t-{uuid.uuid4().hex}"


@pytest.fixture
def raw(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers: a hung Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join(timeout=5)
    for connection in accepted:
        connection.close()
    listener.close()


def test_the_ttl_is_native(redis_url: str, raw: redis.Redis) -> None:
    cache = RedisCache(redis_url, namespace=_namespace())
    cache.set("k", b"v", ttl=30)
    cache.set("forever", b"v")
    assert 0 < raw.pttl(f"{cache.namespace}:k") <= 30_000
    assert raw.pttl(f"{cache.namespace}:forever") == -1, "no ttl: no expiry"
    cache.set("short", b"v", ttl=0.2)
    time.sleep(0.4)
    assert raw.exists(f"{cache.namespace}:short") == 0, "Redis itself dropped the key"
    assert cache.get("short") is None
    cache.close()


def test_a_zero_ttl_stores_nothing(redis_url: str) -> None:
    cache = RedisCache(redis_url, namespace=_namespace())
    cache.set("k", b"old")
    cache.set("k", b"new", ttl=0)
    assert cache.get("k") is None
    cache.close()


def test_keys_live_under_the_namespace_and_clear_keeps_to_it(redis_url: str, raw: redis.Redis) -> None:
    mine = RedisCache(redis_url, namespace=_namespace())
    other = RedisCache(redis_url, namespace=mine.namespace + "-other")
    mine.set("k", b"1")
    other.set("k", b"2")
    salt = mine.salt()
    assert raw.exists(f"{mine.namespace}:k") == 1
    assert mine.get("k") == b"1"
    assert other.get("k") == b"2"
    for i in range(1200):  # more than one SCAN batch
        mine.set(f"many-{i}", b"x")
    mine.clear()
    assert mine.get("k") is None
    assert mine.get("many-5") is None
    assert other.get("k") == b"2", "another namespace is untouched"
    assert RedisCache(redis_url, namespace=mine.namespace).salt() == salt, "the salt outlives clear()"
    other.clear()
    for cache in (mine, other):
        cache.close()


def test_a_namespace_with_glob_characters_clears_only_itself(redis_url: str) -> None:
    star = RedisCache(redis_url, namespace="ns*")
    plain = RedisCache(redis_url, namespace="nsX")
    star.set("k", b"1")
    plain.set("k", b"2")
    star.clear()
    assert plain.get("k") == b"2"
    plain.clear()
    star.close()
    plain.close()


def test_an_entry_over_the_size_bound_is_not_stored_and_is_logged(redis_url: str) -> None:
    logger = MemoryLogger(level="WARNING")
    cache = RedisCache(redis_url, namespace=_namespace(), max_entry_bytes=1000, logger=logger)
    cache.set("small", b"x" * 1000)
    cache.set("big", b"x" * 1001)
    assert cache.get("small") == b"x" * 1000
    assert cache.get("big") is None
    [event] = logger.events
    assert event.message == "llmport RedisCache entry not stored: larger than max_entry_bytes"
    assert event.fields == {"size": 1001, "max_entry_bytes": 1000}
    cache.clear()
    cache.close()


def test_every_instance_on_one_namespace_shares_one_salt(redis_url: str) -> None:
    namespace = _namespace()
    caches = [RedisCache(redis_url, namespace=namespace) for _ in range(4)]
    salts: list[bytes] = []
    threads = [threading.Thread(target=lambda c=c: salts.append(c.salt())) for c in caches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(salts) == 4
    assert len(set(salts)) == 1
    assert len(salts[0]) == 32
    assert RedisCache(redis_url, namespace=_namespace()).salt() != salts[0]
    for cache in caches:
        cache.close()


def test_a_dead_redis_is_a_miss_with_one_warning(caplog: Any) -> None:
    logger = MemoryLogger(level="INFO")
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2, retry_interval=0, logger=logger)
    for _ in range(3):
        assert cache.get("k") is None
        cache.set("k", b"v")
    with pytest.raises(CacheUnavailableError, match="unreachable"):
        cache.salt()
    assert [e.message for e in logger.events] == [
        "llmport RedisCache unreachable; calls go uncached until it is back"
    ]
    assert logger.events[0].fields["error"] == "ConnectionError"
    cache.close()


def test_a_hung_redis_is_a_miss_within_the_timeout(silent_port: int) -> None:
    logger = MemoryLogger(level="WARNING")
    cache = RedisCache(f"redis://127.0.0.1:{silent_port}/0", timeout=0.2, logger=logger)
    started = time.monotonic()
    assert cache.get("k") is None
    assert time.monotonic() - started < 3, "bounded by the timeout, not hung"
    started = time.monotonic()
    assert cache.get("k") is None
    assert time.monotonic() - started < 0.1, "a known outage is skipped, not waited for again"
    assert len(logger.events) == 1
    cache.close()


async def test_a_hung_redis_never_blocks_the_event_loop(silent_port: int) -> None:
    cache = RedisCache(f"redis://127.0.0.1:{silent_port}/0", timeout=0.3, logger=MemoryLogger())
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        for _ in range(20):
            await asyncio.sleep(0.01)
            ticks += 1

    got, _ = await asyncio.gather(cache.aget("k"), tick())
    assert got is None
    assert ticks == 20, "the loop kept running while Redis did not answer"
    await cache.aclose()


def test_an_outage_is_reported_once_and_its_end_once() -> None:
    logger = MemoryLogger(level="INFO")
    with RedisServer() as server:
        cache = RedisCache(server.url, namespace=_namespace(), timeout=0.2, retry_interval=0, logger=logger)
        cache.set("k", b"v")
        server.stop()
        assert [cache.get("k") for _ in range(3)] == [None, None, None]
        server.start()
        assert cache.get("k") is None, "a fresh server without persistence lost the entry"
        cache.set("k", b"again")
        assert cache.get("k") == b"again"
        cache.close()
    assert [e.message for e in logger.events] == [
        "llmport RedisCache unreachable; calls go uncached until it is back",
        "llmport RedisCache reachable again",
    ]


class Calls:
    """A client over a fake provider, with a RedisCache, counting what reaches the provider."""

    def __init__(self, cache: RedisCache, logger: MemoryLogger | None = None) -> None:
        self.transport = FakeTransport(lambda request: chat(f"answer {len(self.transport.requests)}"))
        self.client = llmport.Client(
            transport=self.transport, cache=cache, clock=FakeClock(), api_key="sk-redis-test-1234",
            logger=logger or MemoryLogger(),
        )  # fmt: skip


def test_calls_never_fail_while_redis_is_down() -> None:
    logger = MemoryLogger(level="WARNING")
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2, retry_interval=0)
    calls = Calls(cache, logger)
    answers = [calls.client.completion("gpt-4o", USER).choices[0].message.content for _ in range(3)]
    assert answers == ["answer 1", "answer 2", "answer 3"]
    assert [e.message for e in logger.events] == [
        "llmport RedisCache unreachable; calls go uncached until it is back"
    ], "the cache reports through the client's logger, once"
    cache.close()


async def test_async_calls_never_fail_while_redis_is_down() -> None:
    logger = MemoryLogger(level="WARNING")
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2, retry_interval=0)
    calls = Calls(cache, logger)
    for n in range(1, 3):
        response = await calls.client.acompletion("gpt-4o", USER)
        assert response.choices[0].message.content == f"answer {n}"
    assert len(logger.events) == 1
    await cache.aclose()


def test_a_second_client_with_its_own_redis_cache_is_answered_from_redis(redis_url: str) -> None:
    namespace = _namespace()
    first = Calls(RedisCache(redis_url, namespace=namespace))
    first.client.completion("gpt-4o", USER)
    second_cache = RedisCache(redis_url, namespace=namespace)
    second = Calls(second_cache)
    hit = second.client.completion("gpt-4o", USER)
    assert hit._hidden_params["cache_hit"] is True
    assert hit.choices[0].message.content == "answer 1"
    assert len(second.transport.requests) == 0
    other_key = second.client.completion("gpt-4o", USER, api_key="sk-another-tenant-5678")
    assert other_key._hidden_params["cache_hit"] is False
    second_cache.clear()
    second_cache.close()


async def test_async_and_sync_clients_share_entries(redis_url: str) -> None:
    cache = RedisCache(redis_url, namespace=_namespace())
    calls = Calls(cache)
    await calls.client.acompletion("gpt-4o", USER)
    assert calls.client.completion("gpt-4o", USER)._hidden_params["cache_hit"] is True
    assert (await calls.client.acompletion("gpt-4o", USER))._hidden_params["cache_hit"] is True
    cache.clear()
    await cache.aclose()


def test_event_loops_closed_one_after_another_leave_no_pool_behind(redis_url: str) -> None:
    cache = RedisCache(redis_url, namespace=_namespace())
    for n in range(5):
        loop = asyncio.new_event_loop()
        loop.run_until_complete(cache.aset("k", str(n).encode()))
        loop.close()  # without aclose(): the next use drops the dead loop's pool
    assert len(cache._async) == 1
    assert asyncio.run(cache.aget("k")) == b"4"
    cache.clear()
    cache.close()
    assert cache._async == {}


def test_repr_hides_the_password() -> None:
    cache = RedisCache("redis://user:s3cret-pass@127.0.0.1:1/0")
    assert "s3cret-pass" not in repr(cache)
    cache.close()


def test_a_missing_redis_py_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ImportError, match=r"llmport\[redis\]"):
        RedisCache()


@pytest.mark.parametrize(
    "bad", [{"max_entry_bytes": 0}, {"timeout": 0}, {"retry_interval": -1}], ids=lambda b: next(iter(b))
)
def test_bad_settings_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="positive"):
        RedisCache(**bad)

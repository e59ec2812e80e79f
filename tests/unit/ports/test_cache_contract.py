"""One contract suite for the cache port, run against every cache adapter.

Every cache adapter is listed in ``CACHES``, taking the injectable clock so expiry is tested
without waiting. The Redis adapter runs against a real redis-server on 127.0.0.1 (started by the
``redis_url`` fixture, tests/conftest.py), each test under its own namespace.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from llmport.adapters.cache.disk import DiskCache
from llmport.adapters.cache.memory import MemoryCache
from llmport.adapters.cache.redis_cache import RedisCache
from llmport.ports.cache import Cache


class ManualClock:
    """Monotonic seconds that move only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


CACHES: dict[str, Callable[[ManualClock, Path, str], Cache]] = {
    "memory": lambda clock, _, __: MemoryCache(clock=clock),
    "disk": lambda clock, directory, _: DiskCache(directory / "cache", clock=clock),
    "redis": lambda clock, _, url: RedisCache(url, namespace=f"contract-{uuid.uuid4().hex}", clock=clock),
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(params=sorted(CACHES))
def cache(request: pytest.FixtureRequest, clock: ManualClock, tmp_path: Path) -> Iterator[Cache]:
    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    made = CACHES[request.param](clock, tmp_path, url)
    yield made
    made.clear()
    if isinstance(made, DiskCache | RedisCache):
        made.close()


def test_adapter_is_a_cache(cache: Cache) -> None:
    assert isinstance(cache, Cache)


def test_a_missing_key_is_none(cache: Cache) -> None:
    assert cache.get("never-set") is None


VALUES = {
    "json": b'{"choices": []}',
    "binary": bytes(range(256)),
    "empty": b"",
    "large": b"x" * (1 << 20),
}


@pytest.mark.parametrize("value", VALUES.values(), ids=VALUES.keys())
def test_a_value_round_trips_exactly(cache: Cache, value: bytes) -> None:
    cache.set("k", value)
    got = cache.get("k")
    assert got is not None  # an empty value is a hit, not a miss
    assert got == value
    assert isinstance(got, bytes)


@pytest.mark.parametrize("key", ["", "a b", "ключ/🔑", "k" * 2000, "sha256:" + "0" * 64])
def test_any_key_string_works(cache: Cache, key: str) -> None:
    cache.set(key, b"v")
    assert cache.get(key) == b"v"


def test_keys_are_independent(cache: Cache) -> None:
    cache.set("a", b"1")
    cache.set("b", b"2")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1", b"2", None)


def test_set_overwrites(cache: Cache) -> None:
    cache.set("k", b"old")
    cache.set("k", b"new")
    assert cache.get("k") == b"new"


def test_a_value_expires_after_its_ttl(cache: Cache, clock: ManualClock) -> None:
    cache.set("k", b"v", ttl=10)
    clock.advance(9)
    assert cache.get("k") == b"v"
    clock.advance(2)
    assert cache.get("k") is None
    assert cache.get("k") is None


def test_without_ttl_a_value_does_not_expire(cache: Cache, clock: ManualClock) -> None:
    cache.set("k", b"v")
    clock.advance(10**9)
    assert cache.get("k") == b"v"


def test_ttls_are_per_entry(cache: Cache, clock: ManualClock) -> None:
    cache.set("short", b"s", ttl=5)
    cache.set("long", b"l", ttl=50)
    clock.advance(10)
    assert (cache.get("short"), cache.get("long")) == (None, b"l")


def test_overwriting_replaces_the_ttl(cache: Cache, clock: ManualClock) -> None:
    cache.set("k", b"v1", ttl=5)
    cache.set("k", b"v2")
    clock.advance(100)
    assert cache.get("k") == b"v2"
    cache.set("k", b"v3", ttl=5)
    clock.advance(4)
    cache.set("k", b"v4", ttl=5)  # a fresh ttl from now
    clock.advance(4)
    assert cache.get("k") == b"v4"


def test_an_expired_key_can_be_set_again(cache: Cache, clock: ManualClock) -> None:
    cache.set("k", b"v", ttl=1)
    clock.advance(2)
    assert cache.get("k") is None
    cache.set("k", b"again", ttl=1)
    assert cache.get("k") == b"again"


def test_clear_removes_everything_and_the_cache_stays_usable(cache: Cache) -> None:
    for i in range(5):
        cache.set(f"k{i}", b"v", ttl=None if i % 2 else 60)
    cache.clear()
    assert [cache.get(f"k{i}") for i in range(5)] == [None] * 5
    cache.clear()
    cache.set("k0", b"after")
    assert cache.get("k0") == b"after"


async def test_aget_and_aset_round_trip(cache: Cache) -> None:
    assert await cache.aget("k") is None
    await cache.aset("k", b"async")
    assert await cache.aget("k") == b"async"


async def test_async_and_sync_see_the_same_entries(cache: Cache) -> None:
    cache.set("sync", b"1")
    await cache.aset("async", b"2")
    assert await cache.aget("sync") == b"1"
    assert cache.get("async") == b"2"


async def test_aset_honours_the_ttl(cache: Cache, clock: ManualClock) -> None:
    await cache.aset("k", b"v", ttl=10)
    clock.advance(9)
    assert await cache.aget("k") == b"v"
    clock.advance(2)
    assert await cache.aget("k") is None


def test_threads_setting_and_getting_concurrently(cache: Cache) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def worker(n: int) -> None:
        try:
            start.wait(timeout=5)
            for i in range(100):
                cache.set(f"own-{n}-{i}", f"{n}:{i}".encode())
                cache.set("shared", f"{n}".encode())
                assert cache.get(f"own-{n}-{i}") == f"{n}:{i}".encode()
                assert cache.get("shared") in {str(w).encode() for w in range(6)}
        except BaseException as error:  # collected and re-raised on the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []
    assert cache.get("own-5-99") == b"5:99"


# -- MemoryCache only ---------------------------------------------------------------------------


def test_memory_cache_evicts_the_least_recently_used() -> None:
    cache = MemoryCache(max_entries=2)
    cache.set("a", b"1")
    cache.set("b", b"2")
    assert cache.get("a") == b"1"  # a is now the most recently used
    cache.set("c", b"3")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1", None, b"3")
    assert len(cache) == 2


def test_memory_cache_overwriting_does_not_evict_and_refreshes_recency() -> None:
    cache = MemoryCache(max_entries=2)
    cache.set("a", b"1")
    cache.set("b", b"2")
    cache.set("a", b"1b")
    assert len(cache) == 2
    cache.set("c", b"3")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1b", None, b"3")


def test_memory_cache_of_one_keeps_the_latest() -> None:
    cache = MemoryCache(max_entries=1)
    cache.set("a", b"1")
    cache.set("b", b"2")
    assert (cache.get("a"), cache.get("b"), len(cache)) == (None, b"2", 1)


def test_memory_cache_drops_an_expired_entry_when_read() -> None:
    clock = ManualClock()
    cache = MemoryCache(clock=clock)
    cache.set("k", b"v", ttl=1)
    assert len(cache) == 1
    clock.advance(1)
    assert cache.get("k") is None
    assert len(cache) == 0


@pytest.mark.parametrize("bad", [0, -1])
def test_memory_cache_rejects_a_capacity_below_one(bad: int) -> None:
    with pytest.raises(ValueError, match="max_entries"):
        MemoryCache(max_entries=bad)


def test_memory_cache_repr_shows_no_values() -> None:
    cache = MemoryCache(max_entries=3)
    cache.set("key", b"sk-secret-value-123")
    assert repr(cache) == "MemoryCache(entries=1, max_entries=3)"


def test_memory_cache_threads_respect_the_capacity() -> None:
    cache = MemoryCache(max_entries=50)

    def worker(n: int) -> None:
        for i in range(400):
            cache.set(f"{n}-{i}", b"v")
            cache.get(f"{n}-{i // 2}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(cache) == 50


# -- DiskCache only -----------------------------------------------------------------------------


def test_disk_cache_entries_survive_a_new_instance(tmp_path: Path) -> None:
    first = DiskCache(tmp_path / "c")
    first.set("k", b"persisted", ttl=3600)
    first.close()
    second = DiskCache(tmp_path / "c")
    assert second.get("k") == b"persisted"
    assert "persisted" not in repr(second)
    second.close()


def test_disk_cache_ignores_values_it_did_not_write(tmp_path: Path) -> None:
    import diskcache

    raw = diskcache.Cache(str(tmp_path / "c"))
    raw.set("foreign", "a str value")
    raw.set("short", b"abc")
    raw.close()
    cache = DiskCache(tmp_path / "c")
    assert cache.get("foreign") is None
    assert cache.get("short") is None
    cache.close()

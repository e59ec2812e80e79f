"""An in-memory LRU cache with per-entry time-to-live, safe across threads."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class MemoryCache:
    """Keeps up to ``max_entries`` values, evicting the least recently used.

    Args:
        max_entries: Capacity.
        clock: Monotonic seconds (injectable for tests).
    """

    def __init__(self, max_entries: int = 1024, clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._entries: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()
        self._max = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._salt = secrets.token_bytes(32)

    def __repr__(self) -> str:
        return f"MemoryCache(entries={len(self._entries)}, max_entries={self._max})"

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> bytes | None:
        """Return the value, or None when missing or expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, expires = entry
            if expires is not None and self._clock() >= expires:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Store ``value``, expiring after ``ttl`` seconds when given."""
        expires = None if ttl is None else self._clock() + ttl
        with self._lock:
            self._entries[key] = (value, expires)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    async def aget(self, key: str) -> bytes | None:
        """Async ``get`` (no I/O, so no thread)."""
        return self.get(key)

    async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Async ``set``."""
        self.set(key, value, ttl)

    def salt(self) -> bytes:
        """Return the salt of key fingerprints (random, per instance: nothing outlives it)."""
        return self._salt

    async def asalt(self) -> bytes:
        """Async ``salt``."""
        return self._salt

    def clear(self) -> None:
        """Remove every entry."""
        with self._lock:
            self._entries.clear()

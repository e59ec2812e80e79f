"""The cache port: bytes by key, with an optional time-to-live.

An adapter may also offer ``salt()`` / ``asalt()`` (the secret that keys' credential fingerprints
are made under, the same for every process sharing the cache) and ``attach_logger(logger)``;
the dispatcher uses them when present.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class CacheUnavailableError(Exception):
    """The cache cannot be reached; the adapter has already reported it, the call goes uncached."""


@runtime_checkable
class Cache(Protocol):
    """A byte store. Keys are opaque hashes; values are provider response bytes wrapped as JSON."""

    def get(self, key: str) -> bytes | None:
        """Return the value, or None when missing or expired."""
        ...

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Store a value, expiring after ``ttl`` seconds when given."""
        ...

    async def aget(self, key: str) -> bytes | None:
        """Async ``get``."""
        ...

    async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Async ``set``."""
        ...

    def clear(self) -> None:
        """Remove every entry."""
        ...

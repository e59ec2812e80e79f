"""A persistent cache on disk, backed by diskcache (SQLite plus files), shared across processes."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import secrets
import struct
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_SIZE_LIMIT = 1 << 30  # diskcache's own default: 1 GiB, least recently stored evicted first
# Each stored value is prefixed with its expiry time (wall-clock seconds, +inf for never).
_EXPIRY = struct.Struct("!d")
SALT_FILE = "llmport-salt"
_SALT_BYTES = 32


class DiskCache:
    """Keeps entries in ``directory`` across runs and processes.

    Values are stored as raw bytes (diskcache pickles only non-bytes values, so nothing here is
    ever unpickled), each prefixed with its expiry so expiry follows the injectable clock; the
    ttl is also given to diskcache so dead entries are culled. Async methods run the disk I/O in
    a worker thread.

    Args:
        directory: Where the cache lives (created if missing).
        size_limit: Bytes kept before the oldest entries are evicted.
        clock: Wall-clock seconds (injectable for tests); entries outlive the process.
    """

    def __init__(
        self,
        directory: str | Path,
        size_limit: int = DEFAULT_SIZE_LIMIT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        try:
            import diskcache
        except ImportError as error:  # a core dependency, but an embedding host may have pruned it
            raise ImportError("DiskCache needs diskcache: pip install 'diskcache>=5.6'") from error
        self.directory = Path(directory).expanduser()
        self._cache: Any = diskcache.Cache(str(self.directory), size_limit=size_limit)
        self._clock = clock
        self._salt: bytes | None = None

    def __repr__(self) -> str:
        return f"DiskCache(directory={str(self.directory)!r})"

    def get(self, key: str) -> bytes | None:
        """Return the value, or None when missing or expired."""
        stored = self._cache.get(key)
        if not isinstance(stored, bytes) or len(stored) < _EXPIRY.size:
            return None  # not written by this adapter
        (expires,) = _EXPIRY.unpack_from(stored)
        if self._clock() >= expires:
            self._cache.delete(key)
            return None
        return stored[_EXPIRY.size :]

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Store ``value``, expiring after ``ttl`` seconds when given."""
        expires = math.inf if ttl is None else self._clock() + ttl
        self._cache.set(key, _EXPIRY.pack(expires) + bytes(value), expire=ttl)

    async def aget(self, key: str) -> bytes | None:
        """Async ``get`` (in a worker thread)."""
        return await asyncio.to_thread(self.get, key)

    async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Async ``set`` (in a worker thread)."""
        await asyncio.to_thread(self.set, key, value, ttl)

    def salt(self) -> bytes:
        """Return the salt of key fingerprints, shared by every process using this directory.

        It lives in a file beside the database (never evicted with entries), created atomically:
        written to a private temporary file, then linked into place, so two processes starting
        together agree on one salt.
        """
        if self._salt is None:
            self._salt = _shared_salt(self.directory / SALT_FILE)
        return self._salt

    async def asalt(self) -> bytes:
        """Async ``salt`` (file I/O in a worker thread on first use)."""
        if self._salt is None:
            return await asyncio.to_thread(self.salt)
        return self._salt

    def clear(self) -> None:
        """Remove every entry."""
        self._cache.clear()

    def close(self) -> None:
        """Close the underlying database handles."""
        self._cache.close()


def _shared_salt(path: Path) -> bytes:
    try:
        salt = path.read_bytes()
    except FileNotFoundError:
        salt = b""
    if len(salt) >= _SALT_BYTES:
        return salt
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".salt-")  # created 0600
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(secrets.token_bytes(_SALT_BYTES))
        with contextlib.suppress(FileExistsError):  # another process won: use its salt
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_bytes()

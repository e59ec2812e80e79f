"""A cache in Redis (or Valkey, same protocol), shared by every process and machine reaching it.

redis-py is an optional dependency (``pip install 'llmport[redis]'``), imported when a
``RedisCache`` is built. The sync methods use one thread-safe ``redis.Redis`` pool; the async
ones use ``redis.asyncio`` (one pool per event loop, never a blocking call on the loop).

A cache is an optimisation, so Redis being down or slow never fails a call: each operation is
bounded by ``timeout``, a failure is a miss, and the outage is reported once (a WARNING) and its
end once (an INFO). While Redis is known to be down, operations skip it for ``retry_interval``
seconds instead of each paying the timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import struct
import time
from collections.abc import Callable
from typing import Any

from ...domain.models.redaction import redact, url_secrets
from ...ports.cache import CacheUnavailableError
from ...ports.logger import Logger
from ..outage import Outage

DEFAULT_URL = "redis://127.0.0.1:6379/0"
DEFAULT_MAX_ENTRY_BYTES = 8 << 20
# Each value is prefixed with its expiry (wall-clock seconds, +inf for never), so expiry follows
# the injectable clock like the other adapters; Redis's own TTL (PX) frees the memory.
_EXPIRY = struct.Struct("!d")
_SALT_BYTES = 32


def _redis() -> Any:
    try:
        import redis
        import redis.asyncio
        import redis.asyncio.retry
        import redis.backoff
        import redis.retry
    except ImportError as error:
        raise ImportError("RedisCache needs redis-py: pip install 'llmport[redis]'") from error
    return redis


class RedisCache:
    """Keeps entries in Redis under ``<namespace>:<key>``, expiring natively.

    Args:
        url: ``redis://[user:password@]host:port/db`` (``rediss://`` for TLS, ``unix://`` too).
        namespace: Prefix of every key this cache writes (and of what ``clear()`` removes).
        max_entry_bytes: Larger entries are not stored (logged at WARNING).
        timeout: Seconds one Redis operation may take (connect and read) before it is a miss.
        retry_interval: Seconds an unreachable Redis is skipped before it is tried again.
        clock: Wall-clock seconds (injectable for tests).
        logger: Where outages and oversized entries are reported (default: the client's logger).
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        namespace: str = "llmport",
        max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES,
        timeout: float = 0.5,
        retry_interval: float = 5.0,
        clock: Callable[[], float] = time.time,
        logger: Logger | None = None,
    ) -> None:
        if max_entry_bytes < 1 or timeout <= 0 or retry_interval < 0:
            raise ValueError("max_entry_bytes and timeout must be positive, retry_interval >= 0")
        redis = _redis()
        self._url = url
        self._options: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
        # One bounded try: redis-py's default retries with backoff would multiply the wait.
        self._sync = redis.Redis.from_url(url, retry=redis.retry.Retry(_no_backoff(), 0), **self._options)
        self._async: dict[asyncio.AbstractEventLoop, Any] = {}
        self.namespace = namespace
        self.max_entry_bytes = max_entry_bytes
        self._timeout = timeout
        self._clock = clock
        self._outage = Outage(
            "llmport RedisCache unreachable; calls go uncached until it is back",
            "llmport RedisCache reachable again",
            retry_interval,
            logger,
        )
        self._salt: bytes | None = None

    def __repr__(self) -> str:
        url = redact(self._url, url_secrets(self._url))
        return f"RedisCache(url={url!r}, namespace={self.namespace!r})"

    def attach_logger(self, logger: Logger) -> None:
        """Report through ``logger`` unless one was given explicitly (the client calls this)."""
        self._outage.attach_logger(logger)

    # -- sync ---------------------------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        """Return the value, or None when missing, expired, or Redis is unreachable."""
        if not self._worth_trying():
            return None
        try:
            stored = self._sync.get(self._key(key))
        except Exception as error:  # every redis-py failure (connection, timeout, protocol)
            self._failed(error)
            return None
        self._succeeded()
        return self._unpack(stored)

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Store ``value``, expiring after ``ttl`` seconds when given; a failure is only logged."""
        packed = self._pack(value, ttl)
        if packed is None or not self._worth_trying():
            return
        try:
            self._write_sync(self._key(key), packed, ttl)
        except Exception as error:
            self._failed(error)
            return
        self._succeeded()

    def _write_sync(self, key: str, packed: bytes, ttl: float | None) -> None:
        if ttl is not None and ttl <= 0:
            self._sync.delete(key)
        else:
            self._sync.set(key, packed, px=_millis(ttl))

    def clear(self) -> None:
        """Remove every entry under the namespace (the salt stays, so keys stay stable)."""
        batch: list[bytes] = []
        for name in self._sync.scan_iter(match=self._pattern(), count=500):
            batch.append(name)
            if len(batch) >= 500:
                self._sync.unlink(*batch)
                batch.clear()
        if batch:
            self._sync.unlink(*batch)

    def salt(self) -> bytes:
        """Return the salt of key fingerprints, shared through Redis (``SET NX``: one winner)."""
        if self._salt is None:
            if not self._worth_trying():
                raise CacheUnavailableError("Redis is unreachable")
            try:
                self._sync.set(self._salt_key(), _new_salt(), nx=True)
                self._salt = _checked_salt(self._sync.get(self._salt_key()))
            except Exception as error:
                self._failed(error)
                raise CacheUnavailableError("Redis is unreachable") from None
            self._succeeded()
        return self._salt

    def close(self) -> None:
        """Close the sync pool, and the async pools of event loops not running now."""
        self._sync.close()
        self._drop_closed_loops()
        for loop in [loop for loop in self._async if not loop.is_running()]:
            loop.run_until_complete(self._async.pop(loop).aclose())

    # -- async --------------------------------------------------------------------------------

    async def aget(self, key: str) -> bytes | None:
        """Async ``get``."""
        if not self._worth_trying():
            return None
        try:
            async with asyncio.timeout(self._timeout * 2):
                stored = await self._client().get(self._key(key))
        except Exception as error:
            self._failed(error)
            return None
        self._succeeded()
        return self._unpack(stored)

    async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Async ``set``."""
        packed = self._pack(value, ttl)
        if packed is None or not self._worth_trying():
            return
        client = self._client()
        try:
            async with asyncio.timeout(self._timeout * 2):
                if ttl is not None and ttl <= 0:
                    await client.delete(self._key(key))
                else:
                    await client.set(self._key(key), packed, px=_millis(ttl))
        except Exception as error:
            self._failed(error)
            return
        self._succeeded()

    async def asalt(self) -> bytes:
        """Async ``salt``."""
        if self._salt is None:
            if not self._worth_trying():
                raise CacheUnavailableError("Redis is unreachable")
            client = self._client()
            try:
                async with asyncio.timeout(self._timeout * 4):
                    await client.set(self._salt_key(), _new_salt(), nx=True)
                    self._salt = _checked_salt(await client.get(self._salt_key()))
            except Exception as error:
                self._failed(error)
                raise CacheUnavailableError("Redis is unreachable") from None
            self._succeeded()
        return self._salt

    async def aclose(self) -> None:
        """Close this event loop's pool, then what ``close()`` closes."""
        client = self._async.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()
        self.close()

    def _client(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            self._drop_closed_loops()
            redis = _redis()
            retry = redis.asyncio.retry.Retry(_no_backoff(), 0)
            client = redis.asyncio.Redis.from_url(self._url, retry=retry, **self._options)
            self._async[loop] = client
        return client

    def _drop_closed_loops(self) -> None:
        for loop in [loop for loop in self._async if loop.is_closed()]:
            _abandon(self._async.pop(loop))

    # -- shared -------------------------------------------------------------------------------

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    def _pattern(self) -> str:
        escaped = "".join("\\" + c if c in "*?[]\\" else c for c in self.namespace)
        return f"{escaped}:*"

    def _salt_key(self) -> str:
        return f"{self.namespace}#salt"

    def _pack(self, value: bytes, ttl: float | None) -> bytes | None:
        if len(value) > self.max_entry_bytes:
            self._log(
                "WARNING", "llmport RedisCache entry not stored: larger than max_entry_bytes",
                size=len(value), max_entry_bytes=self.max_entry_bytes,
            )  # fmt: skip
            return None
        expires = math.inf if ttl is None else self._clock() + ttl
        return _EXPIRY.pack(expires) + bytes(value)

    def _unpack(self, stored: bytes | None) -> bytes | None:
        if not isinstance(stored, bytes) or len(stored) < _EXPIRY.size:
            return None  # missing, or not written by this adapter
        (expires,) = _EXPIRY.unpack_from(stored)
        if self._clock() >= expires:
            return None
        return stored[_EXPIRY.size :]

    def _worth_trying(self) -> bool:
        return self._outage.worth_trying()

    def _failed(self, error: Exception) -> None:
        self._outage.failed(error, url=repr(self), timeout=self._timeout)

    def _succeeded(self) -> None:
        self._outage.succeeded(url=repr(self))

    def _log(self, level: Any, message: str, **fields: object) -> None:
        self._outage.log(level, message, **fields)


def _no_backoff() -> Any:
    import redis.backoff

    return redis.backoff.NoBackoff()


def _millis(ttl: float | None) -> int | None:
    return None if ttl is None else max(1, math.ceil(ttl * 1000))


def _new_salt() -> bytes:
    import secrets

    return secrets.token_bytes(_SALT_BYTES)


def _checked_salt(salt: object) -> bytes:
    if not isinstance(salt, bytes) or len(salt) < 16:
        raise ValueError("the salt in Redis is missing or too short")
    return salt


def _abandon(client: Any) -> None:
    """Release the sockets of an asyncio pool whose event loop is closed.

    Its connections can no longer be closed through the loop (that needs the loop running), so
    each socket is closed directly and the asyncio objects are marked closed, which keeps their
    finalizers from warning about (or re-closing) an fd the process may have reused.
    """
    pool = client.connection_pool
    connections = [*getattr(pool, "_available_connections", ()), *getattr(pool, "_in_use_connections", ())]
    for connection in connections:
        writer = getattr(connection, "_writer", None)
        if writer is None:
            continue
        transport = writer.transport
        with contextlib.suppress(Exception):
            sock = getattr(transport, "_sock", None)
            if sock is not None:
                sock.close()
                transport._sock = None
            transport._closing = True
        connection._writer = connection._reader = None
    with contextlib.suppress(Exception):
        client.connection = None

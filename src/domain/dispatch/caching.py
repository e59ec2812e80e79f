"""Response caching: which cache a call uses, under which key, and the JSON entry of its answer.

The key (``cache_keys``) hashes the canonical request as it would go on the wire plus the codec's
name and version, so every parameter that can change the answer is in it by construction, and
who is asking enters only as a salted HMAC fingerprint (``scope="credentials"``). An entry is
JSON holding the provider's raw response bytes, re-parsed by the codec on a hit: no pickle, and a
codec fix applies to old entries too (a codec version bump retires them).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...ports.cache import Cache
from ...ports.codec import ProviderCall, ProviderCodec
from ...ports.transport import HttpRequest, HttpResponse
from ..models.cache_control import CacheControl, CacheScope
from ..models.redaction import redact_headers
from .cache_keys import Salts, cache_key

ENTRY_FORMAT = 1

# Built once: json.dumps builds a new encoder on every call that passes it an option.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


class CorruptEntryError(ValueError):
    """A cache entry that cannot be read back (treated as a miss)."""


@dataclass(frozen=True, slots=True)
class CacheUse:
    """The cache one call reads and writes, and under which key."""

    cache: Cache
    key: str
    control: CacheControl


def pick_cache(
    control: CacheControl, configured: Cache | None, fallback: Callable[[], Cache] | None
) -> Cache | None:
    """Decide whether a call uses a cache, and which.

    ``caching=False`` bypasses it; otherwise the client's cache is used, and ``caching=True``
    without one uses the fallback (a memory cache).
    """
    if not wants_cache(control, configured):
        return None
    if configured is None and fallback is not None:
        return fallback()
    return configured


def wants_cache(control: CacheControl, configured: Cache | None) -> bool:
    """Whether a call may use a cache: not bypassed, and a client cache or ``caching=True``."""
    return control.enabled is not False and (configured is not None or bool(control.enabled))


def scope_of(control: CacheControl, default: CacheScope) -> CacheScope:
    """Return the call's ``cache={"scope": ...}``, else the client's ``cache_scope``."""
    return control.scope or default


def use_for(
    cache: Cache, codec: ProviderCodec, call: ProviderCall, http: HttpRequest, *, salt: bytes | None
) -> CacheUse:
    """Key the call for ``cache``; ``salt`` is None in the shared scope."""
    control = call.request.options.cache
    return CacheUse(cache, cache_key(codec, call, http, salt=salt, namespace=control.namespace), control)


def encode_entry(
    codec: ProviderCodec, response: HttpResponse, stored_at: float, secrets: tuple[str, ...] = ()
) -> bytes:
    """Wrap a provider's answer as a JSON cache entry.

    Headers are stored as a caller sees them (``set-cookie`` and the like masked, ``secrets``
    scrubbed): a cache, on disk or in Redis, outlives the call and is read by other processes.
    """
    entry: dict[str, Any] = {
        "format": ENTRY_FORMAT,
        "codec": f"{codec.name}/{codec.version}",
        "stored_at": stored_at,
        "status": response.status_code,
        "headers": redact_headers(response.headers, secrets),
    }
    try:
        entry["body"] = response.content.decode("utf-8")
    except UnicodeDecodeError:
        entry["body_b64"] = base64.b64encode(response.content).decode("ascii")
    return _COMPACT.encode(entry).encode()


def decode_entry(raw: bytes, codec: ProviderCodec, now: float, max_age: float | None) -> HttpResponse | None:
    """Read an entry back; None when it is too old or from another codec version.

    Raises:
        CorruptEntryError: when the entry is not one llmport wrote.
    """
    try:
        entry = json.loads(raw)
        if entry["format"] != ENTRY_FORMAT:
            raise CorruptEntryError(f"unknown entry format {entry['format']!r}")
        if entry["codec"] != f"{codec.name}/{codec.version}":
            return None
        if max_age is not None and now - float(entry["stored_at"]) > max_age:
            return None
        body = entry["body"].encode() if "body" in entry else base64.b64decode(entry["body_b64"])
        headers = {str(k): str(v) for k, v in entry["headers"].items()}
        return HttpResponse(int(entry["status"]), headers, body)
    except CorruptEntryError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise CorruptEntryError(f"unreadable cache entry ({type(error).__name__})") from None


class CachePolicy:
    """Which cache a call uses and under which key: the dispatcher's one entry to caching.

    Args:
        fallback: Builds the cache ``caching=True`` uses when the client has none.
        default_scope: The client's ``cache_scope``.
    """

    def __init__(self, fallback: Callable[[], Cache] | None, default_scope: CacheScope) -> None:
        self._fallback = fallback
        self._scope = default_scope
        self._salts = Salts()

    def use(
        self, configured: Cache | None, codec: ProviderCodec, call: ProviderCall, http: HttpRequest
    ) -> CacheUse | None:
        """Return the call's cache and key, or None; the salt's I/O may raise (a miss to the caller)."""
        cache, salted = self._target(configured, call)
        if cache is None:
            return None
        return use_for(cache, codec, call, http, salt=self._salts.get(cache) if salted else None)

    async def ause(
        self, configured: Cache | None, codec: ProviderCodec, call: ProviderCall, http: HttpRequest
    ) -> CacheUse | None:
        """Async ``use``."""
        cache, salted = self._target(configured, call)
        if cache is None:
            return None
        return use_for(cache, codec, call, http, salt=await self._salts.aget(cache) if salted else None)

    def _target(self, configured: Cache | None, call: ProviderCall) -> tuple[Cache | None, bool]:
        control = call.request.options.cache
        cache = pick_cache(control, configured, self._fallback)
        return cache, scope_of(control, self._scope) != "shared"

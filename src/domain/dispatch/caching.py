"""Response caching: the key of a provider-bound request and the JSON entry of its answer.

The key hashes the canonical request as it would go on the wire (method, URL without secrets,
non-secret headers, body with sorted keys) plus the codec's name and version, so every
parameter that can change the answer is in it by construction, and no secret is. An entry is
JSON holding the provider's raw response bytes, re-parsed by the codec on a hit: no pickle, and a
codec fix applies to old entries too (a codec version bump retires them).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...ports.cache import Cache
from ...ports.codec import ProviderCodec
from ...ports.transport import HttpRequest, HttpResponse
from ..models.cache_control import CacheControl
from ..models.redaction import SECRET_HEADERS, redact_headers

ENTRY_FORMAT = 1


class CorruptEntryError(ValueError):
    """A cache entry that cannot be read back (treated as a miss)."""


@dataclass(frozen=True, slots=True)
class CacheUse:
    """The cache one call reads and writes, and under which key."""

    cache: Cache
    key: str
    control: CacheControl


def cache_use(
    control: CacheControl,
    configured: Cache | None,
    fallback: Callable[[], Cache] | None,
    codec: ProviderCodec,
    http: HttpRequest,
) -> CacheUse | None:
    """Decide whether a call uses a cache, and which.

    ``caching=False`` bypasses it; otherwise the client's cache is used, and ``caching=True``
    without one uses the fallback (a memory cache).
    """
    if control.enabled is False:
        return None
    cache = configured
    if cache is None and control.enabled and fallback is not None:
        cache = fallback()
    if cache is None:
        return None
    return CacheUse(cache, cache_key(codec, http, control.namespace), control)


def cache_key(codec: ProviderCodec, http: HttpRequest, namespace: str | None = None) -> str:
    """Hash the canonical provider-bound request; secrets never enter it."""
    headers = {
        name.lower(): value
        for name, value in http.headers.items()
        if name.lower() not in SECRET_HEADERS and not any(s and s in value for s in http.secrets)
    }
    canonical = {
        "codec": f"{codec.name}/{codec.version}",
        "method": http.method,
        "url": http.safe_url,
        "headers": dict(sorted(headers.items())),
        "body": _canonical_body(http.body),
        "namespace": namespace,
    }
    digest = hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode())
    return f"llmport:{digest.hexdigest()}"


def _canonical_body(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="surrogateescape")


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
    return json.dumps(entry, separators=(",", ":")).encode()


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

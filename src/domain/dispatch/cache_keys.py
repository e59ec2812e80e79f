"""Tenant-safe cache keys: what a cached answer may be shared across, and what it may not.

A key hashes the canonical provider-bound request (codec, method, URL, headers, body). Who is
asking enters it as a *credential fingerprint*: an HMAC-SHA256, under a salt kept by the cache
itself, of the API key, the base URL (its ``user:pass@`` and query), secret-named headers and
identity headers (``x-tenant``, ``openai-organization``...). Neither a secret nor a plain hash of
one is ever part of a key: a plain SHA-256 of a short key can be brute-forced from a key dump,
an HMAC under a salt the attacker does not hold cannot.

With ``scope="credentials"`` (the default) two callers share an entry only when every
credential and identity header is the same. ``scope="shared"`` leaves the fingerprint out, so
an answer is shared by everyone sending the same request; use it only when every tenant may see
every other tenant's answers (see docs/scaling.md).

The fingerprint is computed from the call (its key, base URL and caller headers) before any
auth strategy signs the request, so a SigV4 signature or a refreshed OAuth token, which change
on every attempt, never split the cache.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets as random_secrets
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from ...ports.cache import Cache
from ...ports.codec import ProviderCall, ProviderCodec
from ...ports.transport import HttpRequest
from ..models.redaction import MIN_SECRET_LENGTH, is_secret_header

# Headers that only move bytes (or trace them) and never change an answer. Everything else a
# provider receives is part of the key. `x-request-id` and `idempotency-key` are unique per
# call by design: keeping them would make every key unique.
TRANSPORT_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "connection",
        "content-length",
        "host",
        "idempotency-key",
        "keep-alive",
        "te",
        "traceparent",
        "tracestate",
        "transfer-encoding",
        "user-agent",
        "x-client-request-id",
        "x-request-id",
    }
)
# A header whose name carries one of these words says who is asking, not what is asked.
IDENTITY_WORDS = frozenset(
    {
        "account",
        "customer",
        "org",
        "organisation",
        "organization",
        "principal",
        "project",
        "subscription",
        "team",
        "tenant",
        "user",
        "workspace",
    }
)
_SECRET_PARAM = re.compile(r"(?i)(key|token|secret|password|credential)")
_SECRET_QUERY_NAMES = frozenset(
    {"key", "api-key", "api_key", "apikey", "access_token", "token", "sig", "code"}
)
SALT_KEY = "llmport:salt"
SALT_BYTES = 32

# Built once: json.dumps builds a new encoder on every call that passes it an option.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
_MATERIAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=repr)


def is_identity_header(name: str) -> bool:
    """Whether a header names the caller (tenant, organization, project, user...)."""
    return not IDENTITY_WORDS.isdisjoint(re.split(r"[-_.]", name.lower()))


def cache_key(
    codec: ProviderCodec,
    call: ProviderCall,
    http: HttpRequest,
    *,
    salt: bytes | None,
    namespace: str | None = None,
) -> str:
    """Hash the canonical provider-bound request, scoped to the caller's credentials.

    Args:
        codec: The wire format (its name and version are part of the key).
        call: The call the request was built from (its credentials are fingerprinted).
        http: The request as built by the codec.
        salt: The cache's salt; None means ``scope="shared"``: no credential fingerprint.
        namespace: The caller's ``cache={"namespace": ...}``.
    """
    known = _credentials(call, http)
    kept: dict[str, str] = {}
    private: dict[str, str] = {}
    for name, value in _caller_headers(call, http).items():
        if name in TRANSPORT_HEADERS:
            continue
        if is_secret_header(name) or value in known or is_identity_header(name):
            private[name] = value
        else:
            kept[name] = value
    canonical: dict[str, Any] = {
        "codec": f"{codec.name}/{codec.version}",
        "method": http.method,
        "url": _public_url(http.url, known, call.api_base),
        "headers": kept,
        "body": _canonical_body(http.body),
        "namespace": namespace,
    }
    if salt is not None:
        canonical["caller"] = _fingerprint(salt, call, http, private)
    digest = hashlib.sha256(_CANONICAL.encode(canonical).encode())
    return f"llmport:{digest.hexdigest()}"


def _caller_headers(call: ProviderCall, http: HttpRequest) -> dict[str, str]:
    # extra_headers are read from the call too: an auth step may apply them after the key.
    headers = {name.lower(): value for name, value in http.headers.items()}
    for name, value in call.request.options.extra_headers.items():
        headers.setdefault(name.lower(), value)
    return headers


def _credentials(call: ProviderCall, http: HttpRequest) -> frozenset[str]:
    values = (*call.secrets, *http.secrets)
    return frozenset(value for value in values if len(value) >= MIN_SECRET_LENGTH)


def _fingerprint(salt: bytes, call: ProviderCall, http: HttpRequest, private: Mapping[str, str]) -> str:
    """HMAC of everything that says who is asking; the secrets never leave this function."""
    params = call.request.params
    material = {
        "key": None if call.api_key is None else call.api_key.get_secret_value(),
        # The whole base: its user:pass@ and every query value are the caller's (issue 17).
        "base": call.api_base,
        "secrets": sorted(set(http.secrets)),
        "headers": dict(sorted(private.items())),
        "params": {name: repr(params[name]) for name in sorted(params) if _SECRET_PARAM.search(name)},
        # Per-host settings (region, project, credentials file...) where the call has them.
        "settings": {str(k): repr(v) for k, v in sorted(dict(getattr(call, "settings", None) or {}).items())},
    }
    encoded = _MATERIAL.encode(material).encode()
    return hmac.new(salt, encoded, hashlib.sha256).hexdigest()


def _public_url(url: str, known: Iterable[str], api_base: str) -> str:
    """Drop from a URL what identifies the caller: userinfo, the base's query, key-like values."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable url>"
    host = parts.netloc.rpartition("@")[2]
    base_values = {value for _, value in _query(api_base)}
    secrets = (*known, *(value for value in base_values if len(value) >= MIN_SECRET_LENGTH))
    query = [
        (name, "" if _private_query(name, value, secrets, base_values) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    encoded = "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in query)
    return urlunsplit((parts.scheme, host, parts.path, encoded, ""))


def _private_query(name: str, value: str, secrets: tuple[str, ...], base_values: set[str]) -> bool:
    if name.lower() in _SECRET_QUERY_NAMES or value in base_values:
        return True
    # Containment, not equality: a broken base URL can glue a key to a path (`?key=K/chat/...`).
    return any(secret in value for secret in secrets)


def _query(url: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(urlsplit(url).query, keep_blank_values=True)
    except ValueError:
        return []


def _canonical_body(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="surrogateescape")


# -- the salt -------------------------------------------------------------------------------------


class Salts:
    """Each cache's salt, fetched once per cache and remembered.

    A cache adapter that has ``salt()`` / ``asalt()`` (every built-in one) keeps its own,
    atomically created where the cache is shared (a file beside a disk cache, ``SET NX`` in
    Redis). Any other cache gets one stored under ``llmport:salt`` in itself.
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[Cache, bytes]] = {}

    def get(self, cache: Cache) -> bytes:
        """Return the salt of ``cache`` (I/O on first use)."""
        known = self._known.get(id(cache))
        if known is not None and known[0] is cache:
            return known[1]
        own = getattr(cache, "salt", None)
        salt = own() if callable(own) else _stored_salt(cache)
        return self._remember(cache, salt)

    async def aget(self, cache: Cache) -> bytes:
        """Async ``get``."""
        known = self._known.get(id(cache))
        if known is not None and known[0] is cache:
            return known[1]
        own = getattr(cache, "asalt", None)
        salt = await own() if callable(own) else await _astored_salt(cache)
        return self._remember(cache, salt)

    def _remember(self, cache: Cache, salt: bytes) -> bytes:
        if not isinstance(salt, bytes) or len(salt) < 16:
            raise ValueError("a cache salt must be at least 16 bytes")
        if len(self._known) > 64:  # caches are few (the client's, the fallback); never grow unbounded
            self._known.clear()
        self._known[id(cache)] = (cache, salt)
        return salt


def new_salt() -> bytes:
    """Return a fresh random salt."""
    return random_secrets.token_bytes(SALT_BYTES)


def _stored_salt(cache: Cache) -> bytes:
    salt = cache.get(SALT_KEY)
    if salt is None or len(salt) < 16:
        cache.set(SALT_KEY, new_salt())
        salt = cache.get(SALT_KEY)  # another process may have written first: read the winner
    if salt is None:
        raise ValueError("the cache did not keep its salt")
    return salt


async def _astored_salt(cache: Cache) -> bytes:
    salt = await cache.aget(SALT_KEY)
    if salt is None or len(salt) < 16:
        await cache.aset(SALT_KEY, new_salt())
        salt = await cache.aget(SALT_KEY)
    if salt is None:
        raise ValueError("the cache did not keep its salt")
    return salt

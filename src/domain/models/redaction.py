"""Secret scrubbing for anything that leaves the library as text: errors, logs, reprs, cache keys.

Two mechanisms, both applied: the exact secrets a call used (always known to the dispatcher) and
patterns of well-known key shapes, so a key echoed back by a provider in an error body is caught
even when it is not the one we sent.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

REDACTED = "[REDACTED]"

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "x-goog-api-key",
        "cookie",
        "set-cookie",
        "ocp-apim-subscription-key",
    }
)

_PATTERNS = (
    # OpenAI-style and Anthropic-style keys, project keys, service-account keys.
    re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}"),
    # Bearer and Basic credentials wherever they appear in text.
    re.compile(r"\b((?i:bearer|basic))\s+[A-Za-z0-9._~+/=\-]{8,}"),
    # Keys passed in query strings (Gemini's ?key=, Azure SAS-like api-key=).
    re.compile(r"([?&](?i:key|api[-_]?key|access_token|token|sig)=)[^&#\s\"']+"),
    # Google API keys and AWS access key ids.
    re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"),
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    # Credentials embedded in URLs: scheme://user:password@host
    re.compile(r"(?<=://)[^/@\s:]+:[^/@\s]+(?=@)"),
    # A key masked the way providers echo it ("sk-abcd1234****...wxyz"): the visible ends are
    # still a recognisable part of the key. The lookbehind starts a match only where a run of
    # such characters starts and the possessive quantifiers never backtrack, so a long run
    # (a hostile error body) costs linear time, not quadratic.
    re.compile(r"(?<![\w\-.*])[\w\-.]*+\*{4,}[\w\-.*]*+"),
)
# Every pattern in one alternation (case-insensitive parts scoped): most texts (header values,
# base URLs) hold no key shape, and one search rejects them instead of one pass per pattern.
_ANY_PATTERN = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _PATTERNS))
_QUERY_SECRET = re.compile(r"(?i)[?&](?:key|api[-_]?key|access_token|token|sig)=([^&#\s]+)")
_QUERY_VALUE = re.compile(r"[?&][^=&#\s]*=([^&#\s]+)")
# Any query value of a base URL is taken for a secret (Azure APIM's ?subscription-key=, Azure
# Functions' ?code=, a proxy's own name for its key): from this length on, since a secret is
# replaced wherever it appears and a short value ("true", a version) would garble other text.
MIN_QUERY_SECRET = 8
# Secrets shorter than this are placeholders ("x", "EMPTY" is five): replacing them in text would
# garble it, and matching header values against them would drop tenant headers (cache keys).
MIN_SECRET_LENGTH = 4
_SECRET_HEADER_SUFFIXES = ("-key", "_key", "-token", "_token", "-secret", "_secret", "apikey")


@lru_cache(maxsize=512)
def is_secret_header(name: str) -> bool:
    """Whether a header is secret by its name: credentials, cookies, ``*authorization*``, ``*-key``...

    One rule for redaction (masked in headers, values joining the call's secrets) and cache keys.
    """
    lowered = name.lower()
    return (
        lowered in SECRET_HEADERS or "authorization" in lowered or lowered.endswith(_SECRET_HEADER_SUFFIXES)
    )


def header_secrets(headers: Mapping[str, str]) -> tuple[str, ...]:
    """Return the values of the secret-named headers among ``headers`` (e.g. a call's ``extra_headers``).

    A Bearer or Basic value also yields its bare credential, which a provider may echo alone.
    """
    found: list[str] = []
    for name, value in headers.items():
        if is_secret_header(name) and isinstance(value, str):
            found.append(value)
            scheme, _, credential = value.partition(" ")
            if credential and scheme.lower() in ("bearer", "basic", "token"):
                found.append(credential.strip())
    return tuple(value for value in dict.fromkeys(found) if len(value) >= MIN_SECRET_LENGTH)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with the given secrets and well-known key shapes replaced.

    Args:
        text: Any text that may leave the library.
        secrets: Exact secret values known to be in play (API keys of the call).

    Returns:
        The scrubbed text.
    """
    known = tuple(secrets)
    if _nothing_to_scrub(text, known):
        return text
    for secret in known:
        if len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, REDACTED)
    if _ANY_PATTERN.search(text) is None:
        return text
    for pattern in _PATTERNS:
        text = pattern.sub(_replacement, text)
    return text


def _nothing_to_scrub(text: str, secrets: tuple[str, ...]) -> bool:
    """Whether ``redact`` would return ``text`` as it is: no known secret in it, no key shape."""
    return _ANY_PATTERN.search(text) is None and not any(
        len(secret) >= MIN_SECRET_LENGTH and secret in text for secret in secrets
    )


def url_secrets(url: str | None) -> tuple[str, ...]:
    """Return the secrets a URL carries: userinfo credentials and query values.

    Key-like query values (``key=``, ``api-key=``, ``token=``...) count from 4 characters, any
    other value from ``MIN_QUERY_SECRET``.

    They join the call's known secrets, so a provider echoing its request target (as OpenAI's
    "Invalid URL" error does) is scrubbed even where no pattern would recognise the value.
    """
    if not url or ("@" not in url and "?" not in url):
        return ()
    found = [match.group(1) for match in _QUERY_SECRET.finditer(url)]
    found += [value for value in _QUERY_VALUE.findall(url) if len(unquote(value)) >= MIN_QUERY_SECRET]
    try:
        parts = urlsplit(url)
        user, password = parts.username, parts.password
    except ValueError:
        user = password = None
    # A lone user name is a token (https://<token>@host); next to a password it is a name.
    for value in (password,) if password else (user,):
        if value:
            found.append(value)
    found += [unquote(value) for value in found]
    if user is not None or password is not None:
        # ...and both travel as Basic auth, which a provider may echo back as it got it.
        pair = f"{unquote(user or '')}:{unquote(password or '')}".encode()
        found.append(base64.b64encode(pair).decode("ascii"))
    return tuple(dict.fromkeys(value for value in found if len(value) >= MIN_SECRET_LENGTH))


def _replacement(match: re.Match[str]) -> str:
    groups = match.groups()
    if groups and groups[0] is not None:
        # Keep the scheme word or the query-parameter name so the text stays readable.
        prefix = groups[0]
        return f"{prefix}{'' if prefix.endswith('=') else ' '}{REDACTED}"
    return REDACTED


def redact_value(value: Any, secrets: Iterable[str] = ()) -> Any:
    """Return ``value`` with every string inside it (dict keys too) scrubbed by ``redact``.

    Dicts, lists and tuples are walked; numbers, booleans and None pass; anything else becomes
    its scrubbed ``repr``, so no object can carry a secret past this function.
    """
    known = tuple(secrets)
    if isinstance(value, str):
        return redact(value, known)
    if isinstance(value, dict):
        return {redact_value(name, known): redact_value(item, known) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(item, known) for item in value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(repr(value), known)


def redact_headers(headers: Mapping[str, str], secrets: Iterable[str] = ()) -> dict[str, str]:
    """Return a copy of ``headers`` with secret-bearing headers masked and values scrubbed."""
    known = tuple(secrets)
    # One check over every value (joined by a newline, which no pattern crosses or needs as an
    # edge) clears the usual answer, whose headers carry nothing to scrub.
    if _nothing_to_scrub("\n".join(headers.values()), known):
        return {name: REDACTED if is_secret_header(name) else value for name, value in headers.items()}
    return {
        name: REDACTED if is_secret_header(name) else redact(value, known) for name, value in headers.items()
    }

"""JSON for the codecs: orjson's speed with the standard library's semantics, and the JSON POST.

orjson parses a streamed chunk about four times faster than ``json``. Where the two disagree,
``json`` decides, so a payload parses exactly as it would with ``json`` alone: orjson refuses NaN
literals and lone surrogates (then ``json`` parses), and turns integers beyond 64 bits into
floats (so text with a run of 19 or more digits goes to ``json`` directly).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from ...ports.codec import ProviderCall
from ...ports.transport import HttpRequest

# Digits become b"1", every other byte b"0": a run of 19 digits is then a plain substring search,
# ten times cheaper than a regex (UTF-8 continuation bytes are never ASCII digits).
_DIGIT_MAP = bytes(0x31 if 0x30 <= byte <= 0x39 else 0x30 for byte in range(256))
_LONG_RUN = b"1" * 19


def loads(raw: bytes | str) -> Any:
    """Parse JSON text (bytes or str); raise ``ValueError`` when it is not JSON."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if _LONG_RUN in data.translate(_DIGIT_MAP):
        return json.loads(raw)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(raw)  # maybe valid for `json` (NaN, Infinity, lone surrogates)


# json.dumps builds a new encoder whenever it is given an option: one built once is ~3 us a call less.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def dumps(value: Any) -> bytes:
    """Serialise compactly to UTF-8 bytes, as ``json.dumps(separators=(",", ":"))`` would."""
    return _COMPACT.encode(value).encode()


def json_post(call: ProviderCall, url: str, headers: dict[str, str], body: Any) -> HttpRequest:
    """Build the JSON ``POST`` a codec sends for ``call``, with its timeouts and secrets."""
    return HttpRequest(
        method="POST", url=url, headers=headers, body=dumps(body), timeout=call.timeout, secrets=call.secrets
    )

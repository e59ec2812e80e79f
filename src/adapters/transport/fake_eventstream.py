"""Building AWS event-stream bodies for tests, checked by botocore's own decoder.

botocore decodes event streams but has no encoder, so the fakes build frames here from the
documented layout: a prelude (total length, headers length: big-endian u32s) and its CRC32, the
headers (name length byte, name, type byte 7 = string, u16 value length, value), the payload, and
the CRC32 of everything before it (``binascii.crc32``). Every body built by ``event_stream`` is
decoded again through ``botocore.eventstream.EventStreamBuffer`` before it is returned, so a fake
never serves bytes botocore would not accept.
"""

from __future__ import annotations

import binascii
import json
import struct
from collections.abc import Iterable, Mapping
from typing import Any

from ..providers.bedrock._botocore import botocore

_STRING = 7
_EVENT_HEADERS = {":content-type": "application/json", ":message-type": "event"}


def encode_frame(headers: Mapping[str, str], payload: bytes) -> bytes:
    """Encode one event-stream message with string headers (no checks; see ``event_stream``)."""
    encoded = b""
    for name, value in headers.items():
        raw_name, raw_value = name.encode(), value.encode()
        encoded += struct.pack("!B", len(raw_name)) + raw_name
        encoded += struct.pack("!BH", _STRING, len(raw_value)) + raw_value
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack("!II", total, len(encoded))
    prelude += struct.pack("!I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + encoded + payload
    return message + struct.pack("!I", binascii.crc32(message) & 0xFFFFFFFF)


def event_frame(event_type: str, body: Mapping[str, Any] | bytes) -> bytes:
    """Encode a ConverseStream ``event`` frame (``:event-type`` plus JSON payload)."""
    payload = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    return encode_frame({":event-type": event_type, **_EVENT_HEADERS}, payload)


def exception_frame(exception_type: str, message: str) -> bytes:
    """Encode an ``exception`` frame, e.g. ``("throttlingException", "Too many tokens...")``."""
    headers = {
        ":exception-type": exception_type,
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    return encode_frame(headers, json.dumps({"message": message}).encode())


def error_frame(code: str, message: str) -> bytes:
    """Encode an ``error`` frame: code and message in headers, an empty payload."""
    return encode_frame({":error-code": code, ":error-message": message, ":message-type": "error"}, b"")


def event_stream(frames: Iterable[bytes]) -> bytes:
    """Join frames into a body, after decoding it with botocore to prove it is valid.

    Raises:
        ValueError: when botocore does not decode exactly the frames given.
    """
    parts = list(frames)
    body = b"".join(parts)
    buffer = botocore("eventstream").EventStreamBuffer()
    buffer.add_data(body)
    decoded = list(buffer)
    if len(decoded) != len(parts) or sum(message.prelude.total_length for message in decoded) != len(body):
        raise ValueError("botocore does not decode these frames back")
    return body


def events_body(events: Iterable[tuple[str, Mapping[str, Any]]]) -> bytes:
    """Return a checked ConverseStream body for ``(event type, payload)`` pairs."""
    return event_stream(event_frame(kind, payload) for kind, payload in events)


def events_from_lines(lines: Iterable[str]) -> list[tuple[str, dict[str, Any]]]:
    """Read decoded ConverseStream events written one JSON object per line (``{"<type>": {...}}``)."""
    events: list[tuple[str, dict[str, Any]]] = []
    for line in lines:
        if line.strip():
            ((kind, payload),) = json.loads(line).items()
            events.append((kind, payload))
    return events

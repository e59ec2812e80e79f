"""HTTP answers for fakes, one builder per stream framing: SSE, NDJSON, a JSON array.

Each returns an ``HttpResponse`` whose ``chunks`` are the pieces a ``FakeTransport`` streams, one
frame per piece (so a test sees the framing a server would send).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..ports.transport import HttpResponse


def _text(item: Any) -> str:
    return item if isinstance(item, str) else json.dumps(item)


def from_sse(
    events: Iterable[Any],
    *,
    done: bool = True,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a server-sent-events answer, one ``data:`` frame per event (dicts become JSON).

    Args:
        events: Event payloads: text as is, anything else as JSON.
        done: Whether to end with OpenAI's ``data: [DONE]``.
        status_code: The HTTP status.
        headers: Extra headers.
    """
    frames = [f"data: {_text(event)}\n\n".encode() for event in events]
    if done:
        frames.append(b"data: [DONE]\n\n")
    return HttpResponse(
        status_code, {"content-type": "text/event-stream", **(headers or {})}, chunks=tuple(frames)
    )


def from_ndjson(
    lines: Iterable[Any], *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """Build a newline-delimited JSON answer (Ollama's stream), one line per item."""
    frames = tuple(f"{_text(line)}\n".encode() for line in lines)
    content_type = {"content-type": "application/x-ndjson"}
    return HttpResponse(status_code, {**content_type, **(headers or {})}, chunks=frames)


def from_json_array(
    elements: Iterable[Any], *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """Build one JSON array streamed element by element (Gemini without ``alt=sse``).

    The pieces are ``[`` + first element, then ``,`` + each next one, then ``]``, as Gemini sends them.
    """
    texts = [_text(element) for element in elements]
    frames = [("[" if index == 0 else ",\r\n") + text for index, text in enumerate(texts)]
    frames.append("]" if texts else "[]")
    return HttpResponse(
        status_code,
        {"content-type": "application/json", **(headers or {})},
        chunks=tuple(frame.encode() for frame in frames),
    )

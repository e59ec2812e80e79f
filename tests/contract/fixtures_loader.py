"""Load recorded provider exchanges (contract fixtures) from ``tests/contract/fixtures``.

Each fixture is a pair of files in ``fixtures/<provider>/``:

* ``<name>.json``: metadata (source, description, request, response status/headers, body file name, framing);
* the body file named by ``response.body_file``, holding the exact recorded response bytes.

Bodies with framing ``"chunks-lines"`` (vercel-ai ``*.chunks.txt``: one SSE ``data:`` payload per line,
without SSE framing) are re-framed on load as ``b"data: <line>\\n\\n"`` per non-empty line, followed by
``b"data: [DONE]\\n\\n"``. Framing ``"sse-lines"`` is the same without the ``[DONE]`` (Gemini's SSE
has no end marker), and ``.body.jsonarray`` bodies are streams sent as one JSON array (Gemini
without ``alt=sse``). Bodies with framing ``"aws-event-lines"`` (vercel-ai Bedrock ``*.chunks.txt``:
one decoded ConverseStream event ``{"<type>": payload}`` per line) are framed on load as AWS event-stream
frames (``llmport.testing.eventstream``, checked by botocore). ``*.body.eventstream`` files are raw
recorded AWS event-stream bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES_DIR = Path(__file__).parent / "fixtures"

_METADATA_SUFFIX = ".json"
_BODY_SUFFIXES = (".body.json", ".body.sse", ".body.jsonarray", ".chunks.txt", ".body.eventstream")
_STREAM_SUFFIXES = (".body.sse", ".body.jsonarray", ".chunks.txt", ".body.eventstream")
_FRAMINGS = ("raw", "chunks-lines", "sse-lines", "aws-event-lines")


@dataclass(frozen=True)
class Exchange:
    """One recorded HTTP exchange with a provider.

    Attributes:
        name: Fixture name (file stem of the metadata file).
        provider: Provider folder name, e.g. ``"openai"`` or ``"azure"``.
        description: What the exchange covers.
        request_body: Parsed JSON request body, or ``None`` when the source did not record it.
        request_url: Request URL, or ``None`` when the source did not record it.
        status: HTTP status code of the response.
        headers: Non-secret response headers, with lower-case keys.
        body: Exact response body bytes (re-framed as SSE for ``"chunks-lines"`` fixtures).
        is_stream: Whether the body is an SSE stream.
    """

    name: str
    provider: str
    description: str
    request_body: dict[str, Any] | None
    request_url: str | None
    status: int
    headers: dict[str, str]
    body: bytes
    is_stream: bool


def _provider_dir(provider: str) -> Path:
    """Return the fixture folder of a provider.

    Args:
        provider: Provider folder name.

    Returns:
        The folder path.

    Raises:
        FileNotFoundError: If there is no such provider folder.
    """
    directory = FIXTURES_DIR / provider
    if not directory.is_dir():
        raise FileNotFoundError(f"no fixtures for provider {provider!r} in {FIXTURES_DIR}")
    return directory


def _is_metadata_file(path: Path) -> bool:
    """Tell whether a file is a fixture metadata file (and not a JSON body file).

    Args:
        path: File to classify.

    Returns:
        True for ``<name>.json`` files that are not ``<name>.body.json`` bodies.
    """
    return path.is_file() and path.name.endswith(_METADATA_SUFFIX) and not path.name.endswith(_BODY_SUFFIXES)


def exchange_names(provider: str) -> list[str]:
    """List the fixture names available for a provider.

    Args:
        provider: Provider folder name, e.g. ``"openai"``.

    Returns:
        Sorted fixture names.

    Raises:
        FileNotFoundError: If there is no such provider folder.
    """
    directory = _provider_dir(provider)
    return sorted(p.name[: -len(_METADATA_SUFFIX)] for p in directory.iterdir() if _is_metadata_file(p))


def frame_chunk_lines(raw: bytes, done: bool = True) -> bytes:
    """Turn one-payload-per-line chunks into an SSE body.

    Args:
        raw: File content with one JSON payload per line (blank lines are skipped).
        done: Whether to end with ``[DONE]`` (OpenAI-style hosts do; Gemini does not).

    Returns:
        ``b"data: <line>\\n\\n"`` for each non-empty line, then ``b"data: [DONE]\\n\\n"`` when ``done``.
    """
    events = [b"data: " + line + b"\n\n" for line in raw.splitlines() if line.strip()]
    return b"".join(events) + (b"data: [DONE]\n\n" if done else b"")


def _as_str_dict(value: object, what: str) -> dict[str, str]:
    """Validate a JSON object of strings and lower-case its keys.

    Args:
        value: Parsed JSON value.
        what: Description used in error messages.

    Returns:
        The mapping with lower-case keys.

    Raises:
        ValueError: If the value is not an object of strings.
    """
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be an object")
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise ValueError(f"{what} must map strings to strings")
        out[key.lower()] = item
    return out


def load_metadata(provider: str, name: str) -> dict[str, Any]:
    """Read the raw metadata of a fixture.

    Args:
        provider: Provider folder name.
        name: Fixture name.

    Returns:
        The parsed metadata object.

    Raises:
        FileNotFoundError: If the fixture does not exist.
        ValueError: If the metadata is not a JSON object.
    """
    path = _provider_dir(provider) / f"{name}{_METADATA_SUFFIX}"
    if not _is_metadata_file(path):
        raise FileNotFoundError(f"no fixture {provider}/{name}")
    meta = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: metadata must be a JSON object")
    return meta


def load_exchange(provider: str, name: str) -> Exchange:
    """Load one recorded exchange.

    Args:
        provider: Provider folder name, e.g. ``"openai"`` or ``"azure"``.
        name: Fixture name, e.g. ``"stream_parallel_tool_calls"``.

    Returns:
        The exchange, with the body bytes exactly as recorded (re-framed for ``"chunks-lines"``).

    Raises:
        FileNotFoundError: If the fixture or its body file does not exist.
        ValueError: If the metadata is malformed.
    """
    meta = load_metadata(provider, name)
    request = meta.get("request") or {}
    response = meta.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise ValueError(f"{provider}/{name}: request and response must be objects")

    body_file = response.get("body_file")
    if not isinstance(body_file, str) or not body_file.endswith(_BODY_SUFFIXES) or "/" in body_file:
        raise ValueError(f"{provider}/{name}: bad body_file {body_file!r}")
    framing = meta.get("framing", "raw")
    if framing not in _FRAMINGS:
        raise ValueError(f"{provider}/{name}: unknown framing {framing!r}")
    status = response.get("status")
    if not isinstance(status, int) or isinstance(status, bool):
        raise ValueError(f"{provider}/{name}: status must be an integer")

    request_body = request.get("body")
    if request_body is not None and not isinstance(request_body, dict):
        raise ValueError(f"{provider}/{name}: request body must be an object or null")
    request_url = request.get("url")
    if request_url is not None and not isinstance(request_url, str):
        raise ValueError(f"{provider}/{name}: request url must be a string or null")

    raw = (_provider_dir(provider) / body_file).read_bytes()
    if framing == "aws-event-lines":
        from llmport.testing.eventstream import events_body, events_from_lines

        body = events_body(events_from_lines(raw.decode("utf-8").splitlines()))
    else:
        body = frame_chunk_lines(raw, done=framing == "chunks-lines") if framing != "raw" else raw
    return Exchange(
        name=name,
        provider=provider,
        description=str(meta.get("description", "")),
        request_body=request_body,
        request_url=request_url,
        status=status,
        headers=_as_str_dict(response.get("headers") or {}, f"{provider}/{name}: response headers"),
        body=body,
        is_stream=framing != "raw" or body_file.endswith(_STREAM_SUFFIXES),
    )

"""Reading a response body within bounds: its size on the wire, its decoded size, and the deadline.

Both transports hand the raw (still compressed) bytes here. Decompression is incremental and
emits at most ``PIECE`` bytes per step, so a gzip bomb is stopped at the limit, never inflated
first; a body is collected in one growing buffer, so the memory it takes stays under its limit
plus a constant. Every breach raises ``APIResponseValidationError`` naming the limit.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator, Mapping

from ...domain.models.errors import APIConnectionError, APIResponseValidationError, Timeout
from ...domain.models.redaction import redact
from ...ports.transport import HttpRequest, ResponseLimits

# The most decoded bytes one decompression step produces (bounded memory per step).
PIECE = 256 * 1024
# What llmport accepts; the transports send this instead of their own (brotli/zstd when installed).
ACCEPT_ENCODING = "gzip, deflate"


def mib(size: int) -> str:
    """Write a byte count as a readable size, for messages."""
    return f"{size / (1024 * 1024):g} MiB" if size >= 1024 * 1024 else f"{size} bytes"


def too_large(request: HttpRequest, what: str, limit: int, setting: str) -> APIResponseValidationError:
    """Build the error raised when an answer passes one of its limits."""
    return APIResponseValidationError(
        redact(
            f"the response {what} exceeded {setting} ({mib(limit)}) on {request.method} {request.safe_url}",
            request.secrets,
        )
    )


def deadline_passed(request: HttpRequest) -> Timeout:
    """Build the error raised when an attempt's wall-clock budget is spent between two reads."""
    seconds = request.budget.seconds if request.budget is not None else 0
    return Timeout(
        redact(
            f"the call's deadline passed while reading the answer ({seconds:.3g} s were left for this "
            f"attempt) on {request.method} {request.safe_url}",
            request.secrets,
        )
    )


class Decoder:
    """Incremental ``content-encoding`` decoding (gzip, deflate, identity) in bounded steps.

    Unknown encodings pass through untouched, as httpx does.

    Args:
        encoding: The response's ``content-encoding`` header ("" when absent).
    """

    __slots__ = ("_encodings", "_objects", "_start")

    def __init__(self, encoding: str) -> None:
        names = [name.strip().lower() for name in encoding.split(",")]
        # Applied in order by the server, so undone in reverse.
        self._encodings = [name for name in reversed(names) if name in ("gzip", "x-gzip", "deflate")]
        self._objects: list[zlib._Decompress | None] = [
            None if name == "deflate" else zlib.decompressobj(zlib.MAX_WBITS | 16) for name in self._encodings
        ]
        self._start = [b""] * len(self._encodings)

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Yield the decoded form of the next raw bytes, ``PIECE`` bytes at most per step."""
        yield from self._through(0, data)

    def flush(self) -> Iterator[bytes]:
        """Yield what the decompressors still hold at the end of the body."""
        for index in range(len(self._objects)):
            obj = self._objects[index]
            rest = self._start[index] if obj is None else obj.flush()
            if rest:
                yield from self._through(index + 1, rest)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._objects):
            if data:
                yield data
            return
        obj = self._objects[index] or self._deflate(index, data)
        if obj is None:
            return
        if self._start[index]:
            data, self._start[index] = self._start[index], b""
        try:
            while data:
                out = obj.decompress(data, PIECE)
                data = obj.unconsumed_tail
                yield from self._through(index + 1, out)
        except zlib.error:
            raise APIConnectionError(
                f"the response body is not valid {self._encodings[index]} data"
            ) from None

    def _deflate(self, index: int, data: bytes) -> zlib._Decompress | None:
        # "deflate" is zlib-wrapped by the standard, raw by many servers (httpx accepts both):
        # the first two bytes tell (a zlib header is method 8 with a checksum divisible by 31).
        start = self._start[index] = self._start[index] + data
        if len(start) < 2:
            return None
        wrapped = start[0] & 0x0F == 8 and (start[0] << 8 | start[1]) % 31 == 0
        obj = self._objects[index] = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        return obj


class Collector:
    """Gathers a whole body piece by piece, checking every limit as it grows.

    Args:
        request: The request answered (its limits, budget and secrets).
        headers: The response headers (lower-case names).
    """

    __slots__ = ("_buffer", "_decoded", "_decoder", "_limits", "_raw", "_request")

    def __init__(self, request: HttpRequest, headers: Mapping[str, str]) -> None:
        self._request = request
        self._limits: ResponseLimits = request.limits
        self._decoder = Decoder(headers.get("content-encoding", ""))
        self._buffer = io.BytesIO()
        self._raw = 0
        self._decoded = 0
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._limits.max_response_bytes:
            raise self._too_large()

    def add(self, raw: bytes) -> None:
        """Take the next raw bytes; raise when a limit or the deadline is passed."""
        budget = self._request.budget
        if budget is not None and budget.spent:
            raise deadline_passed(self._request)
        self._raw += len(raw)
        if self._raw > self._limits.max_response_bytes:
            raise self._too_large()
        for piece in self._decoder.decode(raw):
            self._keep(piece)

    def result(self) -> bytes:
        """Return the whole decoded body."""
        for piece in self._decoder.flush():
            self._keep(piece)
        return self._buffer.getvalue()

    def _keep(self, piece: bytes) -> None:
        self._decoded += len(piece)
        if self._decoded > self._limits.max_decoded_bytes:
            raise too_large(
                self._request, "body, decompressed,", self._limits.max_decoded_bytes, "max_decoded_bytes"
            )
        self._buffer.write(piece)

    def _too_large(self) -> APIResponseValidationError:
        return too_large(self._request, "body", self._limits.max_response_bytes, "max_response_bytes")


def whole(content: bytes, request: HttpRequest) -> bytes:
    """Check a body that arrived whole and decoded (an in-memory response) against its limit."""
    if len(content) > request.limits.max_decoded_bytes:
        raise too_large(request, "body", request.limits.max_decoded_bytes, "max_decoded_bytes")
    return content


def decoded_stream(raw: Iterator[bytes], request: HttpRequest, headers: Mapping[str, str]) -> Iterator[bytes]:
    """Decode a streamed body piece by piece, checking the budget between reads (sync streams)."""
    decoder = Decoder(headers.get("content-encoding", ""))
    budget = request.budget
    for piece in raw:
        if budget is not None and budget.spent:
            raise deadline_passed(request)
        yield from decoder.decode(piece)
    yield from decoder.flush()

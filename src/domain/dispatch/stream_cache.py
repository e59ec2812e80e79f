"""Cached streams: a streamed answer is stored once complete and replayed chunk for chunk.

The entry holds the provider's raw streamed body (the same JSON entry as a plain answer), so a
replay runs the codec's own stream parser over it and yields the original chunk sequence:
every content delta, tool-call fragment, the finish chunk and its usage, never one aggregated
chunk. A stream is stored only after its terminal event was parsed; one the caller stops early,
that breaks, or that exceeds ``MAX_RECORDED_BYTES`` is never stored.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping

from ...ports.codec import ProviderCall, ProviderCodec
from ...ports.transport import AsyncStreamingResponse, HttpResponse, StreamingResponse
from ..models.stream import ModelResponseStream
from .streaming import FinishChunkHold

# A streamed body larger than this is answered but not stored (an adapter may bound it lower).
MAX_RECORDED_BYTES = 16 << 20


class RecordedStream:
    """A streamed response that keeps a copy of the bytes it yields, up to ``limit``.

    Args:
        response: The transport's streamed response (sync or async).
        limit: Bytes kept (default ``MAX_RECORDED_BYTES``); past it the copy is dropped and
            ``complete()`` is None.
    """

    def __init__(
        self, response: StreamingResponse | AsyncStreamingResponse, limit: int | None = None
    ) -> None:
        self._response = response
        self._parts: list[bytes] | None = []
        self._size = 0
        self._limit = MAX_RECORDED_BYTES if limit is None else limit

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self._response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers."""
        return self._response.headers

    def iter_bytes(self) -> Iterator[bytes]:
        """Yield the body, keeping a copy."""
        for data in self._response.iter_bytes():  # type: ignore[union-attr]
            self._keep(data)
            yield data

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """Async ``iter_bytes``."""
        async for data in self._response.aiter_bytes():  # type: ignore[union-attr]
            self._keep(data)
            yield data

    def read(self) -> bytes:
        """Read the rest of the body (not recorded: only error bodies are read whole)."""
        return self._response.read()  # type: ignore[union-attr]

    async def aread(self) -> bytes:
        """Async ``read``."""
        return await self._response.aread()  # type: ignore[union-attr]

    def complete(self) -> HttpResponse | None:
        """Return the recorded answer, or None when it outgrew the limit."""
        if self._parts is None:
            return None
        return HttpResponse(self.status_code, dict(self.headers), b"".join(self._parts))

    def _keep(self, data: bytes) -> None:
        if self._parts is None:
            return
        self._size += len(data)
        if self._size > self._limit:
            self._parts = None  # too big to store: stop copying, keep streaming
        else:
            self._parts.append(data)


def store_when_complete(
    chunks: Generator[ModelResponseStream, None, None], store: Callable[[], None]
) -> Generator[ModelResponseStream, None, None]:
    """Yield ``chunks``; call ``store`` only when they ran to their end without an error.

    Closing this generator closes ``chunks`` (``yield from`` forwards it), and nothing is stored.
    """
    yield from chunks
    store()


async def astore_when_complete(
    chunks: AsyncGenerator[ModelResponseStream, None], store: Callable[[], Awaitable[None]]
) -> AsyncGenerator[ModelResponseStream, None]:
    """Async ``store_when_complete``."""
    try:
        async for chunk in chunks:
            yield chunk
    except BaseException:
        await chunks.aclose()  # `async for` does not forward aclose() the way `yield from` does
        raise
    await store()


def replay(codec: ProviderCodec, call: ProviderCall, response: HttpResponse) -> list[ModelResponseStream]:
    """Re-parse a stored streamed body into its chunks, with the live path's finish-chunk rule.

    Raises:
        APIError: when the stored body no longer parses (the caller treats it as a miss).
    """
    parser = codec.stream_parser(call)
    hold = FinishChunkHold()
    chunks = hold.push_all(parser.feed(response.content))
    chunks += hold.push_all(parser.finish())
    return chunks + hold.flush()


async def aiterate(chunks: list[ModelResponseStream]) -> AsyncGenerator[ModelResponseStream, None]:
    """Serve replayed chunks to an ``async for``."""
    for chunk in chunks:
        yield chunk

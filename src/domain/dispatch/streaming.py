"""From a streamed HTTP body to caller-facing chunks, the same way for every codec.

The codec's parser turns bytes into chunks; this module adds the cross-provider rules: usage
rides on the finish chunk (never a chunk without choices), the connection is released when the
caller stops early, a body that ends without its terminal event raises, every failure names the
provider and model, and the first chunk is read inside the attempt (``PrimedChunks``), so a
stream that fails before any chunk reached the caller is retried like any other attempt.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from contextlib import AsyncExitStack, ExitStack

from ...ports.codec import ProviderCall, StreamParser
from ...ports.transport import AsyncStreamingResponse, StreamingResponse
from ..models.stream import ModelResponseStream, StreamingChoices
from .retry import attributed


class FinishChunkHold:
    """Holds back the latest finish chunk so a trailing usage-only chunk can ride on it."""

    def __init__(self) -> None:
        self._held: ModelResponseStream | None = None

    def push(self, chunk: ModelResponseStream) -> list[ModelResponseStream]:
        """Accept the next chunk; return the chunks ready for the caller, in order."""
        if not chunk.choices:
            return self._attach_usage(chunk)
        ready = self._release()
        for choice in chunk.choices:
            if choice.finish_reason:
                self._held = chunk
                return ready
        ready.append(chunk)
        return ready

    def flush(self) -> list[ModelResponseStream]:
        """Release what is held at the end of the stream."""
        return self._release()

    def _attach_usage(self, chunk: ModelResponseStream) -> list[ModelResponseStream]:
        if chunk.usage is None:
            return []  # e.g. Azure's prompt-filter chunk: nothing a caller can use
        if self._held is not None:
            self._held.usage = chunk.usage
            return []
        # Usage with no finish chunk before it: give it an empty choice so choices[0] exists.
        chunk.choices = [StreamingChoices()]
        return [chunk]

    def _release(self) -> list[ModelResponseStream]:
        held, self._held = self._held, None
        return [held] if held is not None else []


def iter_chunks(
    response: StreamingResponse, parser: StreamParser, resources: ExitStack, call: ProviderCall
) -> Generator[ModelResponseStream, None, None]:
    """Yield chunks from a streamed response; closing the iterator closes ``resources``."""
    hold = FinishChunkHold()
    with resources, attributed(call):
        for data in response.iter_bytes():
            for chunk in parser.feed(data):
                yield from hold.push(chunk)
        for chunk in parser.finish():
            yield from hold.push(chunk)
        yield from hold.flush()


async def aiter_chunks(
    response: AsyncStreamingResponse, parser: StreamParser, resources: AsyncExitStack, call: ProviderCall
) -> AsyncGenerator[ModelResponseStream, None]:
    """Async ``iter_chunks``."""
    hold = FinishChunkHold()
    async with resources:
        with attributed(call):
            async for data in response.aiter_bytes():
                for chunk in parser.feed(data):
                    for ready in hold.push(chunk):
                        yield ready
            for chunk in parser.finish():
                for ready in hold.push(chunk):
                    yield ready
            for ready in hold.flush():
                yield ready


class PrimedChunks:
    """Chunks whose first one was read already: a failure before it happened inside the attempt.

    Args:
        chunks: The chunk generator (``iter_chunks``); closing this closes it.
    """

    def __init__(self, chunks: Generator[ModelResponseStream, None, None]) -> None:
        self._chunks = chunks
        self._first: list[ModelResponseStream] = []

    def prime(self) -> PrimedChunks:
        """Read the first chunk now; an error reading it propagates (and has released the body)."""
        try:
            self._first = [next(self._chunks)]
        except StopIteration:
            self._first = []
        return self

    def __iter__(self) -> PrimedChunks:
        return self

    def __next__(self) -> ModelResponseStream:
        return self._first.pop() if self._first else next(self._chunks)

    def close(self) -> None:
        """Close the underlying generator, releasing the connection."""
        self._first = []
        self._chunks.close()


class AsyncPrimedChunks:
    """Async ``PrimedChunks``."""

    def __init__(self, chunks: AsyncGenerator[ModelResponseStream, None]) -> None:
        self._chunks = chunks
        self._first: list[ModelResponseStream] = []

    async def prime(self) -> AsyncPrimedChunks:
        """Read the first chunk now; an error reading it propagates (and has released the body)."""
        try:
            self._first = [await anext(self._chunks)]
        except StopAsyncIteration:
            self._first = []
        return self

    def __aiter__(self) -> AsyncPrimedChunks:
        return self

    async def __anext__(self) -> ModelResponseStream:
        return self._first.pop() if self._first else await anext(self._chunks)

    async def aclose(self) -> None:
        """Close the underlying generator, releasing the connection."""
        self._first = []
        await self._chunks.aclose()

"""From a streamed HTTP body to caller-facing chunks, the same way for every codec.

The codec's parser turns bytes into chunks; this module adds the cross-provider rules: usage
rides on the finish chunk (never a chunk without choices), the connection is released when the
caller stops early, and a body that ends without its terminal event raises.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, ExitStack

from ...ports.codec import StreamParser
from ...ports.transport import AsyncStreamingResponse, StreamingResponse
from ..models.stream import ModelResponseStream, StreamingChoices


class FinishChunkHold:
    """Holds back the latest finish chunk so a trailing usage-only chunk can ride on it."""

    def __init__(self) -> None:
        self._held: ModelResponseStream | None = None

    def push_all(self, chunks: list[ModelResponseStream]) -> list[ModelResponseStream]:
        """Accept the next chunks (one parser call's); return those ready for the caller, in order."""
        ready: list[ModelResponseStream] = []
        # One call per network read and plain loops: this runs for every streamed chunk.
        for chunk in chunks:
            if not chunk.choices:
                ready += self._attach_usage(chunk)
                continue
            if self._held is not None:
                ready.append(self._held)
                self._held = None
            for choice in chunk.choices:
                if choice.finish_reason:
                    self._held = chunk
                    break
            else:
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
    response: StreamingResponse, parser: StreamParser, resources: ExitStack
) -> Iterator[ModelResponseStream]:
    """Yield chunks from a streamed response; closing the iterator closes ``resources``."""
    hold = FinishChunkHold()
    with resources:
        for data in response.iter_bytes():
            yield from hold.push_all(parser.feed(data))
        yield from hold.push_all(parser.finish())
        yield from hold.flush()


async def aiter_chunks(
    response: AsyncStreamingResponse, parser: StreamParser, resources: AsyncExitStack
) -> AsyncIterator[ModelResponseStream]:
    """Async ``iter_chunks``."""
    hold = FinishChunkHold()
    async with resources:
        async for data in response.aiter_bytes():
            for ready in hold.push_all(parser.feed(data)):
                yield ready
        for ready in hold.push_all(parser.finish()):
            yield ready
        for ready in hold.flush():
            yield ready

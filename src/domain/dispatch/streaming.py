"""From a streamed HTTP body to caller-facing chunks, the same way for every codec.

The codec's parser turns bytes into chunks; this module adds the cross-provider rules: usage
rides on the finish chunk (never a chunk without choices), the connection is released when the
caller stops early, a body that ends without its terminal event raises, every failure names the
provider and model, and the first chunk is read inside the attempt (``primed``), so a
stream that fails before any chunk reached the caller is retried like any other attempt.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from contextlib import AsyncExitStack, ExitStack
from itertools import chain

from ...ports.codec import ProviderCall, StreamParser
from ...ports.transport import AsyncStreamingResponse, HttpRequest, StreamingResponse
from ..models.frames import forget_locals
from ..models.stream import ModelResponseStream, StreamingChoices
from .retry import attributed
from .stream_watch import StreamWatch

Pricer = Callable[[ModelResponseStream], None]


class FinishChunkHold:
    """Holds back the latest finish chunk so a trailing usage-only chunk can ride on it.

    Args:
        price: Called with each chunk carrying usage as it is released (puts the cost on it).
    """

    def __init__(self, price: Pricer | None = None) -> None:
        self._held: ModelResponseStream | None = None
        self._price = price

    def push_all(self, chunks: list[ModelResponseStream]) -> list[ModelResponseStream]:
        """Accept the next chunks (one parser call's); return those ready for the caller, in order."""
        ready: list[ModelResponseStream] = []
        held = self._held
        # One call per network read, plain loops and locals: this runs for every streamed chunk.
        for chunk in chunks:
            choices = chunk.choices
            if not choices:
                self._held = held
                ready += self._attach_usage(chunk)
                continue
            if held is not None:
                ready.append(self._priced(held))
                held = None
            for choice in choices:
                if choice.finish_reason:
                    held = chunk
                    break
            else:
                ready.append(chunk)
        self._held = held
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
        return [self._priced(chunk)]

    def _release(self) -> list[ModelResponseStream]:
        held, self._held = self._held, None
        return [self._priced(held)] if held is not None else []

    def _priced(self, chunk: ModelResponseStream) -> ModelResponseStream:
        if self._price is not None and chunk.usage is not None:
            self._price(chunk)
        return chunk


def iter_chunks(
    response: StreamingResponse,
    parser: StreamParser,
    resources: ExitStack,
    call: ProviderCall,
    *,
    checks: StreamWatch,
    price: Pricer | None = None,
) -> Generator[ModelResponseStream, None, None]:
    """Yield chunks from a streamed response; closing the iterator closes ``resources``."""
    hold = FinishChunkHold(price)
    with resources, attributed(call):
        try:
            for chunks in _parsed(response.iter_bytes(), parser, checks):
                yield from hold.push_all(chunks)
            checks.end()
            # A failure the parser deferred (an error frame at the very end) is raised here.
            last = parser.finish()
        except Exception as error:
            forget_locals(error)  # the raw bytes read stay out of the traceback's locals
            raise
        yield from hold.push_all(last)
        yield from hold.flush()


def _parsed(
    pieces: Iterator[bytes], parser: StreamParser, watch: StreamWatch
) -> Iterator[list[ModelResponseStream]]:
    for data in pieces:
        valid = watch.feed(data)
        chunks = parser.feed(valid) if valid else []
        watch.chunks(chunks)
        yield chunks
        watch.failure()  # after the chunks before the failure are delivered


async def aiter_chunks(
    response: AsyncStreamingResponse,
    parser: StreamParser,
    resources: AsyncExitStack,
    call: ProviderCall,
    *,
    checks: StreamWatch,
    price: Pricer | None = None,
) -> AsyncGenerator[ModelResponseStream, None]:
    """Async ``iter_chunks``."""
    hold = FinishChunkHold(price)
    async with resources:
        with attributed(call):
            try:
                async for chunks in _aparsed(response.aiter_bytes(), parser, checks):
                    for ready in hold.push_all(chunks):
                        yield ready
                checks.end()
                last = parser.finish()
            except Exception as error:
                forget_locals(error)  # the raw bytes read stay out of the traceback's locals
                raise
            for ready in hold.push_all(last):
                yield ready
            for ready in hold.flush():
                yield ready


async def _aparsed(
    pieces: AsyncIterator[bytes], parser: StreamParser, watch: StreamWatch
) -> AsyncIterator[list[ModelResponseStream]]:
    async for data in pieces:
        valid = watch.feed(data)
        chunks = parser.feed(valid) if valid else []
        watch.chunks(chunks)
        yield chunks
        watch.failure()  # after the chunks before the failure are delivered


def lift(sent: HttpRequest) -> None:
    """End the deadline's hold on a stream whose first chunk has arrived (its read timeout governs now)."""
    if sent.budget is not None:
        sent.budget.lift()


def primed(
    chunks: Generator[ModelResponseStream, None, None],
) -> tuple[Iterator[ModelResponseStream], Callable[[], None]]:
    """Read the first chunk now, so a failure before it happens inside the attempt (and is retried).

    Returns:
        The whole stream (the first chunk, then the rest) and the function that closes it.
    """
    first = next(chunks, None)
    # chain() adds no Python frame per chunk; the generator itself stays what close() acts on.
    return (chunks if first is None else chain((first,), chunks)), chunks.close


class AsyncPrimedChunks:
    """Async ``primed``: chunks whose first one was read inside the attempt.

    Args:
        chunks: The chunk generator (``aiter_chunks``); closing this closes it.
    """

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

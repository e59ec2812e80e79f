"""The one framed-stream life cycle every codec shares (a ``StreamParser``).

Framer and decoder are the codec's choice; what happens around them is the same for all:
chunks decoded before a failure still reach the caller however the bytes were split (the
failure is raised on the next call), nothing is decoded after the terminal event or a failure,
and a body that ends before the terminal event raises ``APIConnectionError``: a stream never
ends silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from ....domain.models.errors import APIConnectionError, APIError
from ....domain.models.stream import ModelResponseStream
from ....ports.codec import ProviderCall
from ....ports.framing import FrameDecoder, Framer, FramingError
from ..errors import invalid_response

FrameT = TypeVar("FrameT")
CUT_MESSAGE = "the stream ended before it was complete"


class PlainFramer(Protocol[FrameT]):
    """A framer with a shortcut for reads made only of its plainest frames (SSE: single ``data:`` lines)."""

    def feed_plain(self, data: bytes) -> list[str] | None:
        """Return the payloads of the frames ``data`` completes, or None having consumed nothing."""
        ...

    def plain_frames(self, payloads: list[str]) -> list[FrameT]:
        """Return the frames those payloads stand for (when the decoder declines the shortcut)."""
        ...


class PlainDecoder(Protocol):
    """A decoder with a fast path for one read's plain payloads (the OpenAI codec has one)."""

    def decode_plain(self, payloads: list[str]) -> list[ModelResponseStream] | None:
        """Decode all payloads at once, or return None (having changed nothing) to decode frame by frame."""
        ...


class FramedStream(Generic[FrameT]):
    """Joins a ``Framer`` and a codec's ``FrameDecoder`` into a ``StreamParser``.

    Args:
        framer: Cuts the body into frames.
        decoder: Turns frames into chunks; its ``done`` marks the terminal event.
        call: The call being answered (names the provider and model in errors).
        cut_message: What the error says when the body ends before the terminal event.
    """

    def __init__(
        self,
        framer: Framer[FrameT],
        decoder: FrameDecoder[FrameT],
        call: ProviderCall,
        cut_message: str = CUT_MESSAGE,
    ) -> None:
        self._framer = framer
        self._decoder = decoder
        self._call = call
        self._cut_message = cut_message
        self._failure: APIError | None = None
        # The shortcut, when both halves have one: a read's payloads go to the decoder without a
        # frame object each (the OpenAI stream's every read).
        shortcut = hasattr(framer, "feed_plain") and hasattr(decoder, "decode_plain")
        self._plain: tuple[PlainFramer[FrameT], PlainDecoder] | None = (
            (framer, decoder) if shortcut else None  # type: ignore[assignment]
        )

    def feed(self, data: bytes) -> list[ModelResponseStream]:
        """Consume bytes (split anywhere); return the chunks they complete."""
        if self._failure is not None:  # checked inline: this runs for every network read
            self._raise_pending()
        if self._plain is not None and not self._decoder.done:
            plain_framer, plain_decoder = self._plain
            payloads = plain_framer.feed_plain(data)
            if payloads is not None:
                chunks = plain_decoder.decode_plain(payloads)
                return self._collect(plain_framer.plain_frames(payloads)) if chunks is None else chunks
        try:
            frames = self._framer.feed(data)
        except FramingError as error:
            chunks = self._collect(error.frames)
            self._fail(invalid_response(f"the stream is malformed: {error}", data, self._call))
            return chunks
        return self._collect(frames)

    def finish(self) -> list[ModelResponseStream]:
        """Flush at end of body; raise ``APIConnectionError`` when the stream was cut short."""
        self._raise_pending()
        try:
            chunks = self._collect(self._framer.finish())
        except FramingError:
            chunks = []  # the body ended inside a frame: a cut, reported below
        if not self._decoder.done:
            chunks += self._decoder.finish()  # may set done: a dialect's own end rule
        if not self._decoder.done:
            # A half-received last frame is a symptom of the cut, not a malformed answer.
            raise APIConnectionError(self._cut_message, self._call.provider, self._call.request.model)
        self._raise_pending()
        return chunks

    def _collect(self, frames: Sequence[Any]) -> list[ModelResponseStream]:
        chunks: list[ModelResponseStream] = []
        decoder = self._decoder
        for frame in frames:
            if decoder.done or self._failure is not None:
                break
            try:
                chunks += decoder.decode(frame)
            except APIError as failure:
                self._failure = failure
        return chunks

    def _fail(self, failure: APIError) -> None:
        if self._failure is None:
            self._failure = failure

    def _raise_pending(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

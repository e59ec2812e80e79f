"""Stream framing split from decoding: bytes split anywhere → frames → chunks.

A ``Framer`` knows a body's framing (SSE events, NDJSON lines, the elements of one JSON array,
AWS event-stream messages) and nothing of what the frames mean; a codec's ``FrameDecoder``
turns one frame into chunks and says when the terminal event was seen. One framed-stream life
cycle (``adapters.providers.framing.FramedStream``) joins the two for every codec.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from ..domain.models.stream import ModelResponseStream

FrameT = TypeVar("FrameT")
FrameT_contra = TypeVar("FrameT_contra", contravariant=True)


class FramingError(ValueError):
    """The body is not framed as promised (garbage between JSON-array elements, after its end...).

    Attributes:
        frames: The frames completed before the garbage, in order: they are still delivered.
    """

    def __init__(self, message: str, frames: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.frames = list(frames)


@runtime_checkable
class Framer(Protocol[FrameT]):
    """Turns bytes split anywhere into complete frames; linear time in the length of a frame."""

    def feed(self, data: bytes) -> list[FrameT]:
        """Consume the next bytes and return the frames they complete.

        Raises:
            FramingError: when the bytes cannot be framed (its ``frames`` are those completed first).
        """
        ...

    def finish(self) -> list[FrameT]:
        """At end of body: return the last frame if the framing lets it end unterminated.

        Raises:
            FramingError: for leftover bytes that cannot be a frame.
        """
        ...


@runtime_checkable
class FrameDecoder(Protocol[FrameT_contra]):
    """A codec's half of a framed stream: one frame in, chunks out, and the terminal event.

    Frames after ``done`` are not decoded.
    """

    def decode(self, frame: FrameT_contra) -> list[ModelResponseStream]:
        """Return the chunks one frame makes; raise the mapped ``APIError`` for an error frame."""
        ...

    @property
    def done(self) -> bool:
        """Whether the terminal event was seen (the stream may end, later frames are ignored)."""
        ...

    def finish(self) -> list[ModelResponseStream]:
        """Return any last chunks at end of body.

        A dialect that may end without a terminal event sets ``done`` here when the stream is
        complete by its own rule.
        """
        ...

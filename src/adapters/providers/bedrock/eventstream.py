"""The AWS event-stream framer: bytes split anywhere → complete frames, decoded by botocore.

``botocore.eventstream.EventStreamBuffer`` checks the prelude and message CRC32s, the header
encoding and the length limits (16 MiB payload, 128 KiB headers), so memory stays bounded
whatever a server sends. This framer adds what the framed-stream life cycle needs around it:
frames as plain ``(headers, payload)`` values, a frame that claims less than its own prelude
refused (botocore would read past it), and bytes left over at the end of the body reported.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any, NamedTuple

from ....ports.framing import FramingError
from ._botocore import botocore

_MIN_FRAME = 16  # prelude (12) + message CRC (4)


class EventFrame(NamedTuple):
    """One event-stream message: its headers (``:message-type``, ``:event-type``...) and payload."""

    headers: Mapping[str, Any]
    payload: bytes


class AWSEventStreamFramer:
    """Turns an ``application/vnd.amazon.eventstream`` body, fed in pieces, into ``EventFrame``s."""

    def __init__(self) -> None:
        module = botocore("eventstream")
        self._buffer = module.EventStreamBuffer()
        self._parser_error: type[Exception] = module.ParserError
        self._pending = 0

    def feed(self, data: bytes) -> list[EventFrame]:
        """Consume ``data``; return the frames it completes.

        Raises:
            FramingError: when the bytes break the encoding (its ``frames`` were complete before).
        """
        if not data:
            return []
        self._buffer.add_data(data)
        self._pending += len(data)
        frames: list[EventFrame] = []
        try:
            for message in self._buffer:
                length = message.prelude.total_length
                if length < _MIN_FRAME:
                    raise FramingError(f"an event-stream frame claims {length} bytes", frames)
                self._pending -= length
                frames.append(EventFrame(dict(message.headers), bytes(message.payload)))
        except (self._parser_error, struct.error, UnicodeDecodeError) as error:
            # struct.error: botocore reads past a frame that claims less than its own prelude.
            raise FramingError(f"the event stream is malformed ({type(error).__name__})", frames) from None
        return frames

    def finish(self) -> list[EventFrame]:
        """End of body: raise when part of a frame is still waiting for bytes that will not come.

        Raises:
            FramingError: for leftover bytes.
        """
        if self._pending:
            raise FramingError(f"the event stream ended inside a frame ({self._pending} bytes left)")
        return []

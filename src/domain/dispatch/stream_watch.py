"""Watching a streamed body as it arrives: the size of one line or event, and idle time.

The checks run on the bytes before any parser sees them, whatever the codec: text that is not
UTF-8 raises ``APIResponseValidationError`` (as a whole body does); a line (any
streamed text) or an event (server-sent events: up to a blank line) larger than
``max_event_bytes`` raises ``APIResponseValidationError``, so a parser never buffers more; a
stream that goes ``idle`` seconds without a chunk raises ``Timeout``, however many keep-alive
comments or empty events keep its socket busy. Both cost time linear in the bytes received.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Mapping

from ...ports.clock import Clock
from ..models.errors import APIResponseValidationError, Timeout
from ..models.stream import ModelResponseStream

# Any two line ends in a row, except CR LF (one line end), close an event (a blank line).
_BLANK_LINES = (b"\n\n", b"\r\r", b"\n\r")
_BINARY_TYPES = ("application/vnd.amazon.eventstream", "application/octet-stream")
_BINARY_FRAMINGS = frozenset({"aws_eventstream"})


class StreamWatch:
    """Checks one streamed body: line and event sizes, and the time since the last chunk.

    Args:
        headers: The response headers (a binary ``content-type`` turns the text checks off).
        max_event_bytes: The largest line, or event for ``text/event-stream``.
        idle: Seconds a stream may go without a chunk (``math.inf``: no limit).
        clock: The dispatcher's clock.
        framing: The host's stream framing: ``"sse"`` bounds events, ``"aws_eventstream"`` is binary.
    """

    __slots__ = (
        "_clock",
        "_event",
        "_events",
        "_idle",
        "_invalid",
        "_last",
        "_limit",
        "_line",
        "_lines",
        "_tail",
        "_utf8",
    )

    def __init__(
        self,
        headers: Mapping[str, str],
        max_event_bytes: int,
        idle: float,
        clock: Clock,
        framing: str = "sse",
    ) -> None:
        kind = headers.get("content-type", "").lower()
        # Binary framings (AWS event streams) are bounded by their framer and carry no text.
        self._lines = framing not in _BINARY_FRAMINGS and not kind.startswith(_BINARY_TYPES)
        self._events = self._lines and (framing == "sse" or "event-stream" in kind)
        self._limit = max_event_bytes
        self._idle = idle
        self._clock = clock
        self._last = clock.monotonic()
        self._line = 0
        self._event = 0
        self._tail = b""
        self._utf8 = codecs.getincrementaldecoder("utf-8")() if self._lines else None
        self._invalid = False

    def feed(self, data: bytes) -> bytes:
        """Account for the next bytes; raise when a line or event outgrows the limit.

        Returns:
            The bytes for the parser: all of them, or those before the first byte that is not
            UTF-8 (``failure()`` then raises, once the events before it are delivered).
        """
        if self._utf8 is None or not data:
            return data
        data = self._valid_utf8(data, final=False)
        end = max(data.rfind(b"\n"), data.rfind(b"\r"))
        self._line = self._line + len(data) if end < 0 else len(data) - end - 1
        if self._line > self._limit:
            raise self._too_large("line")
        if self._events:
            joined = self._tail + data
            blank = max(joined.rfind(pair) + 2 if pair in joined else 0 for pair in _BLANK_LINES)
            self._event = self._event + len(data) if blank == 0 else len(joined) - blank
            self._tail = data[-1:]
            if self._event > self._limit:
                raise self._too_large("event")
        return data

    def end(self) -> None:
        """Check the end of the body: a character cut short there is invalid UTF-8 too."""
        if self._utf8 is not None:
            self._valid_utf8(b"", final=True)
        self.failure()

    def failure(self) -> None:
        """Raise for invalid UTF-8 met in the bytes fed so far (one rule with bodies: a malformed answer)."""
        if self._invalid:
            raise APIResponseValidationError("the streamed answer is not valid UTF-8")

    def _valid_utf8(self, data: bytes, *, final: bool) -> bytes:
        decoder = self._utf8
        if decoder is None or self._invalid:
            return b""
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(data, final)
        except UnicodeDecodeError as error:
            self._invalid = True
            return data[: max(error.start - pending, 0)]
        return data

    def chunks(self, chunks: list[ModelResponseStream]) -> None:
        """Note what the parser made of the bytes; raise ``Timeout`` when idle for too long."""
        now = self._clock.monotonic()
        if any(chunk.choices or chunk.usage is not None for chunk in chunks):
            self._last = now
        elif now - self._last > self._idle:
            raise Timeout(
                f"the stream sent no chunk for {now - self._last:.3g} s (stream_idle_timeout "
                f"{self._idle:g} s; keep-alive comments and empty events do not count)"
            )

    def _too_large(self, what: str) -> APIResponseValidationError:
        return APIResponseValidationError(
            f"a streamed {what} exceeded max_event_bytes ({self._limit} bytes) before it ended"
        )


WatchFactory = Callable[[Mapping[str, str]], StreamWatch]

"""An incremental server-sent-events decoder: bytes split anywhere in, complete events out."""

from __future__ import annotations

from typing import NamedTuple

_LINE_ENDS = (b"\n", b"\r")


class SSEEvent(NamedTuple):
    """One dispatched event: its ``event:`` name (default ``message``) and joined ``data:`` lines."""

    event: str
    data: str


class SSEDecoder:
    """Decodes an SSE body fed in arbitrary pieces (a piece may end mid-line or mid-character).

    Follows the WHATWG rules: lines end with LF, CR or CRLF; ``:`` starts a comment; a blank
    line dispatches the event; a single space after the field colon is dropped.
    """

    def __init__(self) -> None:
        self._pending = b""
        self._event = ""
        self._data: list[str] = []

    def feed(self, piece: bytes) -> list[SSEEvent]:
        """Consume ``piece`` and return the events it completes."""
        lines = (self._pending + piece).splitlines(keepends=True)
        # A last line without its terminator, or ending in CR (maybe half of CRLF), waits for more.
        if lines and (not lines[-1].endswith(_LINE_ENDS) or lines[-1].endswith(b"\r")):
            self._pending = lines.pop()
        else:
            self._pending = b""
        events: list[SSEEvent] = []
        for line in lines:
            event = self._line(line.rstrip(b"\r\n"))
            if event is not None:
                events.append(event)
        return events

    def finish(self) -> list[SSEEvent]:
        """Flush at end of body; an event not closed by a blank line is still dispatched."""
        events: list[SSEEvent] = []
        if self._pending:
            event = self._line(self._pending.rstrip(b"\r\n"))
            self._pending = b""
            if event is not None:
                events.append(event)
        final = self._dispatch()
        if final is not None:
            events.append(final)
        return events

    def _line(self, raw: bytes) -> SSEEvent | None:
        if not raw:
            return self._dispatch()
        if raw.startswith(b"data:"):  # nearly every line: skip the general parse
            payload = raw[6:] if raw.startswith(b"data: ") else raw[5:]
            self._data.append(payload.decode("utf-8", errors="replace"))
            return None
        line = raw.decode("utf-8", errors="replace")
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        return None

    def _dispatch(self) -> SSEEvent | None:
        if not self._data:
            self._event = ""
            return None
        event = SSEEvent(self._event or "message", "\n".join(self._data))
        self._event, self._data = "", []
        return event

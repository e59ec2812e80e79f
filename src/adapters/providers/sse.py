"""The server-sent-events framer: bytes split anywhere in, complete events out.

Linear time in the length of a line: the bytes of an unfinished line are kept as a list of
pieces and only new bytes are searched for a line end, so a 16 MB ``data:`` line read in 64 KB
pieces is joined once, not copied and re-split at every piece.
"""

from __future__ import annotations

from typing import NamedTuple

_new_event = tuple.__new__
_join = b"".join  # every join of held bytes goes through here (tests count what it copies)


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
        self._pending: list[bytes] = []  # an unfinished line, in pieces (joined once it ends)
        self._event = ""
        self._data: list[str] = []

    def feed(self, piece: bytes) -> list[SSEEvent]:
        """Consume ``piece`` and return the events it completes."""
        if b"\n" not in piece and b"\r" not in piece:
            if piece:
                self._pending.append(piece)  # no line ends here: only the new bytes were searched
            return []
        buffer = self._buffer(piece)
        lines = buffer.splitlines()  # bytes split at LF, CR and CRLF only
        self._pending = _unfinished(buffer, lines)
        events: list[SSEEvent] = []
        data = self._data  # `_line` appends to the same list
        # This loop runs twice per streamed chunk: the `data:` and blank lines are handled
        # inline, and an event is made without NamedTuple's Python-level __new__.
        for line in lines:
            if line.startswith(b"data: "):
                data.append(line[6:].decode("utf-8", "replace"))
            elif line:
                self._line(line)
            elif data:
                events.append(_new_event(SSEEvent, (self._event or "message", "\n".join(data))))
                self._event = ""
                data = self._data = []
            else:
                self._event = ""
        return events

    def feed_plain(self, piece: bytes) -> list[str] | None:
        """Consume ``piece`` when the events it completes are all single ``data: `` lines; return their data.

        That is every event of an OpenAI stream. The data comes straight out of one split of
        the decoded text, without a line loop or an ``SSEEvent`` per event. Anything else (a
        comment, an ``event:`` field, a CR, a multi-line event, an event begun in an earlier
        piece) returns None and consumes nothing: ``feed`` then decodes the piece.
        """
        pending = self._pending
        # Held bytes hold no line end (but a lone CR): an event completes in the new bytes only.
        end = piece.rfind(b"\n\n")
        if end < 0 or self._data or self._event or b"\r" in piece or (pending and pending[-1] == b"\r"):
            return None
        buffer = _join((*pending, piece)) if pending else piece
        end += len(buffer) - len(piece)
        head = buffer[:end]
        texts = head[6:].decode("utf-8", "replace").split("\n\ndata: ")
        # Newlines only in the separators: each event is one `data: ` line. (Joining and
        # searching is several times faster than counting the newlines.)
        if not head.startswith(b"data: ") or "\n" in "".join(texts):
            return None
        self._pending = []
        self.feed(buffer[end + 2 :])  # lines of an unfinished event: they complete none
        return texts

    def finish(self) -> list[SSEEvent]:
        """Flush at end of body; an event not closed by a blank line is still dispatched."""
        events: list[SSEEvent] = []
        if self._pending:
            event = self._line(_join(self._pending).rstrip(b"\r\n"))
            self._pending = []
            if event is not None:
                events.append(event)
        final = self._dispatch()
        if final is not None:
            events.append(final)
        return events

    def _buffer(self, piece: bytes) -> bytes:
        """Return the held bytes and ``piece``, joined (once per completed line)."""
        if not self._pending:
            return piece
        self._pending.append(piece)
        return _join(self._pending)

    def _line(self, raw: bytes) -> SSEEvent | None:
        if not raw:
            return self._dispatch()
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


def _unfinished(buffer: bytes, lines: list[bytes]) -> list[bytes]:
    """Pop and return (as held pieces) the last line when it must wait for more bytes.

    That is a line without its terminator, or one ending in CR (maybe half of a CRLF), which
    then keeps its CR.
    """
    if not buffer or buffer.endswith(b"\n"):
        return []
    last = lines.pop()
    return [last, b"\r"] if buffer.endswith(b"\r") else [last]


class SSEFramer:
    """The ``Framer`` of SSE bodies: frames are ``SSEEvent``s.

    Its shortcut (``feed_plain``, used by ``FramedStream`` when the decoder has one too) gives a
    read made only of single-line ``data:`` events (every read of an OpenAI stream) as the
    events' data, without an ``SSEEvent`` each.
    """

    def __init__(self) -> None:
        self._decoder = SSEDecoder()
        self.feed_plain = self._decoder.feed_plain

    def feed(self, data: bytes) -> list[SSEEvent]:
        """Consume bytes; return the events they complete."""
        texts = self._decoder.feed_plain(data)
        if texts is None:
            return self._decoder.feed(data)
        return self.plain_frames(texts)

    def plain_frames(self, payloads: list[str]) -> list[SSEEvent]:
        """Return the ``message`` events whose data ``payloads`` are (what ``feed_plain`` gave)."""
        return [_new_event(SSEEvent, ("message", text)) for text in payloads]

    def finish(self) -> list[SSEEvent]:
        """Flush at end of body; an event not closed by a blank line is still dispatched."""
        return self._decoder.finish()

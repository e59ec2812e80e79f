"""An incremental server-sent-events decoder: bytes split anywhere in, complete events out."""

from __future__ import annotations

from typing import NamedTuple

from ...domain.models.errors import APIConnectionError, APIError
from ...domain.models.stream import ModelResponseStream
from ...ports.codec import ProviderCall

_new_event = tuple.__new__


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
        buffer = self._pending + piece
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
        buffer = self._pending + piece
        end = buffer.rfind(b"\n\n")
        if end < 0 or self._data or self._event or b"\r" in buffer:
            return None
        head = buffer[:end]
        texts = head[6:].decode("utf-8", "replace").split("\n\ndata: ")
        # Newlines only in the separators: each event is one `data: ` line. (Joining and
        # searching is several times faster than counting the newlines.)
        if not head.startswith(b"data: ") or "\n" in "".join(texts):
            return None
        self._pending = b""
        self.feed(buffer[end + 2 :])  # lines of an unfinished event: they complete none
        return texts

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


def _unfinished(buffer: bytes, lines: list[bytes]) -> bytes:
    """Pop and return the last line when it must wait for more bytes.

    That is a line without its terminator, or one ending in CR (maybe half of a CRLF), which
    then keeps its CR.
    """
    if not buffer or buffer.endswith(b"\n"):
        return b""
    last = lines.pop()
    return last + b"\r" if buffer.endswith(b"\r") else last


class SSEStreamParser:
    """The life cycle every SSE-based stream parser shares (a ``StreamParser``).

    Chunks decoded before a failure still reach the caller, however the bytes were split; the
    failure is raised on the next call. A body that ends before the codec's terminal event
    raises ``APIConnectionError``: a stream never ends silently. Subclasses decode one event
    (``_event``) and say when the stream is over (``_stopped``) and complete (``_complete``).
    """

    cut_message = "the stream ended before it was complete"

    def __init__(self, call: ProviderCall) -> None:
        self._call = call
        self._sse = SSEDecoder()
        self._failure: APIError | None = None

    def feed(self, data: bytes) -> list[ModelResponseStream]:
        """Consume bytes; return the chunks they complete."""
        self._raise_pending()
        return self._collect(self._sse.feed(data))

    def finish(self) -> list[ModelResponseStream]:
        """Flush; raise ``APIConnectionError`` when the stream was cut short."""
        self._raise_pending()
        chunks = self._collect(self._sse.finish())
        if not self._complete():
            # A half-received last event is a symptom of the cut, not a malformed answer.
            raise APIConnectionError(self.cut_message, self._call.provider, self._call.request.model)
        self._raise_pending()
        return chunks

    def _event(self, event: SSEEvent) -> list[ModelResponseStream]:
        raise NotImplementedError

    def _stopped(self) -> bool:
        raise NotImplementedError

    def _complete(self) -> bool:
        return self._stopped()

    def _raise_pending(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _collect(self, events: list[SSEEvent]) -> list[ModelResponseStream]:
        chunks: list[ModelResponseStream] = []
        for event in events:
            if self._stopped() or self._failure is not None:
                break
            try:
                chunks += self._event(event)
            except APIError as failure:
                self._failure = failure
        return chunks

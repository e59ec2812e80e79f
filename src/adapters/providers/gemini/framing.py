r"""Gemini's two stream framings, told apart by the first byte: SSE (``alt=sse``) or one JSON array.

Without ``alt=sse`` Gemini (and Vertex's ``$alt=json``) streams ``[{...}\\n,\\r\\n{...}\\n]``: one
JSON array whose elements arrive as they are generated. ``JSONValuesFramer`` cuts it into its
elements incrementally (brace counting outside strings, linear in the input), and takes a bare
object or a run of objects too (an error body answered to a stream). Both framers hand out
``SSEEvent``s, so one frame decoder and the shared SSE life cycle serve both forms.
"""

from __future__ import annotations

import re

from ..sse import SSEDecoder, SSEEvent

_OPEN, _QUOTE, _BACKSLASH = 0x7B, 0x22, 0x5C
_STRUCTURE = re.compile(rb'[{}"]')  # what changes the depth outside a string
_IN_STRING = re.compile(rb'["\\]')  # what ends a string or escapes its next byte
_VALUE_START = re.compile(rb"[^ \t\r\n,\[\]]")  # between values: blanks, commas and the array's brackets
GARBAGE = "garbage"
"""The event name of bytes outside any JSON value (the frame decoder rejects it)."""


class JSONValuesFramer:
    """Cuts a streamed JSON array (or a run of JSON objects) into its top-level objects.

    Only the bytes that matter (braces, quotes, backslashes) are visited, by regex search, and
    an unfinished object is kept as a list of pieces: linear in the input however it is split.
    """

    def __init__(self) -> None:
        self._pieces: list[bytes] = []
        self._depth = 0
        self._in_string = False
        self._escaped = False

    def feed(self, data: bytes) -> list[SSEEvent]:
        """Consume bytes split anywhere; return the objects they complete, as ``message`` events."""
        events: list[SSEEvent] = []
        start, position = 0, 0
        while position < len(data):
            if self._depth == 0:
                found = _VALUE_START.search(data, position)
                if found is None:
                    return events
                if data[found.start()] != ord("{"):
                    events.append(
                        SSEEvent(GARBAGE, data[found.start() : found.start() + 80].decode("utf-8", "replace"))
                    )
                    return events
                start, position, self._depth = found.start(), found.start() + 1, 1
                continue
            position = self._scan(data, position)
            if position < 0:
                break
            if self._depth == 0:
                self._pieces.append(data[start:position])
                events.append(SSEEvent("message", b"".join(self._pieces).decode("utf-8", "replace")))
                self._pieces = []
        if self._depth:
            self._pieces.append(data[start:])
        return events

    def _scan(self, data: bytes, position: int) -> int:
        """Advance through one object; return where it ends (depth 0), or -1 at the end of ``data``."""
        while True:
            if self._escaped:
                if position >= len(data):
                    return -1
                self._escaped, position = False, position + 1
            pattern = _IN_STRING if self._in_string else _STRUCTURE
            found = pattern.search(data, position)
            if found is None:
                return -1
            byte, position = data[found.start()], found.start() + 1
            if byte == _BACKSLASH:
                self._escaped = True
            elif byte == _QUOTE:
                self._in_string = not self._in_string
            elif byte == _OPEN:
                self._depth += 1
            else:
                self._depth -= 1
                if self._depth == 0:
                    return position

    def finish(self) -> list[SSEEvent]:
        """End of body: an unfinished object is left for the life cycle to report as a cut."""
        return []


class SniffingFramer:
    """Picks the framing from the first non-blank byte: ``[`` or ``{`` → JSON values, else SSE."""

    def __init__(self) -> None:
        self._framer: SSEDecoder | JSONValuesFramer | None = None

    def feed(self, data: bytes) -> list[SSEEvent]:
        """Consume bytes; return the frames they complete."""
        if self._framer is None:
            head = data.lstrip()
            if not head:
                return []
            self._framer = JSONValuesFramer() if head[:1] in (b"[", b"{") else SSEDecoder()
            data = head
        return self._framer.feed(data)

    def finish(self) -> list[SSEEvent]:
        """Flush at end of body."""
        return self._framer.finish() if self._framer is not None else []

"""The incremental JSON-array framer: ``[ {...}, {...} ]`` fed in pieces, one frame per element.

Gemini without ``alt=sse`` streams its answer as one JSON array whose elements arrive over time.
"""

from __future__ import annotations

import re

from ....ports.framing import FramingError

_join = b"".join  # every join of held bytes goes through here (tests count what it copies)
_NON_SPACE = re.compile(rb"[^ \t\r\n]")
_STRUCTURE = re.compile(rb'["{}\[\]]')  # what matters inside an element, outside its strings
_STRING_END = re.compile(rb'["\\]')  # what matters inside a string
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN, _CLOSE = frozenset(b"{["), frozenset(b"}]")


class JSONArrayFramer:
    """Frames the elements (objects or arrays) of one top-level JSON array.

    Each byte is looked at once: the framer tracks nesting depth and strings (with their
    escapes) across pieces and keeps an unfinished element as a list of pieces, so an element
    costs linear time however it is split. Frames are the elements' JSON text; parsing them is
    the decoder's job.
    """

    def __init__(self) -> None:
        self._state = "start"  # start, open (after "[" or ","), after (an element), end
        self._elements = 0
        self._depth = 0
        self._in_string = False
        self._escape = False
        self._held: list[bytes] = []

    def feed(self, data: bytes) -> list[str]:
        """Consume ``data`` and return the elements it completes.

        Raises:
            FramingError: for bytes that cannot belong to the array (its ``frames`` are still valid).
        """
        frames: list[str] = []
        start, index, size = 0, 0, len(data)
        try:
            while index < size:
                if self._depth:
                    index = self._scan(data, index)
                    if not self._depth:
                        frames.append(self._element(data[start:index]))
                    continue
                found = _NON_SPACE.search(data, index)
                if found is None:
                    break
                start = index = found.start()
                index = self._between(data[index], index)
        except FramingError as error:
            raise FramingError(str(error), frames) from None
        if self._depth:
            self._held.append(data[start:])
        return frames

    def finish(self) -> list[str]:
        """Check the array was closed.

        Raises:
            FramingError: when the body ended inside the array (a cut stream).
        """
        if self._state not in ("end", "start"):
            raise FramingError("the body ended inside the JSON array")
        return []

    def _between(self, byte: int, index: int) -> int:
        state = self._state
        if state == "start" and byte == ord("["):
            self._state = "open"
        elif state in ("open", "after") and byte == ord("]") and (state == "after" or not self._elements):
            self._state = "end"
        elif state == "after" and byte == ord(","):
            self._state = "open"
        elif state == "open" and byte in _OPEN:
            self._depth = 1
        else:
            raise FramingError(f"unexpected {chr(byte)!r} in a JSON-array stream ({state})")
        return index + 1

    def _scan(self, data: bytes, index: int) -> int:
        """Advance through an element; return where scanning stopped (just past its end, or len)."""
        size = len(data)
        while index < size:
            if self._escape:
                self._escape, index = False, index + 1
                continue
            found = (_STRING_END if self._in_string else _STRUCTURE).search(data, index)
            if found is None:
                return size
            byte, index = data[found.start()], found.end()
            if byte == _BACKSLASH:
                self._escape = True
            elif byte == _QUOTE:
                self._in_string = not self._in_string
            elif byte in _OPEN:
                self._depth += 1
            elif byte in _CLOSE:
                self._depth -= 1
                if not self._depth:
                    return index
        return index

    def _element(self, tail: bytes) -> str:
        if self._held:
            self._held.append(tail)
            tail, self._held = _join(self._held), []
        self._state = "after"
        self._elements += 1
        return tail.decode("utf-8", "replace")

"""The NDJSON framer: one frame per line (Ollama's stream)."""

from __future__ import annotations

_join = b"".join  # every join of held bytes goes through here (tests count what it copies)


class LineFramer:
    """Frames a body of lines fed in arbitrary pieces; blank lines are skipped.

    Lines end with LF (a CR before it is dropped). Bytes of an unfinished line are kept as a
    list of pieces and only the new bytes are searched, so a line costs linear time however
    many pieces it arrives in. Frames are the lines' text (UTF-8, undecodable bytes replaced):
    a piece may end mid-character, a line never does.
    """

    def __init__(self) -> None:
        self._held: list[bytes] = []

    def feed(self, data: bytes) -> list[str]:
        """Consume ``data`` and return the lines it completes."""
        end = data.rfind(b"\n")
        if end < 0:
            if data:
                self._held.append(data)
            return []
        head = data[: end + 1]
        if self._held:
            self._held.append(head)
            head = _join(self._held)
        self._held = [data[end + 1 :]] if end + 1 < len(data) else []
        return _lines(head.split(b"\n"))

    def finish(self) -> list[str]:
        """Return the last line when the body did not end with a newline."""
        held, self._held = _join(self._held), []
        return _lines([held])


def _lines(raw: list[bytes]) -> list[str]:
    lines: list[str] = []
    for line in raw:
        text = line.decode("utf-8", "replace").strip()
        if text:
            lines.append(text)
    return lines

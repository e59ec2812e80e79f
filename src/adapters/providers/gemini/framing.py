"""Gemini's two stream framings, told apart by the first byte: SSE (``alt=sse``) or one JSON array.

Without ``alt=sse`` Gemini (and Vertex's ``$alt=json``) streams one JSON array whose elements
arrive as they are generated; with it, SSE ``data:`` events. Both framers are the shared ones;
this one only picks, so one frame decoder serves both forms (and proxies that drop ``alt=sse``).
"""

from __future__ import annotations

from ..framing import JSONArrayFramer, SSEEvent, SSEFramer


class SniffingFramer:
    """Frames with ``JSONArrayFramer`` when the body starts with ``[``, else with ``SSEFramer``."""

    def __init__(self) -> None:
        self._framer: SSEFramer | JSONArrayFramer | None = None

    def feed(self, data: bytes) -> list[SSEEvent] | list[str]:
        """Consume bytes split anywhere; return the frames they complete.

        Raises:
            FramingError: for bytes that cannot belong to the JSON array.
        """
        if self._framer is None:
            head = data.lstrip()
            if not head:
                return []
            self._framer = JSONArrayFramer() if head[:1] == b"[" else SSEFramer()
            data = head
        return self._framer.feed(data)

    def finish(self) -> list[SSEEvent] | list[str]:
        """Flush at end of body (a JSON array left open raises ``FramingError``)."""
        return self._framer.finish() if self._framer is not None else []

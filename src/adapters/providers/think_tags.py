"""Reasoning written inline as ``<think>…</think>`` at the start of a model's text, split out as litellm does.

Some open models (DeepSeek-R1 distills, Qwen3 with thinking on) put their reasoning in the
answer text itself when the server does not separate it (Ollama with ``think`` off). litellm
moves that block into ``reasoning_content``; so does ``ThinkTagSplitter``, piece by piece, so a
stream and a whole answer split the same way even when a tag arrives cut across pieces.
"""

from __future__ import annotations

OPEN = "<think>"
CLOSE = "</think>"


class ThinkTagSplitter:
    """Splits a text given in pieces into (reasoning, content) pieces.

    Only a block opening the text counts (after leading whitespace): a ``<think>`` later in an
    answer is the answer's own text. An opening block never closed is reasoning to the end.
    """

    def __init__(self) -> None:
        # "start": nothing but whitespace yet; "thinking": inside the block; "after": the block
        # closed, no answer text yet; "content": the answer, passed through.
        self._state = "start"
        self._held = ""  # text that may be the beginning of a tag

    def feed(self, piece: str) -> tuple[str, str]:
        """Take the next piece; return the (reasoning, content) text it releases."""
        if self._state == "content":
            return "", piece
        if self._state == "after":
            # The models put a blank line after the block; it is not part of the answer.
            piece = piece.lstrip()
            self._state = "content" if piece else "after"
            return "", piece
        text, self._held = self._held + piece, ""
        if self._state == "start":
            return self._start(text)
        return self._thinking(text)

    def flush(self) -> tuple[str, str]:
        """At the end of the text: release what was held."""
        held, self._held = self._held, ""
        if self._state == "thinking":
            return held, ""
        self._state = "content"
        return "", held

    def _start(self, text: str) -> tuple[str, str]:
        opening = text.lstrip()
        if opening.startswith(OPEN):
            self._state = "thinking"
            return self._thinking(opening[len(OPEN) :])
        if OPEN.startswith(opening):  # whitespace, or a tag not complete yet
            self._held = text
            return "", ""
        self._state = "content"
        return "", text

    def _thinking(self, text: str) -> tuple[str, str]:
        end = text.find(CLOSE)
        if end >= 0:
            self._state = "after"
            return text[:end], self.feed(text[end + len(CLOSE) :])[1]
        keep = _partial_tag(text, CLOSE)
        self._held = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep], ""


def _partial_tag(text: str, tag: str) -> int:
    """Return the length of the longest end of ``text`` that begins ``tag`` (0 when none)."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0

"""A stand-in for llama-cpp-python's ``Llama``: OpenAI-shaped dicts and chunks, every call recorded.

It answers ``echo: <last user message>`` one word per token, honours ``max_tokens``, and drives
a ``logits_processor`` once per sampling step as llama.cpp does (one more step for the
end-of-text token when the answer ends by itself).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROMPT_TOKENS = 7


class FakeLlama:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.calls: list[dict[str, Any]] = []
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()
        self.gate: threading.Event | None = None
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def create_chat_completion(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        words, finish = self._words(kwargs)
        if kwargs["stream"]:
            return self._chunks(kwargs, words, finish)
        with self._busy():
            if self.gate is not None and not self.gate.wait(5):
                raise RuntimeError("the gate was never opened: the event loop was blocked")
            self._drive(kwargs, words, finish)
            return {
                "id": f"chatcmpl-{len(self.calls)}",
                "object": "chat.completion",
                "created": 1700000000,
                "model": kwargs["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": " ".join(words)},
                        "logprobs": None,
                        "finish_reason": finish,
                    }
                ],
                "usage": {
                    "prompt_tokens": PROMPT_TOKENS,
                    "completion_tokens": len(words),
                    "total_tokens": PROMPT_TOKENS + len(words),
                },
            }

    def _words(self, kwargs: dict[str, Any]) -> tuple[list[str], str]:
        last = kwargs["messages"][-1]["content"]
        if "context" in last:
            raise ValueError("Requested tokens (9000) exceed context window of 2048")
        words = ["echo:", *last.split()]
        limit = kwargs.get("max_tokens")
        if limit is not None and limit < len(words):
            return words[:limit], "length"
        return words, "stop"

    def _chunks(self, kwargs: dict[str, Any], words: list[str], finish: str) -> Iterator[dict[str, Any]]:
        with self._busy():
            base = {
                "id": f"chatcmpl-{len(self.calls)}",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": kwargs["model"],
            }
            yield {**base, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}
            for position, word in enumerate(words):
                self._step(kwargs, position)
                text = word if position == 0 else f" {word}"
                yield {**base, "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
            if finish == "stop":
                self._step(kwargs, len(words))
            yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}

    def _drive(self, kwargs: dict[str, Any], words: list[str], finish: str) -> None:
        for position in range(len(words) + (finish == "stop")):
            self._step(kwargs, position)

    @staticmethod
    def _step(kwargs: dict[str, Any], position: int) -> None:
        for processor in kwargs.get("logits_processor") or ():
            processor([0] * (PROMPT_TOKENS + position), [0.0])

    def _busy(self) -> _Busy:
        return _Busy(self)


class _Busy:
    def __init__(self, model: FakeLlama) -> None:
        self._model = model

    def __enter__(self) -> None:
        with self._model._lock:
            self._model.active += 1
            self._model.most_active = max(self._model.most_active, self._model.active)

    def __exit__(self, *exc: object) -> None:
        with self._model._lock:
            self._model.active -= 1


class FakeLoader:
    """Records every load and returns one ``FakeLlama`` per file."""

    def __init__(self) -> None:
        self.loads: list[tuple[Path, Any]] = []
        self.models: dict[Path, FakeLlama] = {}

    def __call__(self, path: Path, options: Any) -> FakeLlama:
        self.loads.append((path, options))
        return self.models.setdefault(path, FakeLlama(path))

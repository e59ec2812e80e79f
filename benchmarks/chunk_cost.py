"""What one streamed chunk costs its caller, by representation, with the garbage collector on and off.

The stream row of ``run.py`` compares llmport with raw httpx, which decodes each event into plain
dicts. This script isolates the per-chunk part of that comparison: the same 200 event texts (the
benchmark server's stream) turned into caller-held objects, as ``list(stream)`` holds them:

- ``json.loads`` dicts (the raw floor);
- llmport's ``ModelResponseStream`` chunks, validated straight from the text (its stream path);
- three small ``__slots__`` classes filled from ``json.loads`` (what a non-pydantic chunk would cost).

It prints microseconds per chunk (process CPU, best of several rounds) and the collections the
garbage collector ran per 200-chunk stream. Usage: ``python benchmarks/chunk_cost.py``.
"""

from __future__ import annotations

import collections
import gc
import json
import time
from collections.abc import Callable
from typing import Any

from server import STREAM

import llmport
from llmport.domain.models.stream import parse_plain_chunks

TEXTS = STREAM.decode()[len("data: ") :].split("\n\ndata: ")[:-1]  # the last one is [DONE]


class SlotDelta:
    __slots__ = ("content", "role", "tool_calls")

    def __init__(self, data: dict[str, Any]) -> None:
        self.content, self.role = data.get("content"), data.get("role")
        self.tool_calls = data.get("tool_calls")


class SlotChoice:
    __slots__ = ("delta", "finish_reason", "index")

    def __init__(self, data: dict[str, Any]) -> None:
        self.index, self.finish_reason = data.get("index", 0), data.get("finish_reason")
        self.delta = SlotDelta(data.get("delta") or {})


class SlotChunk:
    __slots__ = ("choices", "created", "id", "model", "object")

    def __init__(self, data: dict[str, Any]) -> None:
        self.id, self.object = data["id"], data["object"]
        self.created, self.model = data["created"], data["model"]
        self.choices = [SlotChoice(choice) for choice in data["choices"]]


WAYS: dict[str, Callable[[], list[Any]]] = {
    "json.loads dicts (raw floor)": lambda: [json.loads(text) for text in TEXTS],
    "llmport ModelResponseStream": lambda: parse_plain_chunks(TEXTS),
    "__slots__ objects from json": lambda: [SlotChunk(json.loads(text)) for text in TEXTS],
}


def per_chunk(make: Callable[[], list[Any]], streams: int = 300, rounds: int = 7) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(streams):
            held = make()  # held until the next stream's chunks exist, as a caller's list is
        best = min(best, (time.process_time() - start) / streams)
    del held
    return best / len(TEXTS) * 1e6


def collections_per_stream(make: Callable[[], list[Any]], streams: int = 300) -> dict[int, float]:
    counts: collections.Counter[int] = collections.Counter()

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            counts[info["generation"]] += 1

    gc.callbacks.append(count)
    try:
        for _ in range(streams):
            make()
    finally:
        gc.callbacks.remove(count)
    return {generation: round(n / streams, 2) for generation, n in sorted(counts.items())}


def main() -> None:
    # The heap a real caller has: llmport imported and one call made.
    llmport.completion("gpt-4o", [{"role": "user", "content": "x"}], mock_response="y")
    print(f"{len(TEXTS)} chunks per stream, {len(gc.get_objects())} objects tracked by the collector\n")
    for name, make in WAYS.items():
        on = per_chunk(make)
        gc.disable()
        try:
            off = per_chunk(make)
        finally:
            gc.enable()
        print(f"{name:30s} {on:5.2f} µs/chunk, {off:5.2f} without the collector; "
              f"collections per stream {collections_per_stream(make)}")  # fmt: skip


if __name__ == "__main__":
    main()

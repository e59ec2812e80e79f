"""Load time, first-token latency and generation speed of ``local/smollm2`` on this machine.

Usage: ``python benchmarks/local_model.py [--threads N] [--rounds N]``. Each figure is the median
of the rounds; generation speed counts completion tokens over the time after the first token.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time

import llmport
from llmport.adapters.local.transport import LocalTransport
from llmport.adapters.transport.httpx_transport import HttpxTransport
from llmport.adapters.transport.routing import RoutingTransport

CITIES = ("Paris", "Rome", "Berlin", "Madrid", "Vienna", "Lisbon", "Prague", "Dublin", "Athens", "Oslo")


def messages(round_number: int) -> list[dict[str, str]]:
    # A different prompt each round: llama.cpp reuses a repeated prompt's cache, hiding the prefill.
    city = CITIES[round_number % len(CITIES)]
    return [{"role": "user", "content": f"Write a short paragraph about the city of {city}."}]


def measure(threads: int | None, rounds: int) -> None:
    started = time.perf_counter()
    importlib.import_module("llama_cpp")
    imported = time.perf_counter() - started
    local = LocalTransport(n_threads=threads)
    with llmport.Client(transport=RoutingTransport(HttpxTransport(), local=local)) as client:
        # Wire the client first (container, codec, models) so the next figure is the model's own.
        client.completion("local/smollm2", [{"role": "user", "content": "hi"}], mock_response="ok")
        started = time.perf_counter()
        client.completion("local/smollm2", [{"role": "user", "content": "hi"}], max_tokens=1)
        load = time.perf_counter() - started
        first_token, speed, whole = [], [], []
        for round_number in range(rounds):
            started = time.perf_counter()
            first: float | None = None
            chunks = []
            stream = client.completion(
                "local/smollm2",
                messages(round_number),
                stream=True,
                temperature=0,
                max_tokens=128,
                stream_options={"include_usage": True},
            )
            for chunk in stream:
                if first is None and chunk.choices and chunk.choices[0].delta.content:
                    first = time.perf_counter()
                chunks.append(chunk)
            end = time.perf_counter()
            usage = chunks[-1].usage
            assert first is not None
            assert usage is not None
            first_token.append(first - started)
            speed.append((usage.completion_tokens - 1) / (end - first))
            whole.append(usage.completion_tokens / (end - started))
    print(f"import llama_cpp: {imported * 1000:.0f} ms")
    print(f"first call (model load + 1 token): {load * 1000:.0f} ms (threads={threads or 'default'})")
    latency = statistics.median(first_token) * 1000
    print(f"first-token latency, new prompt: {latency:.0f} ms (median of {rounds})")
    print(f"generation speed: {statistics.median(speed):.1f} tokens/s after the first token")
    print(f"overall, prompt included: {statistics.median(whole):.1f} tokens/s including the prompt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    measure(args.threads, args.rounds)


if __name__ == "__main__":
    main()

"""llmport's overhead against raw httpx, measured in one run on a loopback server.

Each scenario runs raw httpx (post, read, json-decode) and llmport (the same request through
``Client.completion``) against the same canned server, alternating rounds, and reports the
median time per call and the ratio llmport / httpx. Usage: ``python benchmarks/run.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import httpx
from server import BenchServer

import llmport

MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]
BODY = {"model": "gpt-4o-mini", "messages": MESSAGES}
HEADERS = {"authorization": "Bearer sk-bench"}
# The pool limits llmport itself uses (the OpenAI SDK's), so both sides pool alike.
RAW_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


def timed(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def compare(
    name: str, raw: Callable[[], object], ours: Callable[[], object], calls: int, rounds: int
) -> None:
    raw(), ours()  # warm pools and imports
    raw_times, our_times = [], []
    for _ in range(rounds):
        raw_times.append(timed(raw, calls))
        our_times.append(timed(ours, calls))
    raw_median, our_median = statistics.median(raw_times), statistics.median(our_times)
    print(f"{name:<28} httpx {raw_median * 1e6:8.1f} µs   llmport {our_median * 1e6:8.1f} µs   "
          f"ratio {our_median / raw_median:5.2f}")  # fmt: skip


def sync_scenarios(url: str, calls: int, rounds: int) -> None:
    with httpx.Client() as raw_client, llmport.Client(api_base=url, api_key="sk-bench") as client:

        def raw_json() -> object:
            return raw_client.post(f"{url}/chat/completions", json=BODY, headers=HEADERS).json()

        def raw_stream() -> object:
            body = {**BODY, "stream": True}
            with raw_client.stream("POST", f"{url}/chat/completions", json=body, headers=HEADERS) as response:
                return [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: {")]

        compare(
            "sync completion", raw_json, lambda: client.completion("gpt-4o-mini", MESSAGES), calls, rounds
        )
        compare(
            "sync stream (22 chunks)",
            raw_stream,
            lambda: list(client.completion("gpt-4o-mini", MESSAGES, stream=True)),
            calls,
            rounds,
        )


def async_scenario(url: str, concurrency: int, rounds: int) -> None:
    async def main() -> None:
        async with (
            httpx.AsyncClient(limits=RAW_LIMITS) as raw_client,
            llmport.Client(api_base=url, api_key="sk-bench") as client,
        ):

            async def raw_batch() -> None:
                await asyncio.gather(
                    *(
                        raw_client.post(f"{url}/chat/completions", json=BODY, headers=HEADERS)
                        for _ in range(concurrency)
                    )
                )

            async def our_batch() -> None:
                await asyncio.gather(
                    *(client.acompletion("gpt-4o-mini", MESSAGES) for _ in range(concurrency))
                )

            await raw_batch(), await our_batch()
            raw_times, our_times = [], []
            for _ in range(rounds):
                start = time.perf_counter()
                await raw_batch()
                raw_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                await our_batch()
                our_times.append(time.perf_counter() - start)
            raw_median, our_median = statistics.median(raw_times), statistics.median(our_times)
            print(f"{f'async x{concurrency} concurrent':<28} httpx {raw_median * 1e3:8.1f} ms   "
                  f"llmport {our_median * 1e3:8.1f} ms   ratio {our_median / raw_median:5.2f}")  # fmt: skip

    asyncio.run(main())


def import_cost() -> None:
    def measure(statement: str) -> float:
        code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
        runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                     check=True).stdout) for _ in range(5)]  # fmt: skip
        return statistics.median(runs)

    raw = measure("import httpx")
    ours = measure("import llmport")
    first_call = measure(
        "import llmport; llmport.completion('gpt-4o', [{'role':'user','content':'x'}], mock_response='y')"
    )
    print(
        f"{'import':<28} httpx {raw * 1e3:8.1f} ms   llmport {ours * 1e3:8.1f} ms   ratio {ours / raw:5.2f}"
    )
    print(f"{'import + first mock call':<28} {first_call * 1e3:8.1f} ms (builds the default client)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    args = parser.parse_args()
    calls, rounds, concurrency = (20, 3, 50) if args.quick else (200, 7, 200)
    with BenchServer() as server:
        print(f"loopback server {server.url}; {calls} calls x {rounds} rounds per scenario, medians\n")
        sync_scenarios(server.url, calls, rounds)
        async_scenario(server.url, concurrency, rounds)
    import_cost()


if __name__ == "__main__":
    main()

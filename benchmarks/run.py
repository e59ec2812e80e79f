"""llmport's overhead against raw httpx and raw aiohttp, measured in one run on a loopback server.

Prints one table: per-call time of ``llmport.completion`` vs raw httpx (plain and streaming
200 chunks), async throughput of ``llmport.acompletion`` vs raw httpx and raw aiohttp, and the
wall time and peak RSS of ``import llmport`` in fresh interpreters, each with its target from
issue 3 and PASS/FAIL. The server runs in its own process on 127.0.0.1; every loop is bounded.
Usage: ``python benchmarks/run.py [--quick]``; aiohttp comes with the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any

import httpx
from server import STREAM_CHUNKS, BenchServer

import llmport

MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]
BODY = {"model": MODEL, "messages": MESSAGES}
KEY = "sk-bench"
HEADERS = {"authorization": f"Bearer {KEY}"}
# The pool limits llmport itself uses (the OpenAI SDK's), so both sides pool alike.
RAW_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
MIB = 1024  # peaks are in KiB (VmHWM, and ru_maxrss on Linux)


@dataclass(frozen=True)
class Config:
    calls: int  # sync calls per timed round
    rounds: int  # alternating rounds per comparison; the median is reported
    total: int  # async calls per round
    concurrency: int  # async calls in flight
    imports: int  # fresh interpreters per import measurement


FULL = Config(calls=200, rounds=7, total=2000, concurrency=100, imports=7)
QUICK = Config(calls=20, rounds=3, total=200, concurrency=50, imports=3)


@dataclass(frozen=True)
class Row:
    scenario: str
    baseline: str
    llmport: str
    ratio: float | None = None
    target: str = "-"
    passed: bool | None = None  # None: informative, no target


def print_table(rows: list[Row]) -> None:
    header = ("scenario", "baseline", "llmport", "ratio", "target", "result")
    cells = [
        (
            r.scenario,
            r.baseline,
            r.llmport,
            "-" if r.ratio is None else f"{r.ratio:.2f}x",
            r.target,
            "info" if r.passed is None else ("PASS" if r.passed else "FAIL"),
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *cells]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def aiohttp_or_none() -> ModuleType | None:
    try:
        import aiohttp
    except ImportError:
        print(
            "aiohttp is not installed, so its rows are skipped: "
            "pip install -e '.[bench]' (or run `make bench`)\n"
        )
        return None
    return aiohttp


# -- sync: per-call time ---------------------------------------------------------------------


def timed(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def compare(raw: Callable[[], object], ours: Callable[[], object], config: Config) -> tuple[float, float]:
    """Median seconds per call of ``raw`` and ``ours``, timed in alternating rounds."""
    raw_times, our_times = [], []
    for _ in range(config.rounds):
        raw_times.append(timed(raw, config.calls))
        our_times.append(timed(ours, config.calls))
    return statistics.median(raw_times), statistics.median(our_times)


def sync_rows(url: str, config: Config) -> list[Row]:
    endpoint = f"{url}/chat/completions"
    with httpx.Client(limits=RAW_LIMITS) as raw_client:

        def raw_json() -> object:
            return raw_client.post(endpoint, json=BODY, headers=HEADERS).json()

        def raw_stream() -> list[Any]:
            with raw_client.stream(
                "POST", endpoint, json={**BODY, "stream": True}, headers=HEADERS
            ) as response:
                return [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: {")]

        def ours_json() -> object:
            return llmport.completion(MODEL, MESSAGES, api_base=url, api_key=KEY)

        def ours_stream() -> list[Any]:
            return list(llmport.completion(MODEL, MESSAGES, api_base=url, api_key=KEY, stream=True))

        ours_json()  # warms pools, imports and the default client
        chunks = (len(raw_stream()), len(ours_stream()))
        assert chunks == (STREAM_CHUNKS, STREAM_CHUNKS), f"chunks (httpx, llmport): {chunks}"
        rows = []
        for name, raw, ours, target in (
            ("completion, per call", raw_json, ours_json, 1.25),
            (f"stream {STREAM_CHUNKS} chunks, per call", raw_stream, ours_stream, 1.5),
        ):
            raw_time, our_time = compare(raw, ours, config)
            ratio = our_time / raw_time
            rows.append(
                Row(
                    name,
                    f"httpx {raw_time * 1e6:.0f} µs",
                    f"{our_time * 1e6:.0f} µs",
                    ratio,
                    f"<= {target}x httpx",
                    ratio <= target,
                )
            )
    return rows


# -- async: throughput -----------------------------------------------------------------------


async def throughput(call: Callable[[], Awaitable[object]], total: int, concurrency: int) -> float:
    """Requests per second for ``total`` calls of ``call`` with ``concurrency`` in flight."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - start)


async def async_contenders(url: str, aiohttp: ModuleType | None, config: Config) -> dict[str, list[float]]:
    endpoint = f"{url}/chat/completions"
    async with (
        httpx.AsyncClient(limits=RAW_LIMITS) as raw_httpx,
        _aiohttp_session(aiohttp, config) as raw_aiohttp,
    ):

        async def httpx_call() -> object:
            return (await raw_httpx.post(endpoint, json=BODY, headers=HEADERS)).json()

        async def aiohttp_call() -> object:
            async with raw_aiohttp.post(endpoint, json=BODY, headers=HEADERS) as response:
                return await response.json()

        async def llmport_call() -> object:
            return await llmport.acompletion(MODEL, MESSAGES, api_base=url, api_key=KEY)

        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "raw httpx": httpx_call,
            "llmport": llmport_call,
        }
        swapped = None
        if aiohttp is not None:
            # The shipped adapter (the aiohttp extra), with its default limits: 1000, 100 per host.
            swapped = llmport.Client(transport=llmport.AiohttpTransport(), api_base=url, api_key=KEY)
            calls["raw aiohttp"] = aiohttp_call
            calls["llmport, aiohttp transport"] = lambda: swapped.acompletion(MODEL, MESSAGES)
        try:
            return await _alternate(calls, config)
        finally:
            if swapped is not None:
                await swapped.aclose()


def _aiohttp_session(aiohttp: ModuleType | None, config: Config) -> Any:
    if aiohttp is None:
        return contextlib.nullcontext()
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=config.concurrency))


async def _alternate(
    calls: dict[str, Callable[[], Awaitable[object]]], config: Config
) -> dict[str, list[float]]:
    for call in calls.values():  # open each pool's connections before timing
        await throughput(call, config.concurrency, config.concurrency)
    rates: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(max(3, config.rounds // 2)):
        for name, call in calls.items():
            rates[name].append(await throughput(call, config.total, config.concurrency))
    return rates


def async_rows(url: str, aiohttp: ModuleType | None, config: Config) -> list[Row]:
    rates = {
        name: statistics.median(r) for name, r in asyncio.run(async_contenders(url, aiohttp, config)).items()
    }
    label = f"async {config.total} calls @{config.concurrency}"

    def row(ours: str, raw: str) -> Row:
        # The ratio is in time per call, like the sync rows: above 1 means slower than the baseline.
        return Row(f"{label}: {ours}", f"{raw} {rates[raw]:.0f} req/s", f"{rates[ours]:.0f} req/s",
                   rates[raw] / rates[ours])  # fmt: skip

    rows = [row("llmport", "raw httpx")]
    if aiohttp is not None:
        rows += [row("llmport", "raw aiohttp"), row("llmport, aiohttp transport", "raw aiohttp")]
    return rows


# -- import: wall time and peak RSS in fresh interpreters ----------------------------------

# Peak RSS is read by the child itself from VmHWM, the high-water mark of its own address space:
# on Linux ru_maxrss survives fork+exec, so a child started from this (bigger) process reports
# this process's peak instead of its own. ru_maxrss is the fallback where /proc does not exist.
PEAK_RSS = """
import resource
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(elapsed, peak)
"""


def fresh_interpreter(statement: str) -> tuple[float, float]:
    """Seconds ``statement`` took and the peak RSS (KiB) of a new interpreter running it."""
    code = f"import time\nt = time.perf_counter()\n{statement}\nelapsed = time.perf_counter() - t\n{PEAK_RSS}"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    elapsed, peak = output.split()
    return float(elapsed), float(peak)


def import_cost(statement: str, runs: int) -> tuple[float, float]:
    samples = [fresh_interpreter(statement) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


MOCK_CALL = (
    "import llmport; llmport.completion('gpt-4o', [{'role': 'user', 'content': 'x'}], mock_response='y')"
)


def import_rows(config: Config) -> list[Row]:
    _, bare_rss = import_cost("pass", config.imports)
    httpx_time, _ = import_cost("import httpx", config.imports)
    rows = []
    for name, statement, has_target in (
        ("import llmport", "import llmport", True),
        # `import llmport` is lazy; the first attribute access loads httpx, pydantic and the rest.
        ("import llmport + completion attr", "import llmport; llmport.completion", True),
        ("import + first mock call", MOCK_CALL, False),
    ):
        wall, rss = import_cost(statement, config.imports)
        wall_row = Row(f"{name}: wall", f"import httpx {httpx_time * 1e3:.1f} ms", f"{wall * 1e3:.1f} ms")
        rss_row = Row(
            f"{name}: peak RSS",
            f"bare python {bare_rss / MIB:.1f} MiB",
            f"{rss / MIB:.1f} MiB (+{(rss - bare_rss) / MIB:.1f})",
        )
        if has_target:
            wall_row = replace(wall_row, target="< 300 ms", passed=wall < 0.3)
            rss_row = replace(rss_row, target="< 50 MiB", passed=rss < 50 * MIB)
        rows += [wall_row, rss_row]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    config = QUICK if parser.parse_args().quick else FULL
    aiohttp = aiohttp_or_none()
    with BenchServer() as server:
        print(
            f"loopback server {server.url} (own process); sync: {config.calls} calls x {config.rounds} "
            f"alternating rounds, median; async: {config.total} calls at concurrency {config.concurrency}, "
            f"median of rounds; imports: median of {config.imports} fresh interpreters\n"
        )
        rows = sync_rows(server.url, config) + async_rows(server.url, aiohttp, config)
    print_table(rows + import_rows(config))
    print(
        "\nratio: llmport's time per call / the baseline's (above 1: slower). "
        f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs."
    )


if __name__ == "__main__":
    main()

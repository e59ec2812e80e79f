"""llmport against its raw floors (httpx, aiohttp), every row measured in one run on a loopback server.

Rows: sync ``completion`` and a 200-chunk stream per call against raw httpx; ``acompletion``
throughput (plain at concurrency 10/100/1000, streams at 10/100) against raw aiohttp; the wall
time and peak RSS of ``import llmport`` and of the first mock and loopback calls in fresh
interpreters; RSS growth over 10,000 calls; the OpenAI SDK against the same floors (a reference
point, no target). Each comparison alternates the two sides over several
rounds: the ratio is the median of the per-round ratios and ``noise`` their min-max. The ratio is
always llmport's time per call over the floor's (above 1: slower), so ``>= 0.8x req/s`` is
``<= 1.25x``. ``--transports`` adds the table the async default was chosen from (raw httpx, httpx2,
aiohttp and llmport on each transport). The run never fails on a timing: it prints PASS/FAIL.
Usage: ``python benchmarks/run.py [--quick] [--transports]``; ``make bench`` installs the extras.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import contenders
import fresh
import httpx
from contenders import AsyncCall, llmport_async, llmport_sync, openai_async, openai_sync, raw_async, raw_sync
from server import STREAM_CHUNKS, BenchServer

MIB = 1024  # RSS figures are in KiB
SDK = f"OpenAI SDK {importlib.metadata.version('openai')}"


@dataclass(frozen=True)
class Config:
    calls: int  # sync calls per timed round
    rounds: int  # alternating rounds per comparison
    total: int  # async calls per round (at least 2x the concurrency)
    concurrency: tuple[int, ...]  # plain async calls
    stream_concurrency: tuple[int, ...]  # async streams
    imports: int  # fresh interpreters per import measurement
    growth: int  # calls for the RSS-growth row


FULL = Config(calls=200, rounds=7, total=2000, concurrency=(10, 100, 1000), stream_concurrency=(10, 100),
              imports=7, growth=10_000)  # fmt: skip
QUICK = Config(calls=30, rounds=3, total=400, concurrency=(10, 100, 1000), stream_concurrency=(10, 100),
               imports=3, growth=2_000)  # fmt: skip


@dataclass(frozen=True)
class Row:
    scenario: str
    baseline: str
    llmport: str
    ratio: float | None = None
    noise: str = "-"
    target: str = "-"
    passed: bool | None = None  # None: informative, no target


def print_table(rows: list[Row]) -> None:
    header = ("scenario", "baseline", "llmport", "ratio", "noise", "target", "result")
    cells = [
        (r.scenario, r.baseline, r.llmport, "-" if r.ratio is None else f"{r.ratio:.2f}x", r.noise, r.target,
         "info" if r.passed is None else ("PASS" if r.passed else "FAIL"))
        for r in rows
    ]  # fmt: skip
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *cells]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())


def ratio_row(
    scenario: str, floor: str, unit: str, pairs: list[tuple[float, float]], limit: float | None
) -> Row:
    """A row from per-round (floor, llmport) seconds per call."""
    ratios = [ours / raw for raw, ours in pairs]
    ratio = statistics.median(ratios)
    raw, ours = (statistics.median(side) for side in zip(*pairs, strict=True))
    show = (lambda s: f"{1 / s:.0f} req/s") if unit == "req/s" else (lambda s: f"{s * 1e6:.0f} µs")
    target = "-" if limit is None else f"<= {limit}x"
    passed = None if limit is None else ratio <= limit
    return Row(scenario, f"{floor} {show(raw)}", show(ours), ratio, f"{min(ratios):.2f}-{max(ratios):.2f}",
               target, passed)  # fmt: skip


# -- sync: per-call time ---------------------------------------------------------------------


def timed(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def sync_rows(url: str, config: Config) -> list[Row]:
    limits = contenders.httpx_limits(httpx, 100)
    rows = []
    with httpx.Client(limits=limits) as client:
        for stream, name, limit in ((False, "completion, per call", 1.10),
                                    (True, f"stream {STREAM_CHUNKS} chunks, per call", 1.15)):  # fmt: skip
            raw, ours = raw_sync(client, url, stream), llmport_sync(url, stream)
            if stream:
                chunks = (len(raw()), len(ours()))  # type: ignore[arg-type]
                assert chunks == (STREAM_CHUNKS, STREAM_CHUNKS), f"chunks (httpx, llmport): {chunks}"
            ours(), raw()  # warm pools, imports and the default client
            pairs = [(timed(raw, config.calls), timed(ours, config.calls)) for _ in range(config.rounds)]
            rows.append(ratio_row(name, "httpx", "µs", pairs, limit))
            rows.append(sdk_row(name, raw, openai_sync(url, stream), config))
    return rows


def sdk_row(name: str, raw: Callable[[], object], sdk: Callable[[], object], config: Config) -> Row:
    """The OpenAI SDK against the same floor: a reference point, not a target (it is far slower)."""
    sdk(), raw()
    calls = max(config.calls // 5, 5)  # its streams take ~20 ms each
    pairs = [(timed(raw, calls), timed(sdk, calls)) for _ in range(config.rounds)]
    return ratio_row(f"{name} ({SDK})", "httpx", "µs", pairs, None)


# -- async: throughput -----------------------------------------------------------------------


async def seconds_per_call(call: AsyncCall, total: int, concurrency: int) -> float:
    """Wall seconds per call for ``total`` calls of ``call`` with ``concurrency`` in flight."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return (time.perf_counter() - start) / total


async def race(
    calls: dict[str, AsyncCall], total: int, concurrency: int, rounds: int
) -> dict[str, list[float]]:
    """Seconds per call of each contender, in alternating rounds after one warm-up round each."""
    for call in calls.values():
        await seconds_per_call(call, concurrency, concurrency)  # open each pool's connections
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            times[name].append(await seconds_per_call(call, total, concurrency))
    return times


async def async_pair(
    url: str, stream: bool, concurrency: int, config: Config, *, sdk: bool = False
) -> list[tuple[float, float]]:
    """Per-round (raw aiohttp, llmport) seconds per call; with ``sdk``, the OpenAI SDK instead of llmport."""
    total = max(config.total, 2 * concurrency) // (10 if stream or sdk else 1)
    async with (
        raw_async("aiohttp", url, concurrency, stream) as raw,
        openai_async(url, stream) if sdk else llmport_async(None, url, stream) as ours,
    ):
        times = await race({"raw": raw, "ours": ours}, total, concurrency, max(3, config.rounds // 2))
    return list(zip(times["raw"], times["ours"], strict=True))


def async_rows(url: str, config: Config) -> list[Row]:
    rows = []
    for stream, levels in ((False, config.concurrency), (True, config.stream_concurrency)):
        for concurrency in levels:
            pairs = asyncio.run(async_pair(url, stream, concurrency, config))
            kind = f"stream {STREAM_CHUNKS} chunks" if stream else "calls"
            rows.append(ratio_row(f"acompletion {kind} @{concurrency} (default client)", "aiohttp", "req/s",
                                  pairs, None if stream else 1.25))  # fmt: skip
    pairs = asyncio.run(async_pair(url, False, 100, config, sdk=True))
    rows.append(ratio_row(f"acompletion calls @100 ({SDK})", "aiohttp", "req/s", pairs, None))
    return rows


async def transport_table(url: str, config: Config) -> list[Row]:
    """Every async client at every concurrency, plain and streamed: the async default's evidence."""
    rows = []
    for stream in (False, True):
        for concurrency in (10, 100, 1000):
            kind = "stream" if stream else "call"
            try:
                times = await _transport_race(url, config, stream, concurrency)
            except Exception as error:  # a contender that fails under load is a result, not a crash
                rows.append(
                    Row(f"{kind} @{concurrency}: failed", "-", f"{type(error).__name__}: {error}"[:60])
                )
                continue
            floor = statistics.median(times["raw aiohttp"])
            for name, samples in times.items():
                rate = [1 / s for s in samples]
                rows.append(Row(f"{kind} @{concurrency}: {name}", f"raw aiohttp {1 / floor:.0f} req/s",
                                f"{statistics.median(rate):.0f} req/s", statistics.median(samples) / floor,
                                f"{min(rate):.0f}-{max(rate):.0f} req/s"))  # fmt: skip
    return rows


async def _transport_race(url: str, config: Config, stream: bool, concurrency: int) -> dict[str, list[float]]:
    total = max(config.total, 2 * concurrency) // (10 if stream else 1)
    async with (
        raw_async("httpx", url, concurrency, stream) as r_httpx,
        raw_async("httpx2", url, concurrency, stream) as r_httpx2,
        raw_async("aiohttp", url, concurrency, stream) as r_aiohttp,
        llmport_async("httpx", url, stream) as l_httpx,
        llmport_async("aiohttp", url, stream) as l_aiohttp,
    ):
        calls = {"raw httpx": r_httpx, "raw httpx2": r_httpx2, "raw aiohttp": r_aiohttp,
                 "llmport on httpx": l_httpx, "llmport on aiohttp": l_aiohttp}  # fmt: skip
        return await race(calls, total, concurrency, 3)


# -- fresh interpreters --------------------------------------------------------------------

MOCK_CALL = (
    "import llmport; llmport.completion('gpt-4o', [{'role': 'user', 'content': 'x'}], mock_response='y')"
)
REAL_CALL = (
    "import llmport; llmport.completion('gpt-4o-mini', [{{'role': 'user', 'content': 'x'}}], "
    "api_base={url!r}, api_key='sk-bench')"
)


def import_rows(url: str, config: Config) -> list[Row]:
    _, bare = fresh.cost("pass", config.imports)
    bare_rss = fresh.median(bare)
    rows = []
    for name, statement, wall_limit, rss_limit in (
        ("import llmport", "import llmport", None, None),
        ("import + first mock call", MOCK_CALL, 0.25, 45),
        ("import + first loopback call", REAL_CALL.format(url=url), None, None),
    ):
        walls, peaks = fresh.cost(statement, config.imports)
        wall, rss = fresh.median(walls), fresh.median(peaks)
        noise = f"{min(walls) * 1e3:.0f}-{max(walls) * 1e3:.0f} ms"
        rows.append(Row(f"{name}: wall", "-", f"{wall * 1e3:.0f} ms", None, noise,
                        "-" if wall_limit is None else f"<= {wall_limit * 1e3:.0f} ms",
                        None if wall_limit is None else wall <= wall_limit))  # fmt: skip
        rows.append(Row(f"{name}: peak RSS", f"bare python {bare_rss / MIB:.1f} MiB",
                        f"{rss / MIB:.1f} MiB", None, f"{min(peaks) / MIB:.1f}-{max(peaks) / MIB:.1f} MiB",
                        "-" if rss_limit is None else f"<= {rss_limit} MiB",
                        None if rss_limit is None else rss <= rss_limit * MIB))  # fmt: skip
    return rows


def growth_rows(url: str, config: Config) -> list[Row]:
    sync_growth, async_growth = fresh.rss_growth(url, config.growth)
    return [
        Row(f"RSS growth over {config.growth} {kind} calls", "-", f"{grown / MIB:+.1f} MiB", target="< 5 MiB",
            passed=grown < 5 * MIB)
        for kind, grown in (("sync", sync_growth), ("async", async_growth))
    ]  # fmt: skip


def raise_fd_limit() -> None:
    # Concurrency 1000 holds 1000 client sockets (and the server process as many): soft limits are often 1024.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 8192 if hard == resource.RLIM_INFINITY else min(8192, hard)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds (a smoke run)")
    parser.add_argument("--transports", action="store_true", help="also race every async client")
    args = parser.parse_args()
    config = QUICK if args.quick else FULL
    raise_fd_limit()
    with BenchServer() as server:
        print(f"loopback server {server.url} (own process); python {sys.version.split()[0]}; "
              f"{config.rounds} alternating rounds per comparison\n", flush=True)  # fmt: skip
        rows = sync_rows(server.url, config) + async_rows(server.url, config)
        rows += import_rows(server.url, config) + growth_rows(server.url, config)
        print_table(rows)
        if args.transports:
            print("\nasync clients (ratio: time per call over raw aiohttp's; noise: req/s min-max)\n")
            print_table(asyncio.run(transport_table(server.url, config)))
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")


if __name__ == "__main__":
    main()

"""Measurements that need a new interpreter: import and first-call cost, and RSS growth over many calls.

Peak RSS is read by the child itself from VmHWM, the high-water mark of its own address space:
on Linux ru_maxrss survives fork+exec, so a child started from the (bigger) benchmark process
would report the parent's peak instead of its own. ru_maxrss is the fallback without /proc.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import textwrap

RSS_HELPERS = """
import resource
def _status(field):
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(field))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""


def fresh_interpreter(statement: str) -> tuple[float, float]:
    """Seconds ``statement`` took and the peak RSS (KiB) of a new interpreter running it."""
    code = (
        f"import time\nt = time.perf_counter()\n{statement}\nelapsed = time.perf_counter() - t\n"
        f"{RSS_HELPERS}\nprint(elapsed, _status('VmHWM:'))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_WITH_BYTECODE
    ).stdout
    elapsed, peak = output.split()[-2:]
    return float(elapsed), float(peak)


# An installed package has its bytecode compiled; PYTHONDONTWRITEBYTECODE (set in some shells and
# CI images) would otherwise time the compilation of every module instead of their import.
_WITH_BYTECODE = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def cost(statement: str, runs: int) -> tuple[list[float], list[float]]:
    """Wall times (s) and peak RSS (KiB) of ``runs`` fresh interpreters running ``statement``.

    One unmeasured run first writes the bytecode an installed package would have.
    """
    fresh_interpreter(statement)
    samples = [fresh_interpreter(statement) for _ in range(runs)]
    return [s[0] for s in samples], [s[1] for s in samples]


def median(values: list[float]) -> float:
    return statistics.median(values)


GROWTH = """
import asyncio, gc, llmport
URL, CALLS = {url!r}, {calls}
MSGS = [{{"role": "user", "content": "hi"}}]
def sync_calls(n):
    for _ in range(n):
        llmport.completion("gpt-4o-mini", MSGS, api_base=URL, api_key="sk-bench")
async def async_calls(n):
    for start in range(0, n, 100):
        await asyncio.gather(*(llmport.acompletion("gpt-4o-mini", MSGS, api_base=URL, api_key="sk-bench")
                               for _ in range(min(100, n - start))))
def rss_after(run):
    run()
    gc.collect()
    return _status("VmRSS:")
sync_warm = rss_after(lambda: sync_calls(500))
sync_end = rss_after(lambda: sync_calls(CALLS))
async_warm = rss_after(lambda: asyncio.run(async_calls(500)))
async_end = rss_after(lambda: asyncio.run(async_calls(CALLS)))
print(sync_end - sync_warm, async_end - async_warm)
"""


def rss_growth(url: str, calls: int) -> tuple[float, float]:
    """RSS growth (KiB) over ``calls`` sync calls, then over ``calls`` async calls, after a warm-up."""
    code = RSS_HELPERS + textwrap.dedent(GROWTH.format(url=url, calls=calls))
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    sync_growth, async_growth = output.split()[-2:]
    return float(sync_growth), float(async_growth)

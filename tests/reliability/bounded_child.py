"""Run hostile-body calls in a fresh process and print what happened, with the peak RSS.

``python -m tests.reliability.bounded_child <case> [<gzip file>]`` runs the case in each mode
(sync, httpx-async, aiohttp-async) and prints one JSON line: ``{"outcomes": {mode: [class name, text]},
"peak_rss_mib": ...}``. A fresh process, so the peak is these calls' own (``ru_maxrss`` never
goes down).
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import llmport

from .trickle_server import Step, TrickleServer, chunked, head

GIB = 1024**3
BLOCK = b"x" * (1024 * 1024)


def huge_body() -> Iterator[Step]:
    """A 2 GiB JSON-looking body, chunked (no content-length to refuse it early), made on the fly."""
    yield head(200, {"content-type": "application/json", "transfer-encoding": "chunked"})
    yield chunked(b'{"id":"')
    for _ in range(2 * 1024):
        yield chunked(BLOCK)


def huge_event() -> Iterator[Step]:
    """A stream whose one ``data:`` line never ends: 2 GiB without a line break."""
    yield head(200, {"content-type": "text/event-stream", "transfer-encoding": "chunked"})
    yield chunked(b'data: {"id":"')
    for _ in range(2 * 1024):
        yield chunked(BLOCK)


def gzip_bomb_bytes() -> bytes:
    """About 1 MiB of gzip that inflates to 1 GiB of zeros (made 1 MiB at a time)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(zeros) for _ in range(1024)]
    parts.append(packer.flush())
    return b"".join(parts)


def gzip_bomb(bomb: bytes, kind: str) -> Callable[[], Iterator[Step]]:
    def script() -> Iterator[Step]:
        yield head(200, {"content-type": kind, "content-encoding": "gzip", "content-length": str(len(bomb))})
        yield bomb

    return script


def script_for(case: str, bomb: bytes) -> tuple[Callable[[], Iterator[Step]], bool]:
    """The server's script for ``case``, and whether the call streams."""
    cases = {
        "huge-body": (huge_body, False),
        "huge-event": (huge_event, True),
        "gzip-bomb": (gzip_bomb(bomb, "application/json"), False),
        "gzip-bomb-stream": (gzip_bomb(bomb, "text/event-stream"), True),
    }
    return cases[case]


def run(mode: str, script: Callable[[], Iterator[Step]], stream: bool) -> tuple[str | None, str]:
    side = "httpx" if mode == "httpx-async" else "aiohttp"
    with TrickleServer() as server, llmport.Client(api_key="sk-bounded", async_transport=side) as client:
        server.repeat = script
        kwargs = {"api_base": server.base_url, "stream": stream, "num_retries": 0, "timeout": 60}
        try:
            if mode == "sync":
                result = client.completion("openai/m", [{"role": "user", "content": "hi"}], **kwargs)
                if stream:
                    list(result)
            else:
                asyncio.run(_arun(client, kwargs))
        except llmport.APIError as error:
            return type(error).__name__, str(error)
    return None, ""


async def _arun(client: llmport.Client, kwargs: dict[str, Any]) -> None:
    try:
        result = await client.acompletion("openai/m", [{"role": "user", "content": "hi"}], **kwargs)
        if kwargs["stream"]:
            async for _ in result:
                pass
    finally:
        await client.aclose()


def main(case: str, bomb_file: str | None) -> dict[str, Any]:
    """Run ``case`` in every mode; return the outcomes and the process's peak RSS."""
    script, stream = script_for(case, Path(bomb_file).read_bytes() if bomb_file else b"")
    outcomes = {mode: run(mode, script, stream) for mode in ("sync", "httpx-async", "aiohttp-async")}
    return {"outcomes": outcomes, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)))

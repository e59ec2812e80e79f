"""Hostile answers cannot take memory past their limits: a 2 GiB body, a 2 GiB stream line, a gzip bomb.

Each case runs in a fresh process (``bounded_child.py``) against a loopback server that makes
the body on the fly, over httpx sync and async and aiohttp, and must fail with
``APIResponseValidationError`` naming the limit while the process stays under 1 GiB of RSS.
Before the limits, the 2 GiB body took the process past 4 GiB and the bomb to 2.1 GiB.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import llmport

from .bounded_child import gzip_bomb_bytes
from .trickle_server import Step, TrickleServer, chunked, head

ROOT = Path(__file__).resolve().parents[2]
RSS_CEILING_MIB = 1024
USER = [{"role": "user", "content": "hi"}]
EXPECTED = {
    "huge-body": "max_response_bytes (64 MiB)",
    "huge-event": "max_event_bytes",
    "gzip-bomb": "max_decoded_bytes (64 MiB)",
    "gzip-bomb-stream": "max_event_bytes",
}


@pytest.fixture(scope="module")
def bomb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.gz"
    path.write_bytes(gzip_bomb_bytes())
    return path


@pytest.mark.parametrize("case", list(EXPECTED))
def test_a_hostile_body_fails_naming_its_limit_within_bounded_memory(case: str, bomb_file: Path) -> None:
    if case.startswith("gzip"):
        assert bomb_file.stat().st_size < 1.1 * 1024 * 1024  # about 1 MiB that inflates to 1 GiB
    command = [sys.executable, "-m", "tests.reliability.bounded_child", case, str(bomb_file)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    for mode, (error, message) in report["outcomes"].items():
        assert error == "APIResponseValidationError", (mode, error, message)
        assert EXPECTED[case] in message, (mode, message)
    assert report["peak_rss_mib"] < RSS_CEILING_MIB, report


def test_client_limits_are_checked() -> None:
    with pytest.raises(llmport.BadRequestError, match="max_response_bytes") as caught:
        llmport.Client(max_response_bytes=0)
    assert caught.value.param == "max_response_bytes"


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
def test_client_max_response_bytes_applies_on_each_transport(transport: str) -> None:
    body = b'{"id":"' + b"x" * (2 * 1024 * 1024) + b'"}'

    def script() -> Iterator[Step]:
        yield head(200, {"content-type": "application/json", "transfer-encoding": "chunked"})
        yield chunked(body)
        yield b"0\r\n\r\n"

    client = llmport.Client(api_key="sk-limits", async_transport=transport, max_response_bytes=1024 * 1024)
    with TrickleServer() as server, client:
        server.repeat = script

        async def call() -> None:
            try:
                await client.acompletion("openai/m", USER, api_base=server.base_url)
            finally:
                await client.aclose()

        with pytest.raises(llmport.APIResponseValidationError, match=r"max_response_bytes \(1 MiB\)"):
            asyncio.run(call())
        assert server.requests == 1  # never retried: the same answer would come back

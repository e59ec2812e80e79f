"""A minimal keep-alive HTTP/1.1 server on loopback answering canned chat completions.

It does as little as possible per request so the benchmark measures the clients, not the server,
and it runs in its own process so its event loop never competes with the client's for the GIL.
Run alone (``python benchmarks/server.py``) it prints its base URL and serves until its standard
input closes (so it dies with its parent) or ``MAX_LIFETIME`` seconds pass.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

MAX_LIFETIME = 1800.0
STREAM_CHUNKS = 200

COMPLETION = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-4o-mini",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Paris."}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
    }
).encode()


def _chunk(delta: dict[str, object], finish: str | None = None) -> bytes:
    body = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
    return b"data: " + json.dumps(body).encode() + b"\n\n"


# STREAM_CHUNKS data chunks in all: a role chunk, content chunks, a finish chunk; then [DONE].
STREAM = b"".join(
    [_chunk({"role": "assistant", "content": ""})]
    + [_chunk({"content": f"word{i} "}) for i in range(STREAM_CHUNKS - 2)]
    + [_chunk({}, "stop"), b"data: [DONE]\n\n"]
)


def _response(body: bytes, content_type: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: " + content_type + b"\r\ncontent-length: "
        + str(len(body)).encode() + b"\r\n\r\n" + body
    )  # fmt: skip


JSON_RESPONSE = _response(COMPLETION, b"application/json")
SSE_RESPONSE = _response(STREAM, b"text/event-stream")


def _wants_stream(body: bytes) -> bool:
    # httpx and llmport encode JSON compactly, aiohttp with a space after the colon.
    return b'"stream":true' in body or b'"stream": true' in body


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = await reader.readexactly(length)
            writer.write(SSE_RESPONSE if _wants_stream(body) else JSON_RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    except asyncio.CancelledError:
        # Shutdown with clients still connected: the connection just ends.
        pass
    finally:
        writer.close()


async def _serve() -> None:
    server = await asyncio.start_server(_handle, "127.0.0.1", 0, backlog=2048)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}/v1", flush=True)
    # The parent holds our stdin open; EOF means it is gone, so stop rather than linger.
    stdin = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    async with server:
        await asyncio.wait_for(stdin.read(), MAX_LIFETIME)


class BenchServer:
    """Starts the server in a child process; ``url`` is the OpenAI-style base URL."""

    def __init__(self) -> None:
        self.url = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> BenchServer:
        self._process = subprocess.Popen(
            [sys.executable, str(Path(__file__))], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        self.url = self._process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.__exit__()
            raise RuntimeError("the benchmark server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


if __name__ == "__main__":
    try:
        asyncio.run(_serve())
    except TimeoutError:
        sys.exit("benchmark server: MAX_LIFETIME reached, stopping")

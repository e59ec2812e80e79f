"""``LocalTransport``: answers OpenAI chat-completions requests to ``local://`` URLs in-process.

The OpenAI codec builds the request as for any OpenAI-compatible server; this transport decodes
the body, runs llama.cpp, and answers with the JSON or server-sent events a server would send, so
parsing, errors, retries and streaming are the same code as for every other provider. Failures
are answered as HTTP errors with an OpenAI error body (404 for a missing model file, 400 for bad
parameters), which the codec maps to llmport's exceptions.

Generation never runs on the caller's event loop: async calls run in worker threads, and a
stream is produced by a thread of its own (see ``LocalStream``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from urllib.parse import urlsplit

from ...ports.transport import HttpRequest, HttpResponse
from .engine import LoadOptions, LocalEngine, LocalStream, ModelLoader, load_llama
from .models import LocalError
from .params import decode

SCHEME = "local"
ENDPOINT = "/chat/completions"
_SSE_HEADERS = {"content-type": "text/event-stream"}
_DONE = b"data: [DONE]\n\n"

Answer = HttpResponse | LocalStream


class LocalTransport:
    """The transport port over in-process llama.cpp models; one model cache per instance.

    Args:
        n_ctx: Context size of every model this transport loads.
        n_threads: CPU threads (None: llama.cpp's choice).
        seed: Initial RNG seed of loaded models (a call's ``seed`` overrides it).
        verbose: Let llama.cpp log to stderr.
        loader: Builds a model from a file (tests pass a fake; default: llama-cpp-python).
    """

    def __init__(
        self,
        *,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        seed: int | None = None,
        verbose: bool = False,
        loader: ModelLoader = load_llama,
    ) -> None:
        self.engine = LocalEngine(loader, LoadOptions(n_ctx, n_threads, seed, verbose))

    def __repr__(self) -> str:
        return f"LocalTransport({self.engine!r})"

    def send(self, request: HttpRequest) -> HttpResponse:
        """Answer ``request`` whole (a streamed request gets its events as one body)."""
        answer = self._answer(request)
        if isinstance(answer, HttpResponse):
            return answer
        with _closing(answer):
            return HttpResponse(200, _SSE_HEADERS, b"".join(_events(answer)))

    @contextmanager
    def stream(self, request: HttpRequest) -> Iterator[_LocalStreaming]:
        """Answer ``request`` for incremental reading; leaving the block stops the generation."""
        answer = self._answer(request)
        with _closing(answer):
            yield _LocalStreaming(answer)

    async def asend(self, request: HttpRequest) -> HttpResponse:
        """Async ``send``: the generation runs in a worker thread."""
        return await asyncio.to_thread(self.send, request)

    @asynccontextmanager
    async def astream(self, request: HttpRequest) -> AsyncIterator[_LocalStreaming]:
        """Async ``stream``: each generation step runs in a worker thread."""
        answer = await asyncio.to_thread(self._answer, request)
        try:
            yield _LocalStreaming(answer)
        finally:
            if isinstance(answer, LocalStream):
                await asyncio.to_thread(answer.close)

    def close(self) -> None:
        """Free the loaded models (llama.cpp memory) now rather than at interpreter exit."""
        self.engine.close()

    async def aclose(self) -> None:
        """Async ``close``."""
        await asyncio.to_thread(self.engine.close)

    def _answer(self, request: HttpRequest) -> Answer:
        try:
            generation = decode(_body(request))
            if generation.stream:
                return self.engine.open_stream(generation)
            return HttpResponse.from_json(self.engine.complete(generation))
        except LocalError as error:
            return HttpResponse.from_json(error.body(), status_code=error.status)


def _body(request: HttpRequest) -> Any:
    parts = urlsplit(request.url)
    if parts.scheme != SCHEME or not parts.path.rstrip("/").endswith(ENDPOINT):
        raise LocalError(
            404, f"local models answer POST {SCHEME}://.../chat/completions only, not {parts.path}"
        )
    if request.method.upper() != "POST":
        raise LocalError(405, f"local models answer POST only, not {request.method}")
    try:
        return json.loads(request.body)
    except ValueError:
        raise LocalError(400, "the request body is not valid JSON") from None


def _events(stream: LocalStream) -> Iterator[bytes]:
    for chunk in stream:
        yield b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"
    yield _DONE


@contextmanager
def _closing(answer: Answer) -> Iterator[None]:
    try:
        yield
    finally:
        if isinstance(answer, LocalStream):
            answer.close()


class _LocalStreaming:
    """An answer read incrementally: server-sent events of a generation, or an error's JSON."""

    def __init__(self, answer: Answer) -> None:
        self._answer = answer
        self.status_code = answer.status_code if isinstance(answer, HttpResponse) else 200
        self.headers: Mapping[str, str] = (
            answer.headers if isinstance(answer, HttpResponse) else dict(_SSE_HEADERS)
        )

    def iter_bytes(self) -> Iterator[bytes]:
        if isinstance(self._answer, HttpResponse):
            yield self._answer.content
        else:
            yield from _events(self._answer)

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        events = self.iter_bytes()
        while True:
            piece = await asyncio.to_thread(next, events, None)
            if piece is None:
                return
            yield piece

    async def aread(self) -> bytes:
        return await asyncio.to_thread(self.read)

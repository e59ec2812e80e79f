"""A loopback fake of the OpenAI chat API, for demos, acceptance tests and users' own tests.

It speaks the wire format (JSON bodies, SSE streams, OpenAI/Azure error shapes) but generates
deterministic canned replies, so code written for a real provider runs offline unchanged:

    with FakeOpenAIServer() as srv:
        os.environ["OPENAI_BASE_URL"] = srv.base_url
        ...

Magic model names script failures: ``fake-error-<status>``, ``fake-error-context``,
``fake-stream-drop``, ``fake-stream-error`` and ``fake-delay-<ms>``. `FakeOpenAIServer.enqueue`
scripts arbitrary raw responses. Run ``python -m llmport.testing.openai_server`` to serve from a shell.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import _fake_checks as checks
from . import _fake_replies as replies
from .loopback import FakeProviderHandler, LoopbackFake, LoopbackHTTPServer, RecordedRequest

__all__ = ["FakeOpenAIServer", "RecordedRequest", "main"]

_AZURE_CHAT = re.compile(r"/openai/deployments/([^/]+)/chat/completions")
_ROUTES = {
    ("POST", "/v1/chat/completions"): "chat",
    ("POST", "/chat/completions"): "chat",
    ("GET", "/v1/models"): "models",
    ("GET", "/models"): "models",
}
_SSE_TYPE = "text/event-stream; charset=utf-8"
_MAGIC_STREAMS = frozenset({checks.STREAM_DROP_MODEL, checks.STREAM_ERROR_MODEL})
# Role chunk plus two content chunks: enough for a client to have started yielding.
_CHUNKS_BEFORE_FAILURE = 3


@dataclass(frozen=True)
class _Scripted:
    status: int
    body: bytes
    headers: dict[str, str]
    sse: bool


class _Handler(FakeProviderHandler):
    server: LoopbackHTTPServer

    def _handle(self, request: RecordedRequest, request_id: str) -> None:
        scripted = self.server.owner._next_scripted()
        if scripted is not None:
            self._send_scripted(scripted, request_id)
        else:
            self._route(request, request_id)

    def _bug(self, message: str) -> checks.FakeApiError:
        return checks.openai_error(500, message, type_="server_error")

    def _route(self, req: RecordedRequest, request_id: str) -> None:
        owner = self.server.owner
        azure = _AZURE_CHAT.fullmatch(req.path)
        if req.method == "POST" and azure:
            checks.check_azure(req.headers, req.query, require_auth=owner.require_auth)
            self._chat(req, request_id, azure.group(1))
            return
        route = _ROUTES.get((req.method, req.path))
        if route is None:
            raise checks.openai_error(404, f"Invalid URL ({req.method} {req.path})", code="unknown_url")
        if owner.require_auth:
            checks.check_bearer(req.headers)
        if route == "models":
            self._send_json(200, checks.models_list(), request_id)
        else:
            self._chat(req, request_id, None)

    def _chat(self, req: RecordedRequest, request_id: str, deployment: str | None) -> None:
        body = checks.validate_chat_request(req.body, default_model=deployment)
        model: str = body["model"]
        error = checks.magic_error(model)
        if error is not None:
            raise error
        time.sleep(checks.magic_delay(model))
        choices = replies.build_choices(body)
        meta = replies.ResponseMeta(f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), model)
        if body.get("stream") is True:
            self._stream(body, choices, meta, request_id)
        else:
            self._send_json(200, replies.completion_body(meta, body, choices), request_id)

    def _stream(
        self, body: dict[str, Any], choices: list[replies.Choice], meta: replies.ResponseMeta, request_id: str
    ) -> None:
        chunks = list(replies.stream_chunks(meta, body, choices))
        magic = meta.model in _MAGIC_STREAMS
        if magic:
            chunks = chunks[:_CHUNKS_BEFORE_FAILURE]
        headers = {"content-type": _SSE_TYPE, "cache-control": "no-cache", "x-request-id": request_id}
        self._start_chunked(200, headers | ({"connection": "close"} if magic else {}))
        for chunk in chunks:
            self._write_chunk(replies.sse_frame(chunk))
        if meta.model == checks.STREAM_DROP_MODEL:
            # No terminating zero-length chunk: the client sees a truncated body, as on a dropped link.
            self.close_connection = True
            return
        final = replies.STREAM_ERROR_PAYLOAD if meta.model == checks.STREAM_ERROR_MODEL else "[DONE]"
        self._write_chunk(replies.sse_frame(final))
        self._write_chunk(b"")

    def _send_scripted(self, scripted: _Scripted, request_id: str) -> None:
        headers = {"x-request-id": request_id, **scripted.headers}
        if not scripted.sse:
            self._send_bytes(scripted.status, scripted.body, {"content-type": "application/json"} | headers)
            return
        self._start_chunked(scripted.status, {"content-type": _SSE_TYPE} | headers)
        self._write_chunk(scripted.body)
        self._write_chunk(b"")


class FakeOpenAIServer(LoopbackFake):
    """A fake OpenAI-compatible HTTP server on a loopback port, served from a daemon thread.

    Example:
        >>> with FakeOpenAIServer() as srv:  # doctest: +SKIP
        ...     client = OpenAI(base_url=srv.base_url, api_key="sk-test")

    Attributes:
        require_auth: Whether requests need a key (``Authorization: Bearer``, or ``api-key`` on Azure paths).
        requests: Every request received, in arrival order.
    """

    handler = _Handler
    thread_name = "llmport-fake-openai"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, require_auth: bool = True) -> None:
        super().__init__(host=host, port=port, require_auth=require_auth)
        self._scripted: deque[_Scripted] = deque()

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, e.g. ``http://127.0.0.1:PORT/v1``."""
        return f"{self.root_url}/v1"

    def enqueue(
        self,
        status: int,
        body: bytes | Mapping[str, Any],
        headers: Mapping[str, str] | None = None,
        *,
        sse: bool = False,
    ) -> None:
        """Script the raw response for the next request, whatever it is (FIFO across calls).

        Args:
            status: The HTTP status to send.
            body: Raw bytes sent as-is, or a mapping sent as JSON (as one ``data:`` frame when ``sse``).
            headers: Extra response headers; they override the defaults (content-type, x-request-id).
            sse: Send as ``text/event-stream`` with chunked encoding; bytes should be whole SSE frames.
        """
        if isinstance(body, bytes):
            data = body
        else:
            data = replies.sse_frame(dict(body)) if sse else json.dumps(body).encode()
        scripted = _Scripted(status, data, {k.lower(): v for k, v in (headers or {}).items()}, sse)
        with self._lock:
            self._scripted.append(scripted)

    def _next_scripted(self) -> _Scripted | None:
        with self._lock:
            return self._scripted.popleft() if self._scripted else None


def main(argv: Sequence[str] | None = None) -> int:
    """Serve from the command line until SIGINT or SIGTERM.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``): ``--port N``, ``--host H``, ``--no-auth``.

    Returns:
        The process exit code.
    """
    parser = argparse.ArgumentParser(
        prog="python -m llmport.testing.openai_server",
        description="Serve a FAKE OpenAI-compatible API on loopback.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--no-auth", action="store_true", help="accept requests without an API key")
    args = parser.parse_args(argv)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    with FakeOpenAIServer(host=args.host, port=args.port, require_auth=not args.no_auth) as server:
        print(f"FAKE OpenAI-compatible server (not a real model) listening on {server.base_url}", flush=True)
        # A timed wait keeps the main thread responsive to signals on every platform.
        while not stopping.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

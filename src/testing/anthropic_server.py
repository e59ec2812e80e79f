"""A loopback fake of Anthropic's Messages API, for acceptance tests and users' own tests.

It speaks the wire format (``POST /v1/messages`` with ``x-api-key`` and ``anthropic-version``,
JSON bodies, SSE event streams, Anthropic's error shape) with deterministic canned answers:
thinking blocks when ``thinking`` is enabled, a ``tool_use`` block when tools are offered, JSON
matching ``output_config.format`` for structured output, and text echoing the last user turn::

    with FakeAnthropicServer() as srv:
        os.environ["ANTHROPIC_BASE_URL"] = srv.base_url
        ...

Magic model names script failures: ``fake-error-<status>`` (529 is ``overloaded_error``),
``fake-error-context``, ``fake-stream-drop`` (no ``message_stop``) and ``fake-stream-error``
(an ``error`` event mid-stream).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import _anthropic_replies as replies
from . import _fake_checks as checks
from .loopback import LoopbackFake, LoopbackHTTPServer, QuietHandler
from .openai_server import RecordedRequest

__all__ = ["FakeAnthropicServer"]

_SSE_TYPE = "text/event-stream; charset=utf-8"
_EVENTS_BEFORE_FAILURE = 4  # message_start, ping, a block start and a first delta


class _Handler(QuietHandler):
    server: LoopbackHTTPServer

    def _dispatch(self) -> None:
        request_id = f"req_fake{uuid.uuid4().hex}"
        self._headers_sent = False
        try:
            self._messages(self._record(), request_id)
        except checks.FakeApiError as err:
            self._send_json(err.status, err.payload, request_id, err.headers)
        except OSError:
            self.close_connection = True
        except Exception as exc:  # a bug in the fake should reach the client, not vanish in a thread
            if self._headers_sent:
                raise
            error = replies.anthropic_error(500, f"llmport fake server bug: {exc!r}")
            self._send_json(500, error.payload, request_id)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    def _record(self) -> RecordedRequest:
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = parts.path.rstrip("/") or "/"
        recorded = RecordedRequest(self.command, path, dict(parse_qsl(parts.query)), headers, body)
        self.server.owner._record(recorded)
        return recorded

    def _messages(self, req: RecordedRequest, request_id: str) -> None:
        if (req.method, req.path) != ("POST", "/v1/messages"):
            raise replies.anthropic_error(404, f"Not found: {req.method} {req.path}")
        if self.server.owner.require_auth and not req.headers.get("x-api-key"):
            raise replies.anthropic_error(401, "x-api-key header is required")
        if not req.headers.get("anthropic-version"):
            raise replies.anthropic_error(400, "anthropic-version: header is required")
        body = replies.check_request(req.body)
        error = replies.magic_error(body["model"])
        if error is not None:
            raise error
        answer = replies.plan(body)
        message_id = f"msg_fake{uuid.uuid4().hex[:24]}"
        if body.get("stream") is True:
            self._stream(list(replies.stream_events(message_id, body, answer)), body["model"], request_id)
        else:
            self._send_json(200, replies.message_body(message_id, body, answer), request_id)

    def _stream(self, events: list[dict[str, Any]], model: str, request_id: str) -> None:
        if model == replies.STREAM_ERROR_MODEL:
            failure = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
            events = [*events[:_EVENTS_BEFORE_FAILURE], failure]
        elif model == replies.STREAM_DROP_MODEL:
            events = events[:_EVENTS_BEFORE_FAILURE]
        self.send_response(200)
        headers = {"content-type": _SSE_TYPE, "cache-control": "no-cache", "request-id": request_id}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        self._headers_sent = True
        for event in events:
            self._write_chunk(replies.sse_frame(event))
        if model == replies.STREAM_DROP_MODEL:
            self.close_connection = True  # no terminating chunk: the body ends as on a dropped link
            return
        self._write_chunk(b"")

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if data else b"0\r\n\r\n")
        self.wfile.flush()

    def _send_json(
        self,
        status: int,
        payload: Mapping[str, Any],
        request_id: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        all_headers = {"content-type": "application/json", "request-id": request_id, **(headers or {})}
        for name, value in all_headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self._headers_sent = True
        self.wfile.write(data)
        self.wfile.flush()


class FakeAnthropicServer(LoopbackFake):
    """A fake Anthropic Messages server on a loopback port, served from a daemon thread.

    Attributes:
        require_auth: Whether requests need an ``x-api-key`` header.
        requests: Every request received, in arrival order.
    """

    handler = _Handler
    thread_name = "llmport-fake-anthropic"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, require_auth: bool = True) -> None:
        """Configure the server; nothing listens until `start`.

        Args:
            host: A loopback address (127.x.x.x, ``::1``) or ``localhost``.
            port: The port to bind; 0 picks a free one.
            require_auth: Whether requests without ``x-api-key`` get a 401.

        Raises:
            ValueError: If ``host`` is not a loopback address.
        """
        super().__init__(host, port)
        self.require_auth = require_auth
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """The base URL (host root, as ``ANTHROPIC_BASE_URL`` takes it), e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self._url_host}:{self.port}"

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

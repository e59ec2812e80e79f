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

import uuid
from typing import Any

from . import _anthropic_replies as replies
from . import _fake_checks as checks
from .loopback import FakeProviderHandler, LoopbackFake, LoopbackHTTPServer, RecordedRequest

__all__ = ["FakeAnthropicServer"]

_EVENTS_BEFORE_FAILURE = 4  # message_start, ping, a block start and a first delta


class _Handler(FakeProviderHandler):
    server: LoopbackHTTPServer
    request_id_header = "request-id"
    request_id_prefix = "req_fake"

    def _handle(self, request: RecordedRequest, request_id: str) -> None:
        self._messages(request, request_id)

    def _bug(self, message: str) -> checks.FakeApiError:
        return replies.anthropic_error(500, message)

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
        frames = [replies.sse_frame(event) for event in events]
        self._send_sse(frames, {"request-id": request_id}, drop=model == replies.STREAM_DROP_MODEL)


class FakeAnthropicServer(LoopbackFake):
    """A fake Anthropic Messages server on a loopback port, served from a daemon thread.

    Attributes:
        require_auth: Whether requests need an ``x-api-key`` header.
        requests: Every request received, in arrival order.
    """

    handler = _Handler
    thread_name = "llmport-fake-anthropic"

    @property
    def base_url(self) -> str:
        """The base URL (host root, as ``ANTHROPIC_BASE_URL`` takes it), e.g. ``http://127.0.0.1:PORT``."""
        return self.root_url

"""A loopback fake of Gemini's ``generateContent``, for acceptance tests and users' own tests.

It speaks the wire format (``POST /v1beta/models/{model}:generateContent`` with
``x-goog-api-key``, and Vertex's ``/v1/projects/{p}/locations/{l}/publishers/google/models/...``
with a Bearer token), JSON bodies, both stream forms (SSE with ``?alt=sse``, one JSON array
without), and Google's error shape, with deterministic canned answers: a thought part when
``includeThoughts`` is set, a function call when tools are offered (signed on Gemini 3 models,
and a later unsigned or forged call is refused with Gemini's 400), JSON matching the response
schema, and text echoing the last user turn::

    with FakeGeminiServer() as srv:
        litellm.completion("gemini/gemini-2.5-flash", messages, api_base=srv.base_url, api_key="k")

Magic model names script failures: ``fake-error-<status>`` (429 carries ``RetryInfo``),
``fake-error-context``, ``fake-blocked`` (a prompt blocked for safety), ``fake-stream-drop``
(the body ends before any finish reason) and ``fake-stream-error`` (an error object mid-stream).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from . import _gemini_replies as replies
from .loopback import FakeProviderHandler, LoopbackFake, LoopbackHTTPServer, RecordedRequest

__all__ = ["FakeGeminiServer"]

_ROUTE = re.compile(
    r"/(?:v1beta|v1|v1beta1)(?:/projects/[^/]+/locations/[^/]+/publishers/google)?/models/([^/:]+)"
    r":(generateContent|streamGenerateContent)"
)
_FRAMES_BEFORE_FAILURE = 2


class _Handler(FakeProviderHandler):
    server: LoopbackHTTPServer
    request_id_header = "x-goog-request-id"
    request_id_prefix = "fake"

    def _handle(self, request: RecordedRequest, request_id: str) -> None:
        route = _ROUTE.fullmatch(request.path)
        if request.method != "POST" or route is None:
            raise replies.gemini_error(404, f"Not found: {request.method} {request.path}")
        self._check_auth(request, vertex="/projects/" in request.path)
        model, method = route.groups()
        body = replies.check_request(model, request.body)
        error = replies.magic_error(model)
        if error is not None:
            raise error
        response_id = uuid.uuid4().hex[:22]
        if model == replies.BLOCKED_MODEL:
            blocked = {"promptFeedback": {"blockReason": "SAFETY"}, "responseId": response_id}
            self._send_json(200, blocked, request_id)
            return
        count = int((body.get("generationConfig") or {}).get("candidateCount") or 1)
        plans = [replies.plan(model, body) for _ in range(count)]
        if method == "generateContent":
            self._send_json(200, replies.whole_body(model, response_id, body, plans), request_id)
            return
        frames = replies.stream_frames(model, response_id, body, plans)
        self._stream(model, frames, sse=request.query.get("alt") == "sse", request_id=request_id)

    def _check_auth(self, request: RecordedRequest, vertex: bool) -> None:
        if not self.server.owner.require_auth:
            return
        if vertex and not request.headers.get("authorization", "").startswith("Bearer "):
            raise replies.gemini_error(401, "Request had invalid authentication credentials.")
        if not vertex and not (request.headers.get("x-goog-api-key") or request.query.get("key")):
            raise replies.gemini_error(403, "Method doesn't allow unregistered callers.")

    def _bug(self, message: str) -> Any:
        return replies.gemini_error(500, message)

    def _stream(self, model: str, frames: list[dict[str, Any]], *, sse: bool, request_id: str) -> None:
        if model == replies.STREAM_ERROR_MODEL:
            failure = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
            frames = [*frames[:_FRAMES_BEFORE_FAILURE], failure]
        elif model == replies.STREAM_DROP_MODEL:
            frames = frames[:_FRAMES_BEFORE_FAILURE]
        content_type = "text/event-stream" if sse else "application/json; charset=UTF-8"
        self._start_chunked(200, {"content-type": content_type, self.request_id_header: request_id})
        for position, frame in enumerate(frames):
            data = json.dumps(frame).encode()
            if sse:
                self._write_chunk(b"data: " + data + b"\r\n\r\n")
            else:
                self._write_chunk((b"[" if position == 0 else b"\n,\r\n") + data)
        if model == replies.STREAM_DROP_MODEL:
            self.close_connection = True  # no terminating chunk: the body ends as on a dropped link
            return
        if not sse:
            self._write_chunk(b"\n]")
        self._write_chunk(b"")


class FakeGeminiServer(LoopbackFake):
    """A fake Gemini (AI Studio and Vertex paths) server on a loopback port, served from a daemon thread.

    Attributes:
        require_auth: Whether requests need ``x-goog-api-key`` (AI Studio paths) or a Bearer
            token (Vertex paths).
        requests: Every request received, in arrival order.
    """

    handler = _Handler
    thread_name = "llmport-fake-gemini"

    @property
    def base_url(self) -> str:
        """The AI Studio base (with its version, as ``api_base`` takes it): ``http://127.0.0.1:PORT/v1beta``."""
        return self.root_url + "/v1beta"

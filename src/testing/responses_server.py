"""A loopback fake of the OpenAI Responses API, for acceptance tests and users' own tests.

It speaks the wire format (``POST /v1/responses`` with a bearer key, JSON bodies, typed SSE
events, OpenAI's error shape) with deterministic canned answers: a reasoning item (with an
encrypted token when ``include`` asks for one, checked when it comes back), a function call
when function tools are offered, JSON matching ``text.format`` for structured output, and text
echoing the last user turn. Azure OpenAI's paths are served too (``/openai/v1/responses``, and
``/openai/responses`` with ``api-version``), with Azure's ``api-key`` header::

    with FakeResponsesServer() as srv:
        llmport.completion("responses/gpt-5", messages, api_base=srv.base_url, api_key="sk-test")

Magic model names script failures, as on ``FakeOpenAIServer``: ``fake-error-<status>``,
``fake-error-context``, ``fake-stream-drop`` (no ``response.completed``) and
``fake-stream-error`` (``error`` and ``response.failed`` events mid-stream).
"""

from __future__ import annotations

import uuid
from typing import Any

from . import _fake_checks as checks
from . import _responses_replies as replies
from ._anthropic_replies import sse_frame  # events named after their type, as OpenAI sends them
from .loopback import FakeProviderHandler, LoopbackFake, LoopbackHTTPServer, RecordedRequest

__all__ = ["FakeResponsesServer"]

_PATHS = frozenset({"/v1/responses", "/responses"})
# Azure OpenAI's: the v1 API (no api-version), and the dated preview API (api-version required).
_AZURE_V1, _AZURE_PREVIEW = "/openai/v1/responses", "/openai/responses"
_EVENTS_BEFORE_FAILURE = 4  # created, in_progress, an item added and a first delta


class _Handler(FakeProviderHandler):
    server: LoopbackHTTPServer

    def _handle(self, request: RecordedRequest, request_id: str) -> None:
        self._check_route(request)
        body = replies.check_request(request.body)
        error = checks.magic_error(body["model"])
        if error is not None:
            raise error
        answer = replies.plan(body)
        response_id = f"resp_fake{uuid.uuid4().hex[:24]}"
        if body.get("stream") is True:
            self._stream(
                list(replies.stream_events(response_id, body, answer)), body, response_id, request_id
            )
        else:
            self._send_json(200, replies.response_body(response_id, body, answer), request_id)

    def _check_route(self, request: RecordedRequest) -> None:
        required = self.server.owner.require_auth
        if request.method == "POST" and request.path == _AZURE_PREVIEW:
            checks.check_azure(request.headers, request.query, require_auth=required)
        elif request.method == "POST" and request.path == _AZURE_V1:
            checks.check_azure(request.headers, {"api-version": "v1"}, require_auth=required)
        elif request.method != "POST" or request.path not in _PATHS:
            raise checks.openai_error(404, f"Invalid URL ({request.method} {request.path})")
        elif required:
            checks.check_bearer(request.headers)

    def _bug(self, message: str) -> checks.FakeApiError:
        return checks.openai_error(500, message, type_="server_error")

    def _stream(
        self, events: list[dict[str, Any]], body: dict[str, Any], response_id: str, request_id: str
    ) -> None:
        model = body["model"]
        if model == checks.STREAM_ERROR_MODEL:
            events = [*events[:_EVENTS_BEFORE_FAILURE], *replies.failure_events(response_id, body)]
        elif model == checks.STREAM_DROP_MODEL:
            events = events[:_EVENTS_BEFORE_FAILURE]
        frames = [sse_frame(event) for event in events]
        self._send_sse(frames, {"x-request-id": request_id}, drop=model == checks.STREAM_DROP_MODEL)


class FakeResponsesServer(LoopbackFake):
    """A fake OpenAI Responses server on a loopback port, served from a daemon thread.

    Attributes:
        require_auth: Whether requests need an ``Authorization: Bearer`` key.
        requests: Every request received, in arrival order.
    """

    handler = _Handler
    thread_name = "llmport-fake-responses"

    @property
    def base_url(self) -> str:
        """The base URL as ``api_base=`` takes it, e.g. ``http://127.0.0.1:PORT/v1``."""
        return self.root_url + "/v1"

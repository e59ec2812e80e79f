"""A loopback fake of AWS Bedrock's Converse API, for acceptance tests and users' own tests.

It speaks the wire format (``POST /model/{modelId}/converse`` and ``/converse-stream``, SigV4
or Bedrock-API-key auth, JSON bodies, binary ``application/vnd.amazon.eventstream`` answers,
errors with ``x-amzn-ErrorType``) with deterministic canned answers: reasoning when Claude's
``thinking`` is enabled, a ``toolUse`` block when tools are offered, JSON matching
``outputConfig`` for structured output, and text echoing the last user turn::

    with FakeBedrockServer() as srv:
        completion("bedrock/anthropic.claude-3-haiku-20240307-v1:0", messages,
                   api_base=srv.base_url, aws_region_name="us-east-1",
                   aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")

A request must carry an ``Authorization`` header that is either a SigV4 signature scoped to the
``bedrock`` service (with ``X-Amz-Date``) or a bearer key. Event streams are encoded by
``llmport.testing.eventstream`` and decoded again by botocore before they are served.

Magic model ids script failures: ``fake-error-<status>`` (the matching Bedrock code),
``fake-error-context`` ("Input is too long"), ``fake-error-not-ready`` (429
ModelNotReadyException), ``fake-stream-drop`` (no ``metadata``) and ``fake-stream-error`` (a
``throttlingException`` frame mid-stream).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from . import _bedrock_replies as replies
from . import _fake_checks as checks
from .eventstream import event_frame, event_stream, exception_frame
from .loopback import FakeProviderHandler, LoopbackFake, LoopbackHTTPServer, RecordedRequest

__all__ = ["FakeBedrockServer"]

EVENT_STREAM = "application/vnd.amazon.eventstream"
_PATH = re.compile(r"/model/(?P<model>[^/]+)/(?P<operation>converse|converse-stream)")
_SIGV4 = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)"
    r"/aws4_request,"
    r"\s*SignedHeaders=(?P<signed>[a-z0-9;-]+),\s*Signature=[0-9a-f]{64}$"
)
_FRAMES_BEFORE_FAILURE = 3  # messageStart and two deltas


def check_auth(headers: dict[str, str]) -> None:
    """Refuse a request without a SigV4 signature for ``bedrock`` (or a bearer API key), as AWS does."""
    authorization = headers.get("authorization", "")
    if authorization.startswith("Bearer ") and len(authorization) > len("Bearer "):
        return
    match = _SIGV4.match(authorization)
    if match is None:
        raise replies.bedrock_error(
            403, "Missing Authentication Token", "MissingAuthenticationTokenException"
        )
    if match.group("service") != "bedrock":
        raise replies.bedrock_error(
            403, "Credential should be scoped to correct service: 'bedrock'.", "InvalidSignatureException"
        )
    signed = match.group("signed").split(";")
    if "host" not in signed or "x-amz-date" not in signed or not headers.get("x-amz-date"):
        raise replies.bedrock_error(
            403, "The request signature does not cover host and x-amz-date.", "InvalidSignatureException"
        )


class _Handler(FakeProviderHandler):
    server: LoopbackHTTPServer
    request_id_header = "x-amzn-RequestId"
    request_id_prefix = ""

    def _handle(self, request: RecordedRequest, request_id: str) -> None:
        match = _PATH.fullmatch(request.path)
        if request.method != "POST" or match is None:
            raise replies.bedrock_error(
                404, f"Not found: {request.method} {request.path}", "UnknownOperationException"
            )
        if self.server.owner.require_auth:
            check_auth(request.headers)
        model = unquote(match.group("model"))
        error = replies.magic_error(model)
        if error is not None:
            raise error
        body = replies.check_request(request.body)
        answer = replies.plan(body)
        if match.group("operation") == "converse-stream":
            self._stream(list(replies.stream_events(body, answer)), model, request_id)
        else:
            self._send_json(200, replies.converse_body(body, answer), request_id)

    def _bug(self, message: str) -> checks.FakeApiError:
        return replies.bedrock_error(500, message)

    def _stream(self, events: list[tuple[str, Any]], model: str, request_id: str) -> None:
        frames = [event_frame(kind, payload) for kind, payload in events]
        if model == replies.STREAM_ERROR_MODEL:
            failure = exception_frame(
                "throttlingException", "Too many tokens, please wait before trying again."
            )
            frames = [*frames[:_FRAMES_BEFORE_FAILURE], failure]
        elif model == replies.STREAM_DROP_MODEL:
            frames = frames[:-1]  # everything but metadata
        event_stream(frames)  # botocore must decode what is served
        self._start_chunked(200, {"content-type": EVENT_STREAM, "x-amzn-RequestId": request_id})
        for frame in frames:
            self._write_chunk(frame)
        self._write_chunk(b"")


class FakeBedrockServer(LoopbackFake):
    """A fake Bedrock runtime (Converse) on a loopback port, served from a daemon thread.

    Attributes:
        require_auth: Whether requests need a SigV4 ``Authorization`` header (or a bearer key).
        requests: Every request received, in arrival order.
    """

    handler = _Handler
    thread_name = "llmport-fake-bedrock"

    @property
    def base_url(self) -> str:
        """The runtime endpoint to pass as ``api_base`` (or ``AWS_BEDROCK_RUNTIME_ENDPOINT``)."""
        return self.root_url

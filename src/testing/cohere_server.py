"""A loopback fake of Cohere's v2 chat API, for acceptance tests and users' own tests.

It speaks the wire format (``POST /v2/chat`` with a bearer key, JSON bodies, SSE streams with
``event:`` lines, ``{"id", "message"}`` errors) and refuses what Cohere refuses, with its 422 for
unknown fields (``index`` on a tool call, ``name`` on a tool message, ``strict`` in a function).
Answers are deterministic: thinking when ``thinking`` is enabled, a ``tool_plan`` and a tool call
when tools are offered, JSON for ``response_format``, text echoing the last user turn::

    with FakeCohereServer() as srv:
        os.environ["COHERE_API_BASE"] = srv.base_url
        ...

Magic model names script failures: ``fake-error-<status>``, ``fake-error-context``,
``fake-stream-drop`` (no ``message-end``) and ``fake-stream-error`` (``message-end`` with
``finish_reason: ERROR``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from . import _native_replies as replies
from ._fake_checks import FakeApiError
from .loopback import FakeProviderHandler, LoopbackFake, LoopbackHTTPServer, RecordedRequest

__all__ = ["FakeCohereServer"]

JsonDict = dict[str, Any]
REPLY_PREFIX = "This is a fake reply from llmport's loopback Cohere server. You said: "
_FIELDS = frozenset(
    {
        "model", "messages", "stream", "tools", "strict_tools", "documents", "citation_options",
        "response_format", "safety_mode", "max_tokens", "stop_sequences", "temperature", "seed",
        "frequency_penalty", "presence_penalty", "k", "p", "logprobs", "tool_choice", "thinking", "priority",
    }
)  # fmt: skip
_MESSAGE_FIELDS = {
    "system": {"role", "content"},
    "user": {"role", "content"},
    "assistant": {"role", "content", "tool_calls", "tool_plan", "citations"},
    "tool": {"role", "tool_call_id", "content"},
}
_FINISH = {
    "stop": "COMPLETE",
    "stop_sequence": "STOP_SEQUENCE",
    "length": "MAX_TOKENS",
    "tool_calls": "TOOL_CALL",
}
_EVENTS_BEFORE_FAILURE = 3


def cohere_error(status: int, message: str) -> FakeApiError:
    """Build an error answer in Cohere's shape (``{"id", "message"}``)."""
    return FakeApiError(status, {"id": str(uuid.uuid4()), "message": message})


def _unknown(name: str) -> FakeApiError:
    return cohere_error(
        422, f"unknown field: parameter '{name}' is not a valid field. For proper usage, please refer to "
        "https://docs.cohere.com/reference/chat",
    )  # fmt: skip


def check_request(body: Any) -> JsonDict:
    """Refuse what v2 chat refuses: unknown fields anywhere, tool results without a call id."""
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        raise cohere_error(400, "invalid request: model is required")
    for name in body:
        if name not in _FIELDS:
            raise _unknown(name)
    for message in body.get("messages") or ():
        _check_message(message)
    for tool in body.get("tools") or ():
        for name in set(tool.get("function") or {}) - {"name", "description", "parameters"}:
            raise _unknown(name)
    _magic(body["model"])
    return body


def _check_message(message: JsonDict) -> None:
    allowed = _MESSAGE_FIELDS.get(str(message.get("role")))
    if allowed is None:
        raise cohere_error(400, f"invalid request: role {message.get('role')!r} is not valid")
    for name in set(message) - allowed:
        raise _unknown(name)
    for call in message.get("tool_calls") or ():
        for name in set(call) - {"id", "type", "function"}:
            raise _unknown(name)
    if message["role"] == "tool" and not message.get("tool_call_id"):
        raise cohere_error(400, "invalid request: tool call id must be provided with tool message")


def _magic(model: str) -> None:
    if model == replies.CONTEXT_MODEL:
        raise cohere_error(
            400, "too many tokens: size limit exceeded by 11326 tokens. Try using shorter inputs."
        )
    status = replies.magic_status(model)
    if status is not None:
        raise cohere_error(status, f"scripted failure {status} for model {model}")


def answer_plan(body: JsonDict) -> replies.Plan:
    """Plan the answer to a v2 chat request."""
    fmt = body.get("response_format") or {}
    schema = fmt.get("json_schema") or ("json" if fmt.get("type") == "json_object" else None)
    tools = [t["function"] for t in body.get("tools") or ()]
    if body.get("tool_choice") == "NONE":
        tools = []
    thinking = body.get("thinking") or {}
    return replies.plan(
        body.get("messages") or [], tools=tools, schema=schema, think=thinking.get("type") == "enabled",
        max_tokens=body.get("max_tokens"), stops=list(body.get("stop_sequences") or ()),
        reply_prefix=REPLY_PREFIX,
    )  # fmt: skip


def events(plan: replies.Plan) -> list[JsonDict]:
    """Return the answer's stream events, from message-start to message-end."""
    empty = {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}
    out: list[JsonDict] = [{"id": str(uuid.uuid4()), "type": "message-start", "delta": {"message": empty}}]
    index = 0
    for kind, text in (("thinking", plan.thinking), ("text", plan.text)):
        if not text:
            continue
        out.append(
            {
                "type": "content-start",
                "index": index,
                "delta": {"message": {"content": {"type": kind, kind: ""}}},
            }
        )
        pieces = [text] if kind == "thinking" else plan.pieces
        out += [
            {"type": "content-delta", "index": index, "delta": {"message": {"content": {kind: p}}}}
            for p in pieces
        ]
        out.append({"type": "content-end", "index": index})
        index += 1
    if plan.tool_calls:
        out.append({"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "I will use the tool."}}})
    for i, call in enumerate(plan.tool_calls):
        function = {"name": call["name"], "arguments": ""}
        start = {"id": f"{call['name']}_{call['digest'][:12]}", "type": "function", "function": function}
        arguments = json.dumps(call["arguments"])
        out.append({"type": "tool-call-start", "index": i, "delta": {"message": {"tool_calls": start}}})
        delta = {"tool_calls": {"function": {"arguments": arguments}}}
        out.append({"type": "tool-call-delta", "index": i, "delta": {"message": delta}})
        out.append({"type": "tool-call-end", "index": i})
    usage = {
        "billed_units": {"input_tokens": plan.prompt_tokens, "output_tokens": plan.completion_tokens},
        "tokens": {"input_tokens": plan.prompt_tokens + 10, "output_tokens": plan.completion_tokens},
    }
    out.append({"type": "message-end", "delta": {"finish_reason": _FINISH[plan.stop], "usage": usage}})
    return out


def whole(stream: list[JsonDict]) -> JsonDict:
    """Return the non-streamed answer the events add up to."""
    message: JsonDict = {"role": "assistant"}
    content: dict[int, JsonDict] = {}
    calls: dict[int, JsonDict] = {}
    for event in stream:
        delta = (event.get("delta") or {}).get("message") or {}
        kind = event["type"]
        if kind == "content-start":
            content[event["index"]] = dict(delta["content"])
        elif kind == "content-delta":
            part = content[event["index"]]
            for key, piece in delta["content"].items():
                part[key] += piece
        elif kind == "tool-plan-delta":
            message["tool_plan"] = message.get("tool_plan", "") + delta["tool_plan"]
        elif kind == "tool-call-start":
            calls[event["index"]] = json.loads(json.dumps(delta["tool_calls"]))
        elif kind == "tool-call-delta":
            calls[event["index"]]["function"]["arguments"] += delta["tool_calls"]["function"]["arguments"]
    if content:
        message["content"] = [content[i] for i in sorted(content)]
    if calls:
        message["tool_calls"] = [calls[i] for i in sorted(calls)]
    end = stream[-1]["delta"]
    return {
        "id": stream[0]["id"],
        "message": message,
        "finish_reason": end["finish_reason"],
        "usage": end["usage"],
    }


class _Handler(FakeProviderHandler):
    server: LoopbackHTTPServer

    def _handle(self, request: RecordedRequest, request_id: str) -> None:
        if (request.method, request.path) != ("POST", "/v2/chat"):
            raise cohere_error(404, f"Not found: {request.method} {request.path}")
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if self.server.owner.require_auth and token in ("", "invalid"):
            raise cohere_error(401, "no api key supplied" if not token else "invalid api token")
        body = check_request(request.body)
        stream = events(answer_plan(body))
        if body.get("stream") is not True:
            self._send_json(200, whole(stream), request_id)
            return
        model = body["model"]
        if model == replies.STREAM_ERROR_MODEL:
            failure = {"finish_reason": "ERROR", "error": "internal error during generation"}
            stream = [*stream[:_EVENTS_BEFORE_FAILURE], {"type": "message-end", "delta": failure}]
        elif model == replies.STREAM_DROP_MODEL:
            stream = stream[:_EVENTS_BEFORE_FAILURE]
        self._start_chunked(200, {"content-type": "text/event-stream", self.request_id_header: request_id})
        for event in stream:
            self._write_chunk(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode())
        if model == replies.STREAM_DROP_MODEL:
            self.close_connection = True  # no terminating chunk: the body ends as on a dropped link
            return
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")

    def _bug(self, message: str) -> FakeApiError:
        return cohere_error(500, message)


class FakeCohereServer(LoopbackFake):
    """A fake Cohere v2 chat server on a loopback port, served from a daemon thread.

    Attributes:
        require_auth: Whether requests need a bearer key (``invalid`` is refused as a bad key).
        requests: Every request received, in arrival order.
    """

    handler = _Handler
    thread_name = "llmport-fake-cohere"

    @property
    def base_url(self) -> str:
        """The base URL (host root, as ``COHERE_API_BASE`` takes it), e.g. ``http://127.0.0.1:PORT``."""
        return self.root_url

"""A loopback fake of Ollama's native API, for acceptance tests and users' own tests.

It speaks the wire format (``POST /api/chat`` and ``/api/generate``, JSON bodies, NDJSON streams
by default, ``{"error": "..."}`` errors) with deterministic answers: ``thinking`` when ``think`` is
on, a tool call (with an id and index, arguments as an object) when tools are offered, JSON for
``format``, and text echoing the last user turn::

    with FakeOllamaServer() as srv:
        os.environ["OLLAMA_API_BASE"] = srv.base_url
        ...

Magic model names script failures: ``fake-error-<status>``, ``fake-error-context``,
``fake-stream-drop`` (no ``done: true`` line) and ``fake-stream-error`` (an ``error`` line
after HTTP 200, as a failing runner sends).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from . import _native_replies as replies
from ._fake_checks import FakeApiError
from .loopback import FakeProviderHandler, LoopbackFake, LoopbackHTTPServer, RecordedRequest

__all__ = ["FakeOllamaServer"]

JsonDict = dict[str, Any]
REPLY_PREFIX = "This is a fake reply from llmport's loopback Ollama server. You said: "
_ROLES = frozenset({"system", "user", "assistant", "tool"})
_LINES_BEFORE_FAILURE = 2


def ollama_error(status: int, message: str) -> FakeApiError:
    """Build an error answer in Ollama's shape (``{"error": "<message>"}``)."""
    return FakeApiError(status, {"error": message})


def check_chat(body: Any) -> JsonDict:
    """Refuse what Ollama refuses: no model, bad roles, string tool arguments (Go's unmarshal error)."""
    if not isinstance(body, dict) or not isinstance(body.get("model"), str) or not body["model"]:
        raise ollama_error(400, "model is required")
    for index, message in enumerate(body.get("messages") or ()):
        if not isinstance(message, dict) or str(message.get("role", "")).lower() not in _ROLES:
            raise ollama_error(400, f"invalid role in messages[{index}]")
        for call in message.get("tool_calls") or ():
            if not isinstance((call.get("function") or {}).get("arguments"), dict):
                raise ollama_error(
                    400,
                    "json: cannot unmarshal string into Go value of type api.ToolCallFunctionArguments",
                )
        if not isinstance(message.get("content", ""), str):
            raise ollama_error(
                400,
                "json: cannot unmarshal array into Go struct field Message.messages.content of type string",
            )
    magic = replies.magic_status(body["model"])
    if body["model"] == replies.CONTEXT_MODEL:
        raise ollama_error(400, "the input length exceeds the context length")
    if magic == 404:
        raise ollama_error(404, f"model '{body['model']}' not found")
    if magic is not None:
        raise ollama_error(magic, f"scripted failure {magic} for model {body['model']}")
    return body


def answer_plan(body: JsonDict, *, chat: bool) -> replies.Plan:
    """Plan the answer to a chat or generate request."""
    options = body.get("options") or {}
    messages = body.get("messages") if chat else [{"role": "user", "content": body.get("prompt", "")}]
    tools = [t["function"] for t in body.get("tools") or () if isinstance(t, dict) and "function" in t]
    return replies.plan(
        messages or [], tools=tools, schema=body.get("format"), think=bool(body.get("think")),
        max_tokens=options.get("num_predict"), stops=list(options.get("stop") or ()),
        reply_prefix=REPLY_PREFIX,
    )  # fmt: skip


def lines(body: JsonDict, plan: replies.Plan, *, chat: bool) -> list[JsonDict]:
    """Return the answer's NDJSON objects: thinking, tool calls, word pieces, then the done line."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    head: JsonDict = {"model": body["model"], "created_at": now}
    deltas: list[JsonDict] = []
    if plan.thinking:
        deltas.append({"thinking": plan.thinking})
    if plan.tool_calls:
        calls = [
            {
                "id": f"call_{c['digest'][:8]}",
                "function": {"index": i, "name": c["name"], "arguments": c["arguments"]},
            }
            for i, c in enumerate(plan.tool_calls)
        ]
        deltas.append({"tool_calls": calls})
    deltas += [{"content": piece} for piece in plan.pieces]
    out = [{**head, **_delta(delta, chat), "done": False} for delta in deltas]
    reason = "length" if plan.stop == "length" else "stop"  # Ollama has no tool_calls reason
    done = {**head, **_delta({"content": ""}, chat), "done": True, "done_reason": reason}
    done |= {
        "total_duration": 1000,
        "prompt_eval_count": plan.prompt_tokens,
        "eval_count": plan.completion_tokens,
    }
    return [*out, done]


def _delta(delta: JsonDict, chat: bool) -> JsonDict:
    if chat:
        return {"message": {"role": "assistant", "content": "", **delta}}
    return {
        "response": delta.get("content", ""),
        **({"thinking": delta["thinking"]} if "thinking" in delta else {}),
    }


def whole(objects: list[JsonDict], *, chat: bool) -> JsonDict:
    """Return the non-streamed answer: the done line carrying everything the stream's lines carried."""
    done = dict(objects[-1])
    if chat:
        message: JsonDict = {"role": "assistant", "content": ""}
        for line in objects[:-1]:
            part = line["message"]
            message["content"] += part.get("content", "")
            for key in ("thinking", "tool_calls"):
                if key in part:
                    message[key] = part[key]
        done["message"] = message
    else:
        done["response"] = "".join(line["response"] for line in objects[:-1])
        thinking = "".join(line.get("thinking", "") for line in objects[:-1])
        if thinking:
            done["thinking"] = thinking
    return done


class _Handler(FakeProviderHandler):
    server: LoopbackHTTPServer

    def _handle(self, request: RecordedRequest, request_id: str) -> None:
        if request.method != "POST" or request.path not in ("/api/chat", "/api/generate"):
            raise ollama_error(404, "404 page not found")
        owner = self.server.owner
        if owner.require_auth and not request.headers.get("authorization", "").startswith("Bearer "):
            raise ollama_error(401, "unauthorized")
        chat = request.path == "/api/chat"
        body = check_chat(request.body)
        objects = lines(body, answer_plan(body, chat=chat), chat=chat)
        if body.get("stream", True) is False:
            self._send_json(200, whole(objects, chat=chat), request_id)
            return
        self._stream(objects, body["model"], request_id)

    def _bug(self, message: str) -> FakeApiError:
        return ollama_error(500, message)

    def _stream(self, objects: list[JsonDict], model: str, request_id: str) -> None:
        if model == replies.STREAM_ERROR_MODEL:
            objects = [
                *objects[:_LINES_BEFORE_FAILURE],
                {"error": "an error was encountered while running the model"},
            ]
        elif model == replies.STREAM_DROP_MODEL:
            objects = objects[:_LINES_BEFORE_FAILURE]
        self._start_chunked(200, {"content-type": "application/x-ndjson", self.request_id_header: request_id})
        for item in objects:
            self._write_chunk(json.dumps(item).encode() + b"\n")
        if model == replies.STREAM_DROP_MODEL:
            self.close_connection = True  # no terminating chunk: the body ends as on a dropped link
            return
        self._write_chunk(b"")


class FakeOllamaServer(LoopbackFake):
    """A fake Ollama server on a loopback port, served from a daemon thread.

    Args:
        host: A loopback address.
        port: The port (0 picks a free one).
        require_auth: Whether requests need a bearer key (Ollama Cloud); a local Ollama needs none.

    Attributes:
        requests: Every request received, in arrival order.
    """

    handler = _Handler
    thread_name = "llmport-fake-ollama"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, require_auth: bool = False) -> None:
        super().__init__(host=host, port=port, require_auth=require_auth)

    @property
    def base_url(self) -> str:
        """The base URL (host root, as ``OLLAMA_API_BASE`` takes it), e.g. ``http://127.0.0.1:PORT``."""
        return self.root_url

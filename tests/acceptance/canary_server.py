"""A loopback provider that echoes the caller's credentials back, as careless providers do.

OpenAI answers a bad key with ``Incorrect API key provided: sk-...`` and an unknown URL with the
path it was sent (query string included); this server does both, in every answer it can: error
messages, error fields, response headers. It speaks OpenAI's chat shape on any path but
``/messages`` (Anthropic's shape), ``/models/<model>:generateContent`` (Gemini's, the model in
the path), ``/api/chat`` (Ollama's, NDJSON streams) and ``/v2/chat`` (Cohere's) and picks its
behaviour from the request's model name:

- ``ok``: a success (streamed when asked), with a ``set-cookie`` header carrying the key;
- ``e<status>`` (``e401``, ``e429``...): that error status, key echoed in full and masked;
- ``drop``: a stream that starts and then hangs up mid-body;
- ``stall``: accepts and never answers (until the server stops);
- ``not-json``, ``wrong-shape``, ``bad-event`` (streamed): a 200 whose body is broken and
  carries the key.

Anything it cannot route is a 404 echoing the request target.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

from llmport.testing.loopback import LoopbackFake, QuietHandler

_DECODE_SCHEMES = ("basic ",)


def _credentials(headers: dict[str, str]) -> str:
    """Every credential the request carried, as the provider would see (and echo) them."""
    found = []
    named = ("authorization", "x-api-key", "api-key", "x-goog-api-key")
    custom = sorted(name for name in headers if name.endswith(("-key", "-token")) and name not in named)
    for name in (*named, *custom):
        value = headers.get(name)
        if not value:
            continue
        scheme, _, token = value.partition(" ")
        found.append(token if token else scheme)
        if value.lower().startswith(_DECODE_SCHEMES):
            found.append(base64.b64decode(token).decode("utf-8", "replace"))
    return " / ".join(found) or "<none>"


def _masked(key: str) -> str:
    # OpenAI's own masking: the first eight characters, stars, the last four.
    return f"{key[:8]}{'*' * 20}{key[-4:]}" if len(key) > 12 else key


class _Handler(QuietHandler):
    server: Any

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        self.server.owner.record(self.path, headers)
        path = self.path.split("?")[0]
        anthropic = path.endswith("/messages")
        responses = path.endswith("/responses")
        gemini = path.endswith((":generateContent", ":streamGenerateContent"))
        native = {"/api/chat": "ollama", "/v2/chat": "cohere"}.get(
            path[path.rfind("/", 0, path.rfind("/")) :]
        )
        known = gemini or native or path.endswith(("/chat/completions", "/messages", "/responses"))
        key = _credentials(headers)
        model = str(body.get("model") or self.path.split("/deployments/")[-1].split("/")[0])
        if gemini:
            model, body = path.split("/models/")[-1].split(":")[0], {"stream": "stream" in path}
        style = "gemini" if gemini else "anthropic" if anthropic else "responses" if responses else "openai"
        style = native or style
        if not known:
            self._error(404, f"Invalid URL (POST {self.path})", style=style, key=key)
        elif model.startswith("e") and model[1:].isdigit():
            message = f"Incorrect API key provided: {key} (shown as {_masked(key)}) on {self.path}"
            self._error(int(model[1:]), message, style=style, key=key)
        elif model == "not-json":
            self._raw(200, f"<html>upstream error for {key}</html>".encode(), "text/html")
        elif model == "wrong-shape":
            self._json(200, {"id": key, "choices": key, "content": key, "type": key}, key)
        elif model == "bad-event":
            self._raw(200, f"data: {{not json {key}\n\n".encode(), "text/event-stream")
        elif model == "stall":
            self.server.owner.stopping.wait(10)
            self.close_connection = True
        elif body.get("stream"):
            self._stream(style, key, drop=model == "drop")
        else:
            answers = {
                "anthropic": _anthropic_message,
                "cohere": _cohere_answer,
                "gemini": _gemini_answer,
                "ollama": _ollama_answer,
                "openai": _openai_completion,
                "responses": _responses_answer,
            }
            self._json(200, answers[style](), key)

    def _error(self, status: int, message: str, *, style: str, key: str) -> None:
        if style == "anthropic":
            payload: dict[str, Any] = {
                "type": "error",
                "error": {"type": "invalid_request_error", "message": message},
            }
        elif style == "ollama":
            payload = {"error": message}
        elif style == "cohere":
            payload = {"id": key, "message": message}
        elif style == "gemini":
            detail = {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": key,
                "metadata": {"key": key},
            }
            payload = {"error": {"code": status, "message": message, "status": key, "details": [detail]}}
        else:
            payload = {
                "error": {"message": message, "type": "invalid_request_error", "param": key, "code": key}
            }
        self._json(status, payload, key, {"retry-after": "0", "www-authenticate": f"Bearer realm={key}"})

    def _json(self, status: int, payload: Any, key: str, extra: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-request-id", "req_echo")
        self.send_header("set-cookie", f"session={key}")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _raw(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, style: str, key: str, *, drop: bool) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("set-cookie", f"session={key}")
        self.end_headers()
        events = {
            "anthropic": _anthropic_events,
            "cohere": _cohere_events,
            "gemini": _gemini_events,
            "ollama": _ollama_events,
            "openai": _openai_events,
            "responses": _responses_events,
        }[style]()
        for index, event in enumerate(events):
            if drop and index == 2:
                self.close_connection = True
                return  # no terminating chunk: a link dropped mid-body
            frame = f"data: {event}\n\n".encode() if isinstance(event, str) else event
            self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
        self.wfile.write(b"0\r\n\r\n")


def _openai_completion() -> dict[str, Any]:
    return {
        "id": "chatcmpl-echo",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "ok",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _openai_events() -> list[str]:
    base = {"id": "chatcmpl-echo", "object": "chat.completion.chunk", "created": 1700000000, "model": "ok"}
    deltas = [{"role": "assistant", "content": ""}, {"content": "hel"}, {"content": "lo"}]
    events = [
        json.dumps({**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]}) for d in deltas
    ]
    events.append(json.dumps({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    return [*events, "[DONE]"]


def _anthropic_message() -> dict[str, Any]:
    return {
        "id": "msg_echo",
        "type": "message",
        "role": "assistant",
        "model": "ok",
        "content": [{"type": "text", "text": "hello"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }


def _anthropic_events() -> list[bytes]:
    message = {**_anthropic_message(), "content": [], "stop_reason": None}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": message}),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hello"}},
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}},
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return [f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events]


def _responses_answer() -> dict[str, Any]:
    text = {"type": "output_text", "text": "hello", "annotations": []}
    message = {"id": "msg_echo", "type": "message", "role": "assistant", "content": [text]}
    usage = {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}
    return {
        "id": "resp_echo",
        "object": "response",
        "status": "completed",
        "model": "ok",
        "output": [message],
        "usage": usage,
    }


def _responses_events() -> list[bytes]:
    answer = _responses_answer()
    item = {**answer["output"][0], "content": []}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {**answer, "status": "in_progress", "output": []}},
        {"type": "response.output_item.added", "output_index": 0, "item": item},
        {"type": "response.output_text.delta", "item_id": "msg_echo", "output_index": 0, "delta": "hello"},
        {"type": "response.completed", "response": answer},
    ]
    return [f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode() for event in events]


def _gemini_answer() -> dict[str, Any]:
    candidate = {
        "content": {"role": "model", "parts": [{"text": "hello"}]},
        "finishReason": "STOP",
        "index": 0,
    }
    usage = {"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2}
    return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": "ok", "responseId": "echo"}


def _gemini_events() -> list[str]:
    frames = []
    for text in ("hel", "lo", ""):
        frame = _gemini_answer()
        frame["candidates"][0]["content"]["parts"] = [{"text": text}]
        if text:
            del frame["candidates"][0]["finishReason"]
        frames.append(json.dumps(frame))
    return frames


def _ollama_answer() -> dict[str, Any]:
    message = {"role": "assistant", "content": "hello"}
    return {"model": "ok", "message": message, "done": True, "done_reason": "stop", "eval_count": 1}


def _ollama_events() -> list[bytes]:
    lines = [
        {"model": "ok", "message": {"role": "assistant", "content": text}, "done": False}
        for text in ("hel", "lo")
    ]
    return [json.dumps(line).encode() + b"\n" for line in (*lines, _ollama_answer())]


def _cohere_answer() -> dict[str, Any]:
    usage = {
        "billed_units": {"input_tokens": 1, "output_tokens": 1},
        "tokens": {"input_tokens": 1, "output_tokens": 1},
    }
    message = {"role": "assistant", "content": [{"type": "text", "text": "hello"}]}
    return {"id": "echo", "message": message, "finish_reason": "COMPLETE", "usage": usage}


def _cohere_events() -> list[bytes]:
    events: list[dict[str, Any]] = [
        {"type": "message-start", "id": "echo", "delta": {"message": {"role": "assistant"}}}
    ]
    events += [
        {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": text}}}}
        for text in ("hel", "lo")
    ]
    events.append(
        {"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": _cohere_answer()["usage"]}}
    )
    return [f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events]


class EchoingProvider(LoopbackFake):
    """The echoing provider; ``targets`` lists every request target it received."""

    handler = _Handler
    thread_name = "llmport-echo"

    def __init__(self) -> None:
        super().__init__(require_auth=False)
        self.stopping = threading.Event()
        self.targets: list[str] = []

    def record(self, target: str, headers: dict[str, str]) -> None:
        """Remember one request target (the credentials are echoed, never stored)."""
        del headers
        with self._lock:
            self.targets.append(target)

    def stop(self) -> None:
        """Release stalled handlers, then stop."""
        self.stopping.set()
        super().stop()

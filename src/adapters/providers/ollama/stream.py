"""Ollama answer objects → OpenAI-shaped chunks: one decoder for NDJSON streams and whole bodies.

Every NDJSON line is one object with a delta (``message.content`` / ``thinking`` /
``tool_calls`` for chat, ``response`` / ``thinking`` for generate); the last has ``done: true``,
``done_reason`` and the token counts. A whole (non-streamed) body is that last object with
everything in it, so it goes through the same decoder. A line holding ``error`` (sent after
HTTP 200 when the runner fails) raises the mapped error.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ....domain.models.errors import APIError
from ....domain.models.stream import ModelResponseStream
from ....ports.codec import ProviderCall
from ..errors import build_error, event_object, invalid_response
from ..think_tags import ThinkTagSplitter
from .errors import ollama_error_fields

CUT_MESSAGE = "the Ollama stream ended before its done: true line"
# Ollama's done reasons; "load"/"unload" only answer the empty load/unload requests.
FINISH_REASONS = {"stop": "stop", "length": "length", "load": "stop", "unload": "stop"}


class OllamaDecoder:
    """Decodes Ollama answer objects (NDJSON lines) into chunks; a ``FrameDecoder`` done at ``done: true``.

    Args:
        call: The call being answered.
    """

    def __init__(self, call: ProviderCall) -> None:
        self._call = call
        self._id = f"chatcmpl-{uuid.uuid4().hex}"
        self._model = call.model
        self._created: int | None = None
        self._started = False
        self._tools = 0
        self._done = False
        self._think = ThinkTagSplitter()

    @property
    def done(self) -> bool:
        """Whether the ``done: true`` line was seen."""
        return self._done

    def finish(self) -> list[ModelResponseStream]:
        """Nothing is held back; without ``done: true`` the stream is incomplete."""
        return []

    def decode(self, line: str) -> list[ModelResponseStream]:
        """Decode one line (an ``error`` line raises the mapped error)."""
        data = event_object(line, self._call, "an Ollama answer line")
        try:
            return self.answer(data)
        except APIError:
            raise
        except (AttributeError, KeyError, TypeError, ValueError):
            pass
        # Raised outside the except block, so the error quoting the line is not chained.
        raise invalid_response(
            "an Ollama answer line does not have the expected shape", line.encode(), self._call
        )

    def answer(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        """Return the chunks of one decoded answer object."""
        if "error" in data and "message" not in data and "response" not in data:
            raise build_error(None, {}, dict(data), self._call, ollama_error_fields)
        self._model = str(data.get("model") or self._model)
        if self._created is None:
            self._created = _created(data.get("created_at"))
        chunks: list[ModelResponseStream] = []
        if not self._started:
            self._started = True
            chunks.append(self._chunk({"role": "assistant", "content": ""}))
        delta = self._delta(data)
        done = data.get("done") is True
        if done:
            _add_text(delta, *self._think.flush())
        if delta:
            chunks.append(self._chunk(delta))
        if done:
            self._done = True
            chunks.append(self._finish(data))
        return chunks

    def _delta(self, data: Mapping[str, Any]) -> dict[str, Any]:
        message = data.get("message")
        if message is None:  # /api/generate
            message = {"content": data.get("response"), "thinking": data.get("thinking")}
        if not isinstance(message, Mapping):
            raise TypeError("message is not an object")
        delta: dict[str, Any] = {}
        if message.get("thinking"):
            delta["reasoning_content"] = str(message["thinking"])
        if message.get("content"):
            # A `<think>` block opening the text is reasoning (models run with `think` off).
            _add_text(delta, *self._think.feed(str(message["content"])))
        calls = [self._tool_call(call) for call in message.get("tool_calls") or ()]
        if calls:
            delta["tool_calls"] = calls
        return delta

    def _tool_call(self, call: Mapping[str, Any]) -> dict[str, Any]:
        function = call["function"]
        arguments = function.get("arguments")
        if not isinstance(arguments, str):  # an object on the wire; a string only from odd relays
            arguments = json.dumps({} if arguments is None else arguments)
        index, self._tools = self._tools, self._tools + 1
        # Servers before v0.12.10 send no id: one is made up, once, so the stream and the built
        # response agree and the tool result can name it.
        call_id = call.get("id") or f"call_{uuid.uuid4().hex[:24]}"
        return {
            "index": index,
            "id": str(call_id),
            "type": "function",
            "function": {"name": str(function["name"]), "arguments": arguments},
        }

    def _finish(self, data: Mapping[str, Any]) -> ModelResponseStream:
        reason = str(data.get("done_reason") or "stop")
        finish = "tool_calls" if self._tools else FINISH_REASONS.get(reason, "stop")
        prompt = int(data.get("prompt_eval_count") or 0)  # absent when zero, or served from cache
        completion = int(data.get("eval_count") or 0)
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        return self._chunk({}, finish_reason=finish, usage=usage)

    def _chunk(self, delta: dict[str, Any], **extra: Any) -> ModelResponseStream:
        choice = {"index": 0, "delta": delta, "finish_reason": extra.pop("finish_reason", None)}
        payload = {"id": self._id, "choices": [choice], "model": self._model, **extra}
        if self._created is not None:
            payload["created"] = self._created
        return ModelResponseStream.model_validate(payload)


def _add_text(delta: dict[str, Any], reasoning: str, content: str) -> None:
    """Append reasoning and answer text to a delta."""
    if reasoning:
        delta["reasoning_content"] = delta.get("reasoning_content", "") + reasoning
    if content:
        delta["content"] = delta.get("content", "") + content


def _created(stamp: Any) -> int | None:
    """RFC 3339 with nanoseconds (``2026-08-07T06:08:14.73237Z``) → Unix seconds."""
    if not isinstance(stamp, str) or len(stamp) < 19:
        return None
    try:
        return int(datetime.fromisoformat(stamp[:19]).replace(tzinfo=UTC).timestamp()) - _offset(stamp)
    except ValueError:
        return None


def _offset(stamp: str) -> int:
    """Seconds east of UTC in a stamp's suffix (``Z`` or ``±hh:mm``)."""
    tail = stamp[19:].lstrip("0123456789.")
    if len(tail) == 6 and tail[0] in "+-" and tail[3] == ":":
        seconds = int(tail[1:3]) * 3600 + int(tail[4:6]) * 60
        return seconds if tail[0] == "+" else -seconds
    return 0

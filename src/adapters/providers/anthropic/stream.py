"""Anthropic message events → OpenAI-shaped chunks: one assembler for streamed and whole answers.

A streamed answer is a sequence of events (``message_start``, ``content_block_start`` /
``_delta`` / ``_stop``, ``message_delta``, ``message_stop``); a whole message is turned into the
same events (``message_events``) and folded through the same ``EventAssembler``, so both paths
share every rule: text, tool calls with stable indexes, thinking with signatures, the forced
JSON tool becoming content, finish reasons and usage.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ....domain.models.errors import APIError
from ....domain.models.stream import ModelResponseStream
from ....ports.codec import ProviderCall
from ..errors import build_error, event_object, invalid_response
from ..sse import SSEEvent
from .errors import anthropic_error_fields

FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
JSON_TOOL = "json_tool_call"
"""The tool forced for structured output on models without native support; its input is the answer."""


@dataclass
class _Block:
    type: str
    json_content: bool = False
    tool_index: int | None = None
    name: str | None = None
    arguments: bool = False
    thinking: list[str] = field(default_factory=list)
    signature: str = ""
    data: str | None = None


class EventAssembler:
    """Turns Anthropic message events into ``ModelResponseStream`` chunks for one answer.

    Args:
        call: The call being answered.
        json_tool: The name of the forced structured-output tool, if one was sent.
    """

    def __init__(self, call: ProviderCall, json_tool: str | None = None) -> None:
        self._call = call
        self._json_tool = json_tool
        self._blocks: dict[int, _Block] = {}
        self._tools = 0
        self._id: str | None = None
        self._model: str = call.model
        self._usage: dict[str, Any] = {}
        self.stopped = False

    def event(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        """Consume one event payload and return the chunks it makes (an ``error`` event raises)."""
        kind = data.get("type")
        if kind == "message_start":
            return self._start(data.get("message") or {})
        if kind == "content_block_start":
            return self._block_start(int(data["index"]), data.get("content_block") or {})
        if kind == "content_block_delta":
            return self._delta(int(data["index"]), data.get("delta") or {})
        if kind == "content_block_stop":
            return self._block_stop(int(data["index"]))
        if kind == "message_delta":
            return self._message_delta(data)
        if kind == "message_stop":
            self.stopped = True
        elif kind == "error":
            raise build_error(None, {}, data, self._call, anthropic_error_fields)
        elif not isinstance(kind, str):
            raise ValueError("an event without a type")  # the parser reports it with the event
        return []  # ping, and event types added after this codec was written

    def _chunk(self, delta: dict[str, Any], **extra: Any) -> ModelResponseStream:
        choice = {"index": 0, "delta": delta, "finish_reason": extra.pop("finish_reason", None)}
        payload = {"choices": [choice], "model": self._model, **extra}
        if self._id:
            payload["id"] = self._id
        return ModelResponseStream.model_validate(payload)

    def _start(self, message: Mapping[str, Any]) -> list[ModelResponseStream]:
        if self._blocks:
            # A relay that restarted the answer mid-way: delivered chunks cannot be taken back.
            raise self._malformed("a second message_start after content had begun")
        started, self._id = self._id is not None, message.get("id") or self._id
        if started:
            return []  # a repeated message_start before any content changes nothing
        self._model = message.get("model") or self._model
        self._usage.update(message.get("usage") or {})
        return [self._chunk({"role": "assistant", "content": ""})]

    def _block_start(self, index: int, block: Mapping[str, Any]) -> list[ModelResponseStream]:
        kind = str(block.get("type"))
        state = self._blocks[index] = _Block(kind)
        if kind == "text":
            return [self._chunk({"content": block["text"]})] if block.get("text") else []
        if kind in ("thinking", "redacted_thinking"):
            state.signature = block.get("signature") or ""
            state.data = block.get("data")
            return self._thinking(state, block.get("thinking") or "")
        if kind == "tool_use":
            return self._tool_start(state, block)
        return []  # server-tool blocks (web search results...) have no OpenAI counterpart

    def _tool_start(self, state: _Block, block: Mapping[str, Any]) -> list[ModelResponseStream]:
        state.name = block.get("name")
        given = block.get("input")
        if self._is_json_tool(state):
            state.json_content = True
            return self._arguments(state, json.dumps(given)) if given else []
        state.tool_index, self._tools = self._tools, self._tools + 1
        call = {"index": state.tool_index, "id": block.get("id"), "type": "function"}
        call["function"] = {"name": state.name, "arguments": ""}
        chunks = [self._chunk({"tool_calls": [call]})]
        if given:  # a whole message carries the input here; a stream sends {} then JSON deltas
            chunks += self._arguments(state, json.dumps(given))
        return chunks

    def _is_json_tool(self, state: _Block) -> bool:
        return self._json_tool is not None and state.name == self._json_tool

    def _arguments(self, state: _Block, text: str) -> list[ModelResponseStream]:
        state.arguments = state.arguments or bool(text)
        if state.json_content:
            return [self._chunk({"content": text})] if text else []
        if state.tool_index is None:
            return []  # input of a server tool (web search, code execution) Anthropic runs itself
        fragment = {"index": state.tool_index, "function": {"arguments": text}}
        return [self._chunk({"tool_calls": [fragment]})] if text else []

    def _thinking(self, state: _Block, text: str) -> list[ModelResponseStream]:
        if not text:
            return []
        state.thinking.append(text)
        return [self._chunk({"reasoning_content": text})]

    def _delta(self, index: int, delta: Mapping[str, Any]) -> list[ModelResponseStream]:
        state = self._blocks.get(index)
        if state is None:
            raise self._malformed(f"a delta for content block {index}, which never started")
        kind = delta.get("type")
        if kind == "text_delta":
            return [self._chunk({"content": delta.get("text") or ""})] if delta.get("text") else []
        if kind == "input_json_delta":
            return self._arguments(state, delta.get("partial_json") or "")
        if kind == "thinking_delta":
            return self._thinking(state, delta.get("thinking") or "")
        if kind == "signature_delta":
            state.signature += delta.get("signature") or ""
        return []  # citations_delta and other additions carry nothing OpenAI-shaped

    def _block_stop(self, index: int) -> list[ModelResponseStream]:
        state = self._blocks.get(index)
        if state is None:
            return []
        if state.type == "tool_use" and not state.arguments:
            return self._arguments(state, "{}")  # a tool without parameters still gets JSON arguments
        if state.type == "thinking":
            block = {"type": "thinking", "thinking": "".join(state.thinking), "signature": state.signature}
            return [self._chunk({"thinking_blocks": [block]})]
        if state.type == "redacted_thinking":
            return [self._chunk({"thinking_blocks": [{"type": "redacted_thinking", "data": state.data}]})]
        return []

    def _message_delta(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        self._usage.update({k: v for k, v in (data.get("usage") or {}).items() if v is not None})
        reason = (data.get("delta") or {}).get("stop_reason")
        if reason is None:
            return []
        finish = FINISH_REASONS.get(str(reason), "stop")
        if finish == "tool_calls" and self._json_tool is not None and self._tools == 0:
            finish = "stop"  # the forced JSON tool answered: to the caller that is plain content
        return [self._chunk({}, finish_reason=finish, usage=openai_usage(self._usage))]

    def _malformed(self, reason: str) -> APIError:
        return invalid_response(f"the Anthropic stream is malformed: {reason}", b"", self._call)


def openai_usage(usage: Mapping[str, Any]) -> dict[str, Any]:
    """Anthropic usage → OpenAI's, cache reads and writes counted in ``prompt_tokens`` as litellm does."""
    read = int(usage.get("cache_read_input_tokens") or 0)
    created = int(usage.get("cache_creation_input_tokens") or 0)
    prompt = int(usage.get("input_tokens") or 0) + read + created
    completion = int(usage.get("output_tokens") or 0)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": read, "cache_creation_tokens": created},
        "cache_read_input_tokens": read,
        "cache_creation_input_tokens": created,
    }


def message_events(message: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield the events a stream of ``message`` would have sent (whole blocks in ``content_block_start``)."""
    yield {"type": "message_start", "message": {**message, "content": []}}
    for index, block in enumerate(message.get("content") or ()):
        yield {"type": "content_block_start", "index": index, "content_block": block}
        yield {"type": "content_block_stop", "index": index}
    delta = {"stop_reason": message.get("stop_reason") or "end_turn"}
    yield {"type": "message_delta", "delta": delta, "usage": message.get("usage") or {}}
    yield {"type": "message_stop"}


CUT_MESSAGE = "the Anthropic stream ended before message_stop"


class AnthropicEventDecoder:
    """Decodes Anthropic SSE events into chunks (a ``FrameDecoder``); done at ``message_stop``."""

    def __init__(self, call: ProviderCall, json_tool: str | None = None) -> None:
        self._call = call
        self._events = EventAssembler(call, json_tool)

    @property
    def done(self) -> bool:
        """Whether ``message_stop`` was seen."""
        return self._events.stopped

    def finish(self) -> list[ModelResponseStream]:
        """Nothing is held back; without ``message_stop`` the stream is incomplete."""
        return []

    def decode(self, event: SSEEvent) -> list[ModelResponseStream]:
        """Decode one event (an ``error`` event raises the mapped error)."""
        if event.data.strip() == "[DONE]":
            return []  # not Anthropic's, but relays re-framing its events sometimes add it
        try:
            return self._events.event(event_object(event.data, self._call, "an Anthropic stream event"))
        except APIError:
            raise  # a mapped error event (BadRequestError is also a ValueError)
        except (AttributeError, KeyError, TypeError, ValueError):
            pass
        # Raised outside the except block, so the error quoting the event (which may echo the
        # key) is not chained as __context__.
        raise invalid_response("the Anthropic stream event is malformed", event.data.encode(), self._call)

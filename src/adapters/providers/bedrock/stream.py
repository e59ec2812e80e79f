"""Converse events → OpenAI-shaped chunks: one assembler for streamed and whole answers.

ConverseStream sends one event per frame (``messageStart``, ``contentBlockStart`` / ``Delta`` /
``Stop``, ``messageStop``, then ``metadata`` with the usage); a whole Converse answer is turned
into the same events (``response_events``) and folded through the same ``ConverseAssembler``.
Text blocks come without ``contentBlockStart``; tool input arrives as string fragments joined by
block index; the padding key ``p`` and unknown keys are ignored. The finish chunk is released
once both ``messageStop`` and ``metadata`` have arrived (in either order), so it carries the
usage; a stream without both is incomplete.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ....domain.models.errors import APIError
from ....domain.models.stream import ModelResponseStream
from ....ports.codec import ProviderCall
from .._json import loads
from ..errors import invalid_response
from .errors import stream_error
from .eventstream import EventFrame
from .tools import restore

FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}


@dataclass
class _Block:
    kind: str = "text"
    tool_index: int | None = None
    json_content: bool = False
    arguments: bool = False
    thinking: list[str] = field(default_factory=list)
    signature: str = ""
    redacted: str | None = None


class ConverseAssembler:
    """Turns Converse events into ``ModelResponseStream`` chunks for one answer.

    Args:
        call: The call being answered.
        json_tool: The name of the forced structured-output tool, if one was sent.
        names: ``{wire tool name: caller's name}`` for tool names rewritten on the way out.
    """

    def __init__(
        self, call: ProviderCall, json_tool: str | None = None, names: Mapping[str, str] | None = None
    ) -> None:
        self._call = call
        self._json_tool = json_tool
        self._names = names or {}
        self._blocks: dict[int, _Block] = {}
        self._tools = 0
        self._id = f"chatcmpl-{uuid.uuid4().hex}"
        self._model = call.model.removeprefix("converse/")
        self._started = False
        self._reason: str | None = None
        self._usage: dict[str, Any] | None = None

    @property
    def done(self) -> bool:
        """Whether both ``messageStop`` and ``metadata`` arrived: the answer is complete."""
        return self._reason is not None and self._usage is not None

    def event(self, kind: str, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        """Consume one event and return the chunks it makes (unknown event types make none)."""
        if kind == "messageStart":
            return self._start()
        if kind == "contentBlockStart":
            return self._block_start(_index(data), data.get("start") or {})
        if kind == "contentBlockDelta":
            return self._delta(_index(data), data.get("delta") or {})
        if kind == "contentBlockStop":
            return self._block_stop(_index(data))
        if kind == "messageStop":
            self._reason = str(data.get("stopReason") or "end_turn")
            return self._finish()
        if kind == "metadata":
            self._usage = dict(data.get("usage") or {})
            return self._finish()
        return []

    def _chunk(self, delta: dict[str, Any], **extra: Any) -> ModelResponseStream:
        if not self._started:
            self._started = True
            delta = {"role": "assistant", **delta}
        choice = {"index": 0, "delta": delta, "finish_reason": extra.pop("finish_reason", None)}
        return ModelResponseStream.model_validate(
            {"id": self._id, "choices": [choice], "model": self._model, **extra}
        )

    def _start(self) -> list[ModelResponseStream]:
        if self._started:
            return []
        return [self._chunk({"content": ""})]

    def _block(self, index: int) -> _Block:
        return self._blocks.setdefault(index, _Block())  # text blocks come without a start event

    def _block_start(self, index: int, start: Mapping[str, Any]) -> list[ModelResponseStream]:
        tool = start.get("toolUse")
        if not isinstance(tool, Mapping):
            self._block(index)
            return []
        state = self._blocks[index] = _Block(kind="tool")
        name = restore(self._names, tool.get("name"))
        if self._json_tool is not None and name == self._json_tool:
            state.json_content = True
            return []
        state.tool_index, self._tools = self._tools, self._tools + 1
        call = {"index": state.tool_index, "id": tool.get("toolUseId"), "type": "function"}
        call["function"] = {"name": name, "arguments": ""}
        return [self._chunk({"tool_calls": [call]})]

    def _delta(self, index: int, delta: Mapping[str, Any]) -> list[ModelResponseStream]:
        state = self._block(index)
        if isinstance(delta.get("text"), str):
            return [self._chunk({"content": delta["text"]})] if delta["text"] else []
        tool = delta.get("toolUse")
        if isinstance(tool, Mapping):
            return self._arguments(state, str(tool.get("input") or ""))
        reasoning = delta.get("reasoningContent")
        if isinstance(reasoning, Mapping):
            return self._reasoning(state, reasoning)
        return []  # citations, tool results and images carry nothing OpenAI-shaped

    def _arguments(self, state: _Block, text: str) -> list[ModelResponseStream]:
        if state.kind != "tool":
            raise self._malformed("tool input for a content block that is not a tool call")
        state.arguments = state.arguments or bool(text)
        if not text:
            return []
        if state.json_content:
            return [self._chunk({"content": text})]
        fragment = {"index": state.tool_index, "function": {"arguments": text}}
        return [self._chunk({"tool_calls": [fragment]})]

    def _reasoning(self, state: _Block, reasoning: Mapping[str, Any]) -> list[ModelResponseStream]:
        state.kind = "reasoning"
        if isinstance(reasoning.get("signature"), str):
            state.signature += reasoning["signature"]
        if isinstance(reasoning.get("redactedContent"), str):
            state.redacted = reasoning["redactedContent"]
        text = reasoning.get("text")
        if not isinstance(text, str) or not text:
            return []
        state.thinking.append(text)
        return [self._chunk({"reasoning_content": text})]

    def _block_stop(self, index: int) -> list[ModelResponseStream]:
        state = self._blocks.get(index)
        if state is None:
            return []
        if state.kind == "tool" and not state.arguments:
            return self._arguments(state, "{}")  # a tool without parameters still gets JSON arguments
        if state.kind != "reasoning":
            return []
        if state.redacted is not None:
            return [self._chunk({"thinking_blocks": [{"type": "redacted_thinking", "data": state.redacted}]})]
        block = {"type": "thinking", "thinking": "".join(state.thinking), "signature": state.signature}
        return [self._chunk({"thinking_blocks": [block]})]

    def _finish(self) -> list[ModelResponseStream]:
        if self._reason is None or self._usage is None:
            return []
        finish = FINISH_REASONS.get(self._reason, "stop")
        if self._tools:
            finish = "tool_calls"  # a message that holds tool calls reports them, whatever the reason
        elif finish == "tool_calls":
            finish = "stop"  # only the forced JSON tool answered: to the caller that is content
        return [self._chunk({}, finish_reason=finish, usage=openai_usage(self._usage))]

    def _malformed(self, reason: str) -> APIError:
        return invalid_response(f"the Bedrock stream is malformed: {reason}", b"", self._call)


def _index(data: Mapping[str, Any]) -> int:
    index = data.get("contentBlockIndex", 0)
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError("contentBlockIndex is not an integer")
    return index


def openai_usage(usage: Mapping[str, Any]) -> dict[str, Any]:
    """Converse usage → OpenAI's: cache reads and writes count in ``prompt_tokens``, as litellm does."""
    read = int(usage.get("cacheReadInputTokens") or 0)
    written = int(usage.get("cacheWriteInputTokens") or 0)
    prompt = int(usage.get("inputTokens") or 0) + read + written
    completion = int(usage.get("outputTokens") or 0)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": read, "cache_creation_tokens": written},
        "cache_read_input_tokens": read,
        "cache_creation_input_tokens": written,
    }


def response_events(body: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield the events a stream of the whole Converse answer ``body`` would have sent."""
    message = (body.get("output") or {}).get("message")
    if not isinstance(message, Mapping):
        raise KeyError("output.message")
    yield "messageStart", {"role": message.get("role") or "assistant"}
    for index, block in enumerate(message.get("content") or ()):
        yield from _block_events(index, block)
        yield "contentBlockStop", {"contentBlockIndex": index}
    yield "messageStop", {"stopReason": body.get("stopReason") or "end_turn"}
    yield "metadata", {"usage": body.get("usage") or {}}


def _block_events(index: int, block: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    at = {"contentBlockIndex": index}
    if isinstance(block.get("text"), str):
        yield "contentBlockDelta", {**at, "delta": {"text": block["text"]}}
    elif isinstance(block.get("toolUse"), Mapping):
        tool = block["toolUse"]
        start = {"toolUseId": tool.get("toolUseId"), "name": tool.get("name")}
        yield "contentBlockStart", {**at, "start": {"toolUse": start}}
        given = tool.get("input")
        text = given if isinstance(given, str) else json.dumps(given if given is not None else {})
        yield "contentBlockDelta", {**at, "delta": {"toolUse": {"input": text}}}
    elif isinstance(block.get("reasoningContent"), Mapping):
        reasoning = block["reasoningContent"]
        given = reasoning.get("reasoningText") or {}
        if "redactedContent" in reasoning:
            yield (
                "contentBlockDelta",
                {**at, "delta": {"reasoningContent": {"redactedContent": reasoning["redactedContent"]}}},
            )
        else:
            yield (
                "contentBlockDelta",
                {**at, "delta": {"reasoningContent": {"text": given.get("text") or ""}}},
            )
            yield (
                "contentBlockDelta",
                {**at, "delta": {"reasoningContent": {"signature": given.get("signature") or ""}}},
            )


class ConverseDecoder:
    """Decodes ConverseStream frames (a ``FrameDecoder``): events, exceptions and errors.

    An ``exception`` or ``error`` frame after HTTP 200 raises its mapped ``APIError``; the frame
    life cycle raises it after the chunks already decoded reach the caller.
    """

    def __init__(self, call: ProviderCall, json_tool: str | None, names: Mapping[str, str]) -> None:
        self._call = call
        self._events = ConverseAssembler(call, json_tool, names)

    @property
    def done(self) -> bool:
        """Whether the terminal events (``messageStop`` and ``metadata``) were decoded."""
        return self._events.done

    def decode(self, frame: EventFrame) -> list[ModelResponseStream]:
        """Decode one event-stream frame."""
        headers, payload = frame
        kind = headers.get(":message-type")
        if kind == "event":
            return self._event(str(headers.get(":event-type")), payload)
        if kind == "exception":
            raise stream_error(self._call, headers.get(":exception-type"), _json_or_text(payload))
        if kind == "error":
            message = headers.get(":error-message") or "the Bedrock stream failed"
            raise stream_error(self._call, headers.get(":error-code"), {"message": str(message)})
        raise invalid_response(f"a Bedrock stream frame of unknown type {kind!r}", payload, self._call)

    def finish(self) -> list[ModelResponseStream]:
        """End of body: nothing is pending in Converse's event model (no end rule but ``done``)."""
        return []

    def _event(self, kind: str, payload: bytes) -> list[ModelResponseStream]:
        data = _json_or_text(payload)
        if isinstance(data, dict):
            try:
                return self._events.event(kind, data)
            except APIError:
                raise
            except (AttributeError, KeyError, TypeError, ValueError):
                pass
        # Raised outside the except block, so the error quoting the payload is not chained.
        raise invalid_response(f"the Bedrock {kind} event is malformed", payload, self._call)


def _json_or_text(payload: bytes) -> Any:
    try:
        return loads(payload)
    except ValueError:
        return payload.decode("utf-8", "replace")

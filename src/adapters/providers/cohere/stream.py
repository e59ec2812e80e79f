"""Cohere v2 chat events → OpenAI-shaped chunks: one assembler for streamed and whole answers.

A stream is SSE whose ``event:`` names repeat the payload's ``type`` (``message-start``,
``content-start``/``-delta``/``-end``, ``tool-plan-delta``, ``tool-call-start``/``-delta``/``-end``,
``citation-start``/``-end``, ``message-end``, ``debug``); the assembler dispatches on ``type``, so
a relay that drops the ``event:`` lines still parses. A whole answer is turned into the same
events (``message_events``). ``message-end`` is the terminal event; its ``ERROR``/``TIMEOUT``
finish raises.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ....domain.models.errors import APIError
from ....domain.models.stream import ModelResponseStream
from ....ports.codec import ProviderCall
from ..errors import ErrorFields, build_error, event_object, invalid_response
from ..sse import SSEEvent

CUT_MESSAGE = "the Cohere stream ended before message-end"
FINISH_REASONS = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "TOOL_CALL": "tool_calls",
}
# Finishes that are failures, with the error type they map to.
_FAILED = {"ERROR": "server_error", "TIMEOUT": "timeout_error"}


class CohereAssembler:
    """Turns Cohere v2 chat events into ``ModelResponseStream`` chunks for one answer.

    Attributes:
        ended: Whether ``message-end`` was seen.
        tool_plan: The tool plan, joined.
        citations: The citations, in order.
        billed_units: ``usage.billed_units`` of ``message-end``.
    """

    def __init__(self, call: ProviderCall) -> None:
        self._call = call
        self._id: str | None = None
        self._tools: dict[int, tuple[int, bool]] = {}  # Cohere's index → (ours, arguments seen)
        self.ended = False
        self.tool_plan = ""
        self.citations: list[Any] = []
        self.billed_units: Mapping[str, Any] | None = None

    def event(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        """Consume one event payload and return the chunks it makes."""
        kind = data.get("type")
        message = ((data.get("delta") or {}).get("message")) or {}
        if kind == "message-start":
            self._id = data.get("id") or self._id
            return [self._chunk({"role": "assistant", "content": ""})]
        if kind in ("content-start", "content-delta"):
            return self._content(message.get("content") or {})
        if kind == "tool-plan-delta":
            return self._plan(str(message.get("tool_plan") or ""))
        if kind == "tool-call-start":
            return self._tool_start(int(data["index"]), message["tool_calls"])
        if kind == "tool-call-delta":
            return self._arguments(int(data["index"]), message["tool_calls"]["function"].get("arguments"))
        if kind == "tool-call-end":
            return self._tool_end(int(data["index"]))
        if kind == "citation-start":
            self.citations.append(message.get("citations"))
            return [self._chunk({"provider_specific_fields": {"citation": message.get("citations")}})]
        if kind == "message-end":
            return self._end(data.get("delta") or {})
        return []  # content-end, citation-end, debug, and event types added after this was written

    def _chunk(self, delta: dict[str, Any], **extra: Any) -> ModelResponseStream:
        choice = {"index": 0, "delta": delta, "finish_reason": extra.pop("finish_reason", None)}
        payload = {"choices": [choice], "model": self._call.model, **extra}
        if self._id:
            payload["id"] = self._id
        return ModelResponseStream.model_validate(payload)

    def _content(self, content: Mapping[str, Any]) -> list[ModelResponseStream]:
        if content.get("text"):
            return [self._chunk({"content": str(content["text"])})]
        if content.get("thinking"):
            return [self._chunk({"reasoning_content": str(content["thinking"])})]
        return []

    def _plan(self, piece: str) -> list[ModelResponseStream]:
        if not piece:
            return []
        self.tool_plan += piece
        # The plan is never content: it rides beside it, to be sent back with the tool calls.
        return [self._chunk({"provider_specific_fields": {"tool_plan": piece}})]

    def _tool_start(self, index: int, call: Mapping[str, Any]) -> list[ModelResponseStream]:
        ours = len(self._tools)
        self._tools[index] = (ours, False)
        function = call.get("function") or {}
        fragment = {"index": ours, "id": call.get("id"), "type": "function"}
        fragment["function"] = {"name": function.get("name"), "arguments": ""}
        return [self._chunk({"tool_calls": [fragment]}), *self._arguments(index, function.get("arguments"))]

    def _arguments(self, index: int, text: Any) -> list[ModelResponseStream]:
        if index not in self._tools:
            raise invalid_response(
                f"the Cohere stream sent arguments for tool call {index} before it started", b"", self._call
            )
        if not text:
            return []
        ours, _ = self._tools[index]
        self._tools[index] = (ours, True)
        return [self._chunk({"tool_calls": [{"index": ours, "function": {"arguments": str(text)}}]})]

    def _tool_end(self, index: int) -> list[ModelResponseStream]:
        state = self._tools.get(index)
        if state is None or state[1]:
            return []
        # No arguments (or Cohere's "null"): a call without parameters still gets a JSON object.
        return self._arguments(index, "{}")

    def _end(self, delta: Mapping[str, Any]) -> list[ModelResponseStream]:
        self.ended = True
        reason = str(delta.get("finish_reason") or "COMPLETE")
        if reason in _FAILED:
            message = delta.get("error") or f"Cohere ended the answer with finish_reason {reason}"
            fields = ErrorFields(message=str(message), type=_FAILED[reason])
            raise build_error(None, {}, dict(delta), self._call, lambda _body, _headers: fields)
        usage = delta.get("usage") or {}
        self.billed_units = usage.get("billed_units")
        finish = "tool_calls" if self._tools else FINISH_REASONS.get(reason, "stop")
        return [self._chunk({}, finish_reason=finish, usage=openai_usage(usage))]


def openai_usage(usage: Mapping[str, Any]) -> dict[str, Any]:
    """Cohere usage → OpenAI's: ``tokens`` (not the smaller ``billed_units``), cache reads in details."""
    tokens = usage.get("tokens") or {}
    prompt = int(tokens.get("input_tokens") or 0)  # JSON numbers that may be floats
    completion = int(tokens.get("output_tokens") or 0)
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if usage.get("cached_tokens") is not None:
        out["prompt_tokens_details"] = {"cached_tokens": int(usage["cached_tokens"])}
    return out


def message_events(answer: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield the events a stream of the whole ``answer`` would have sent."""
    message = answer.get("message") or {}
    yield {"type": "message-start", "id": answer.get("id"), "delta": {"message": {"role": "assistant"}}}
    if message.get("tool_plan"):
        yield {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": message["tool_plan"]}}}
    for index, content in enumerate(message.get("content") or ()):
        yield {"type": "content-delta", "index": index, "delta": {"message": {"content": content}}}
    for index, call in enumerate(message.get("tool_calls") or ()):
        arguments = (call.get("function") or {}).get("arguments")
        start = {
            **call,
            "function": {**call["function"], "arguments": "" if arguments == "null" else arguments},
        }
        yield {"type": "tool-call-start", "index": index, "delta": {"message": {"tool_calls": start}}}
        yield {"type": "tool-call-end", "index": index}
    for citation in message.get("citations") or ():
        yield {"type": "citation-start", "delta": {"message": {"citations": citation}}}
    end = {"finish_reason": answer.get("finish_reason"), "usage": answer.get("usage") or {}}
    yield {"type": "message-end", "delta": end}


class CohereEventDecoder:
    """Decodes Cohere SSE events into chunks (a ``FrameDecoder``); done at ``message-end``."""

    def __init__(self, call: ProviderCall) -> None:
        self._call = call
        self._events = CohereAssembler(call)

    @property
    def done(self) -> bool:
        """Whether ``message-end`` was seen."""
        return self._events.ended

    def finish(self) -> list[ModelResponseStream]:
        """Nothing is held back; without ``message-end`` the stream is incomplete."""
        return []

    def decode(self, event: SSEEvent) -> list[ModelResponseStream]:
        """Decode one event (a failed ``message-end`` raises the mapped error)."""
        if event.data.strip() == "[DONE]":
            return []  # the SDK's end marker; message-end is the logical end
        try:
            return self._events.event(event_object(event.data, self._call, "a Cohere stream event"))
        except APIError:
            raise
        except (AttributeError, KeyError, TypeError, ValueError):
            pass
        # Raised outside the except block, so the error quoting the event is not chained.
        raise invalid_response("the Cohere stream event is malformed", event.data.encode(), self._call)

"""What a recorded Bedrock Converse answer says, read without llmport's codec.

Event streams are decoded here with botocore's ``EventStreamBuffer`` directly and the events
folded by hand, so a codec bug cannot hide in both the code under test and its oracle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.eventstream import EventStreamBuffer

from .fixtures_loader import Exchange

FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}


@dataclass
class Expected:
    """The answer as the recording tells it."""

    text: str = ""
    reasoning: str = ""
    signatures: list[str] = field(default_factory=list)
    tool_calls: list[tuple[str, str, Any]] = field(default_factory=list)
    stop_reason: str | None = None
    usage: dict[str, int] | None = None

    @property
    def complete(self) -> bool:
        return self.stop_reason is not None and self.usage is not None

    def finish_reason(self, json_tool: str | None = None) -> str:
        if [call for call in self.tool_calls if call[1] != json_tool]:
            return "tool_calls"
        finish = FINISH.get(self.stop_reason or "", "stop")
        return "stop" if finish == "tool_calls" else finish

    @property
    def prompt_tokens(self) -> int:
        usage = self.usage or {}
        return sum(
            int(usage.get(k) or 0) for k in ("inputTokens", "cacheReadInputTokens", "cacheWriteInputTokens")
        )


def events(body: bytes) -> list[tuple[str, dict[str, Any]]]:
    """The recorded stream's ``(event type, payload)`` pairs, via botocore."""
    buffer = EventStreamBuffer()
    buffer.add_data(body)
    found = []
    for message in buffer:
        assert message.headers[":message-type"] == "event"
        found.append((message.headers[":event-type"], json.loads(message.payload)))
    return found


def expected(exchange: Exchange) -> Expected:
    """Read the recording (a whole Converse answer or an event stream)."""
    if exchange.is_stream:
        return _from_events(events(exchange.body))
    return _from_body(json.loads(exchange.body))


def _from_body(body: dict[str, Any]) -> Expected:
    want = Expected(stop_reason=body["stopReason"], usage=body["usage"])
    for block in body["output"]["message"]["content"]:
        if "text" in block:
            want.text += block["text"]
        elif "toolUse" in block:
            tool = block["toolUse"]
            want.tool_calls.append((tool["toolUseId"], tool["name"], tool["input"]))
        elif "reasoningContent" in block:
            reasoning = block["reasoningContent"]["reasoningText"]
            want.reasoning += reasoning["text"]
            want.signatures.append(reasoning["signature"])
    return want


def _from_events(pairs: list[tuple[str, dict[str, Any]]]) -> Expected:
    want = Expected()
    tools: dict[int, list[Any]] = {}
    signatures: dict[int, str] = {}
    for kind, data in pairs:
        index = data.get("contentBlockIndex")
        if kind == "contentBlockStart" and "toolUse" in data["start"]:
            tool = data["start"]["toolUse"]
            tools[index] = [tool["toolUseId"], tool["name"], ""]
        elif kind == "contentBlockDelta":
            delta = data["delta"]
            want.text += delta.get("text", "")
            if "toolUse" in delta:
                tools[index][2] += delta["toolUse"]["input"]
            reasoning = delta.get("reasoningContent", {})
            want.reasoning += reasoning.get("text", "")
            if "signature" in reasoning:
                signatures[index] = signatures.get(index, "") + reasoning["signature"]
        elif kind == "messageStop":
            want.stop_reason = data["stopReason"]
        elif kind == "metadata":
            want.usage = data["usage"]
    want.tool_calls = [(i, n, json.loads(a or "{}")) for i, n, a in (tools[k] for k in sorted(tools))]
    want.signatures = [signatures[k] for k in sorted(signatures)]
    return want

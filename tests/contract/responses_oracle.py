"""What a recorded Responses API answer says, read from the raw bytes without llmport's parsers.

A whole response is read from its ``output`` items; a stream from its event payloads (strict
``data:`` lines), joining text and argument deltas by item id by hand. The rules the codec
promises are written out again here, independently: message text is content unless the
message is a preamble (``phase="commentary"``); reasoning is the summaries (parts of one item
joined by a blank line) and the preambles, in output order; tool calls are ``function_call``
items in order (arguments, like text, from their deltas, or from ``.done`` when none came); kept items
are reasoning with encrypted content, and preambles. Raw reasoning text (``reasoning_text``,
from open-weight models) is reasoning too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .fixtures_loader import Exchange

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass
class Expected:
    """The answer a recording holds, in chat-completion terms."""

    id: str
    model: str
    text: str = ""
    reasoning: str = ""
    tool_calls: list[tuple[str, str, Any]] = field(default_factory=list)
    finish_reason: str = "stop"
    usage: dict[str, Any] = field(default_factory=dict)
    kept: list[dict[str, Any]] = field(default_factory=list)


def payloads(body: bytes) -> list[dict[str, Any]]:
    """The JSON payloads of a stream's ``data:`` lines (``[DONE]`` skipped)."""
    found = []
    for line in _LINE_END.split(body.decode("utf-8")):
        if line.startswith("data:") and line[5:].strip() != "[DONE]":
            found.append(json.loads(line[5:].strip()))
    return found


def segments(exchange: Exchange) -> list[bytes]:
    """A stream body cut, between two events, into its responses (a recording may hold several).

    The bytes are kept: each segment is a run of the recorded events, each ending in a blank line.
    """
    parts: list[list[bytes]] = []
    for event in exchange.body.split(b"\n\n"):
        if not event.strip():
            continue
        if b'"type":"response.created"' in event or not parts:
            parts.append([])
        parts[-1].append(event + b"\n\n")
    return [b"".join(part) for part in parts]


def arguments(text: str) -> Any:
    """Tool arguments compared as JSON values."""
    return json.loads(text) if text else {}


def from_response(response: dict[str, Any]) -> Expected:
    """Read a whole ``response`` object."""
    want = Expected(id=response["id"], model=response["model"])
    for item in response["output"]:
        if item["type"] == "message":
            texts = "".join(p["text"] for p in item["content"] if p["type"] == "output_text")
            if item.get("phase") == "commentary":
                want.reasoning += texts
                want.kept.append({k: v for k, v in item.items() if k not in ("id", "status")})
            else:
                want.text += texts
        elif item["type"] == "reasoning":
            want.reasoning += "\n\n".join(part["text"] for part in item.get("summary") or [])
            want.reasoning += "".join(
                p["text"] for p in item.get("content") or [] if p["type"] == "reasoning_text"
            )
            if item.get("encrypted_content"):
                want.kept.append({k: v for k, v in item.items() if v is not None})
        elif item["type"] == "function_call":
            want.tool_calls.append((item["call_id"], item["name"], arguments(item["arguments"])))
    _finish(want, response)
    return want


def from_events(events: list[dict[str, Any]]) -> Expected:
    """Read a stream's events: deltas joined by item id, the terminal event's status and usage."""
    terminal = events[-1]["response"]
    reader = _EventReader(Expected(id=terminal["id"], model=terminal["model"]))
    for event in events:
        reader.read(event)
    want = reader.want
    want.tool_calls = [(c[0], c[1], arguments(c[2])) for c in reader.calls.values()]
    _finish(want, terminal)
    return want


@dataclass
class _EventReader:
    want: Expected
    phases: dict[str, str | None] = field(default_factory=dict)
    calls: dict[str, list[Any]] = field(default_factory=dict)
    summaries: dict[str, set[int]] = field(default_factory=dict)
    streamed: set[str] = field(default_factory=set)

    def read(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "response.output_item.added":
            item = event["item"]
            self.phases[item["id"]] = item.get("phase")
            if item["type"] == "function_call":
                self.calls[item["id"]] = [item["call_id"], item["name"], ""]
        elif kind == "response.output_text.delta":
            self.text(event["item_id"], event["delta"])
            self.streamed.add(event["item_id"])
        elif kind == "response.output_text.done" and event["item_id"] not in self.streamed:
            self.text(event["item_id"], event["text"])  # a server that sends no deltas
        elif kind == "response.function_call_arguments.delta":
            self.calls[event["item_id"]][2] += event["delta"]
            self.streamed.add(event["item_id"])
        elif kind == "response.function_call_arguments.done" and event["item_id"] not in self.streamed:
            self.calls[event["item_id"]][2] = event["arguments"]  # a server that sends no deltas
        elif kind == "response.reasoning_summary_text.delta":
            self.summary(event)
        elif kind == "response.reasoning_text.delta":
            self.want.reasoning += event["delta"]
        elif kind == "response.output_item.done":
            self.done(event["item"])

    def text(self, item_id: str, text: str) -> None:
        if self.phases[item_id] == "commentary":
            self.want.reasoning += text
        else:
            self.want.text += text

    def summary(self, event: dict[str, Any]) -> None:
        seen = self.summaries.setdefault(event["item_id"], set())
        if seen and event["summary_index"] not in seen:
            self.want.reasoning += "\n\n"
        seen.add(event["summary_index"])
        self.want.reasoning += event["delta"]

    def done(self, item: dict[str, Any]) -> None:
        if item["type"] == "reasoning" and item.get("encrypted_content"):
            self.want.kept.append({k: v for k, v in item.items() if v is not None})
        elif item["type"] == "message" and item.get("phase") == "commentary":
            self.want.kept.append({k: v for k, v in item.items() if k not in ("id", "status")})


def _finish(want: Expected, response: dict[str, Any]) -> None:
    details = response.get("incomplete_details")
    if details:
        want.finish_reason = {"max_output_tokens": "length", "content_filter": "content_filter"}[
            details["reason"]
        ]
    elif want.tool_calls:
        want.finish_reason = "tool_calls"
    usage = response.get("usage") or {}
    want.usage = {
        "prompt_tokens": usage.get("input_tokens"),
        "completion_tokens": usage.get("output_tokens"),
        "total_tokens": usage.get("total_tokens"),
        "cached_tokens": (usage.get("input_tokens_details") or {}).get("cached_tokens"),
        "reasoning_tokens": (usage.get("output_tokens_details") or {}).get("reasoning_tokens"),
    }

"""What a recorded Anthropic answer says, read from the raw bytes without llmport's parsers.

A stream is read with strict line splitting (``data:`` starts its line) and its deltas joined per
content-block index by hand; a whole message is read from its ``content`` list. Codec bugs thus
cannot hide in both the code under test and its oracle.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .fixtures_loader import Exchange

_LINE_END = re.compile(r"\r\n|\r|\n")
# Anthropic's stop reasons in OpenAI's terms (the mapping the issue specifies).
FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


@dataclass
class Expected:
    """The answer as recorded: text, tool calls, reasoning, finish reason and usage."""

    text: str = ""
    tool_calls: list[tuple[str, str, Any]] = field(default_factory=list)
    reasoning: str = ""
    signatures: list[str] = field(default_factory=list)
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cache_creation_tokens: int = 0
    model: str = ""
    id: str = ""


def stream_payloads(body: bytes) -> list[dict[str, Any]]:
    """The JSON payloads of the ``data:`` lines (``[DONE]`` of re-framed chunk lists skipped)."""
    payloads = []
    for line in _LINE_END.split(body.decode("utf-8")):
        if line.startswith("data:") and line[5:].strip() != "[DONE]":
            payloads.append(json.loads(line[5:]))
    return payloads


def _add_delta(block: dict[str, Any], delta: dict[str, Any]) -> None:
    fields = {
        "text_delta": ("text", "text"),
        "input_json_delta": ("_json", "partial_json"),
        "thinking_delta": ("thinking", "thinking"),
        "signature_delta": ("signature", "signature"),
    }
    if delta["type"] in fields:
        target, source = fields[delta["type"]]
        block[target] = block.get(target, "") + delta[source]


def _blocks_from_stream(payloads: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    message: dict[str, Any] = {}
    blocks: dict[int, dict[str, Any]] = {}
    usage: dict[str, Any] = {}
    for payload in payloads:
        kind = payload["type"]
        if kind == "message_stop":
            break  # one HTTP answer is one message; some chunk lists hold the next call's answer too
        if kind == "message_start" and not message:
            message = dict(payload["message"])
            usage.update(message.get("usage") or {})
        elif kind == "content_block_start":
            blocks[payload["index"]] = {**payload["content_block"], "_json": ""}
        elif kind == "content_block_delta":
            _add_delta(blocks[payload["index"]], payload["delta"])
        elif kind == "message_delta":
            message["stop_reason"] = payload["delta"].get("stop_reason")
            usage.update({k: v for k, v in (payload.get("usage") or {}).items() if v is not None})
    for block in blocks.values():
        if block["_json"]:
            block["input"] = arguments(block["_json"])
    message["usage"] = usage
    return message, [blocks[index] for index in sorted(blocks)]


def arguments(text: str) -> Any:
    """Tool-call arguments as JSON, or the raw text when the answer was cut mid-JSON (max_tokens)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def expected(exchange: Exchange) -> Expected:
    """Read the recorded answer of a successful exchange."""
    if exchange.is_stream:
        message, blocks = _blocks_from_stream(stream_payloads(exchange.body))
    else:
        message = json.loads(exchange.body)
        blocks = message["content"]
    usage = message.get("usage") or {}
    read = usage.get("cache_read_input_tokens") or 0
    created = usage.get("cache_creation_input_tokens") or 0
    result = Expected(
        finish_reason=FINISH.get(message.get("stop_reason") or "end_turn", "stop"),
        prompt_tokens=(usage.get("input_tokens") or 0) + read + created,
        completion_tokens=usage.get("output_tokens") or 0,
        cached_tokens=read,
        cache_creation_tokens=created,
        model=message.get("model", ""),
        id=message.get("id", ""),
    )
    for block in blocks:
        if block["type"] == "text":
            result.text += block.get("text", "")
        elif block["type"] == "tool_use":
            result.tool_calls.append((block["id"], block["name"], block.get("input") or {}))
        elif block["type"] == "thinking":
            result.reasoning += block.get("thinking", "")
            result.signatures.append(block.get("signature", ""))
    return result

"""What a recorded Gemini answer says, read from the raw bytes without llmport's parsers.

A JSON-array stream is read with ``json.loads`` of the whole body; an SSE stream with strict line
splitting (``data:`` starts its line); a whole answer is one frame. The frames' parts are then
joined by hand per the issue's rules (thought parts are reasoning, function calls are tool calls,
signatures are kept apart, usage is the last ``usageMetadata``). Streamed function-call
arguments (``partialArgs``) are checked against values read off the recordings by eye, not here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .fixtures_loader import Exchange

_LINE_END = re.compile(r"\r\n|\r|\n")
FINISH = {"STOP": "stop", "MAX_TOKENS": "length", "SAFETY": "content_filter", 1: "stop"}


@dataclass
class Expected:
    """The answer as recorded, for candidate 0."""

    text: str = ""
    reasoning: str = ""
    tool_calls: list[tuple[str, Any]] = field(default_factory=list)
    call_ids: list[str | None] = field(default_factory=list)
    text_signatures: list[str] = field(default_factory=list)
    call_signatures: list[str | None] = field(default_factory=list)
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    total_tokens: int | None = None
    id: str = ""
    model: str = ""
    partial_calls: bool = False


def frames(exchange: Exchange) -> list[dict[str, Any]]:
    """The recorded response objects, in order."""
    if exchange.body.lstrip().startswith(b"["):
        parsed = json.loads(exchange.body)
        return list(parsed)
    if not exchange.is_stream:
        return [json.loads(exchange.body)]
    found = []
    for line in _LINE_END.split(exchange.body.decode("utf-8")):
        if line.startswith("data:"):
            found.append(json.loads(line[5:]))
    return found


def expected(exchange: Exchange) -> Expected:
    """Join the recorded frames of ``exchange`` by hand."""
    want = Expected()
    usage: dict[str, Any] = {}
    for frame in frames(exchange):
        usage = frame.get("usageMetadata") or usage
        want.id = frame.get("responseId") or want.id
        want.model = frame.get("modelVersion") or want.model
        for candidate in frame.get("candidates") or ():
            for part in (candidate.get("content") or {}).get("parts") or ():
                _part(want, part)
            if "finishReason" in candidate:
                want.finish_reason = FINISH.get(candidate["finishReason"], "stop")
    if want.tool_calls or want.partial_calls:
        want.finish_reason = "tool_calls" if want.finish_reason == "stop" else want.finish_reason
    thoughts = usage.get("thoughtsTokenCount", 0)
    # Tool-use prompt tokens (code execution) are prompt tokens too: totalTokenCount counts them.
    want.prompt_tokens = usage.get("promptTokenCount", 0) + usage.get("toolUsePromptTokenCount", 0)
    want.total_tokens = usage.get("totalTokenCount")
    want.completion_tokens = usage.get("candidatesTokenCount", 0) + thoughts
    want.reasoning_tokens = thoughts
    return want


def _part(want: Expected, part: dict[str, Any]) -> None:
    signature = part.get("thoughtSignature")
    call = part.get("functionCall")
    if call is not None:
        if "partialArgs" in call or call.get("willContinue") or not call:
            want.partial_calls = True
            return
        want.tool_calls.append((call["name"], call.get("args", {})))
        want.call_ids.append(call.get("id"))
        want.call_signatures.append(signature)
        return
    if part.get("thought"):
        want.reasoning += part.get("text", "")
    else:
        want.text += part.get("text", "")
    if signature:
        want.text_signatures.append(signature)

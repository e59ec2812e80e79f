"""Pure builders behind the fake Anthropic server: request checks, the planned answer, body and events.

No sockets here: data in, data out. Replies are deterministic apart from the message id.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ._fake_checks import FakeApiError
from ._fake_replies import schema_instance

JsonDict = dict[str, Any]

REPLY_PREFIX = "This is a fake reply from llmport's loopback Anthropic server. You said: "
TOOL_REPLY_PREFIX = "The tool returned: "
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
_MAGIC_ERROR = re.compile(r"fake-error-(\d{3})")
CONTEXT_MODEL = "fake-error-context"
STREAM_DROP_MODEL = "fake-stream-drop"
STREAM_ERROR_MODEL = "fake-stream-error"
_ECHO_LIMIT = 120


def anthropic_error(status: int, message: str, headers: dict[str, str] | None = None) -> FakeApiError:
    """Build an error answer in Anthropic's shape (``{"type": "error", "error": {type, message}}``)."""
    payload = {"type": "error", "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message}}
    return FakeApiError(status, payload, headers)


def magic_error(model: str) -> FakeApiError | None:
    """Return the scripted failure of a magic model name (``fake-error-<status>``, ``fake-error-context``)."""
    if model == CONTEXT_MODEL:
        return anthropic_error(400, "prompt is too long: 208310 tokens > 200000 maximum")
    match = _MAGIC_ERROR.fullmatch(model)
    if match is None:
        return None
    status = int(match.group(1))
    headers = {"retry-after": "0"} if status in (429, 529) else None
    return anthropic_error(status, f"scripted failure {status} for model {model}", headers)


def check_request(body: Any) -> JsonDict:
    """Refuse what the Messages API refuses: missing max_tokens, bad roles, bad thinking budgets."""
    if not isinstance(body, dict):
        raise anthropic_error(400, "the request body must be a JSON object")
    if not isinstance(body.get("model"), str):
        raise anthropic_error(400, "model: Field required")
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise anthropic_error(400, "max_tokens: Field required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise anthropic_error(400, "messages: at least one message is required")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise anthropic_error(400, f"messages.{index}.role: Input should be 'user' or 'assistant'")
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024 or budget >= max_tokens:
            raise anthropic_error(400, "thinking.budget_tokens must be >= 1024 and less than max_tokens")
    return body


@dataclass
class Plan:
    """The answer's content blocks and stop reason."""

    blocks: list[JsonDict] = field(default_factory=list)
    stop_reason: str = "end_turn"


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else []
    return " ".join(
        _text(p.get("content")) if p.get("type") == "tool_result" else str(p.get("text", "")) for p in parts
    )


def _last_tool_result(messages: list[JsonDict]) -> str | None:
    content = messages[-1].get("content")
    if isinstance(content, list):
        results = [p for p in content if isinstance(p, dict) and p.get("type") == "tool_result"]
        if results:
            return _text(results[-1].get("content"))
    return None


def _tool_block(body: JsonDict) -> JsonDict | None:
    tools = [t for t in body.get("tools") or () if isinstance(t, dict) and "input_schema" in t]
    choice = body.get("tool_choice") or {"type": "auto"}
    if not tools or choice.get("type") == "none":
        return None
    if choice.get("type") == "auto" and _last_tool_result(body["messages"]) is not None:
        return None
    tool = tools[0]
    if choice.get("type") == "tool":
        named = [t for t in tools if t.get("name") == choice.get("name")]
        if not named:
            raise anthropic_error(400, f"tool_choice names the unknown tool {choice.get('name')!r}")
        tool = named[0]
    digest = hashlib.sha256(json.dumps(body["messages"]).encode()).hexdigest()[:24]
    return {
        "type": "tool_use",
        "id": f"toolu_fake{digest}",
        "name": tool["name"],
        "input": schema_instance(tool["input_schema"]),
    }


def _answer_text(body: JsonDict) -> str:
    output = body.get("output_config") or {}
    schema = (output.get("format") or {}).get("schema") if isinstance(output, dict) else None
    if isinstance(schema, dict):
        return json.dumps(schema_instance(schema))
    result = _last_tool_result(body["messages"])
    if result is not None:
        return TOOL_REPLY_PREFIX + result
    said = " ".join(_text(body["messages"][-1].get("content")).split())
    return REPLY_PREFIX + said[:_ECHO_LIMIT]


def plan(body: JsonDict) -> Plan:
    """Decide the answer: optional thinking, then a tool call or text (cut by stop sequences, max_tokens)."""
    result = Plan()
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        idea = "Let me think about: " + " ".join(_text(body["messages"][-1].get("content")).split())[:80]
        signature = hashlib.sha256(idea.encode()).hexdigest()
        result.blocks.append({"type": "thinking", "thinking": idea, "signature": signature})
    tool = _tool_block(body)
    if tool is not None:
        result.blocks.append(tool)
        result.stop_reason = "tool_use"
        return result
    text = _answer_text(body)
    for stop in body.get("stop_sequences") or ():
        if stop and stop in text:
            text, result.stop_reason = text.split(stop, 1)[0], "stop_sequence"
    words = text.split(" ")
    if len(words) > body["max_tokens"]:
        text, result.stop_reason = " ".join(words[: body["max_tokens"]]), "max_tokens"
    result.blocks.append({"type": "text", "text": text})
    return result


def usage(body: JsonDict, answer: Plan) -> JsonDict:
    """Token counts: one token per word, as the OpenAI fake counts."""
    prompt = sum(len(_text(m.get("content")).split()) for m in body["messages"]) + len(
        str(body.get("system") or "").split()
    )
    output = sum(
        len(json.dumps(b).split())
        if b["type"] == "tool_use"
        else len(str(b.get("text") or b.get("thinking")).split())
        for b in answer.blocks
    )
    return {
        "input_tokens": prompt,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output,
    }


def message_body(message_id: str, body: JsonDict, answer: Plan) -> JsonDict:
    """Build the whole-message response body."""
    return {
        "id": message_id, "type": "message", "role": "assistant", "model": body["model"],
        "content": answer.blocks, "stop_reason": answer.stop_reason, "stop_sequence": None,
        "usage": usage(body, answer),
    }  # fmt: skip


def sse_frame(payload: JsonDict) -> bytes:
    """One SSE event named after its ``type``."""
    return f"event: {payload['type']}\ndata: {json.dumps(payload)}\n\n".encode()


def _pieces(text: str) -> list[str]:
    words = re.findall(r"\S+\s*|\s+", text)
    return words or [""]


def _block_events(index: int, block: JsonDict) -> Iterator[JsonDict]:
    kind = block["type"]
    start: dict[str, JsonDict] = {
        "text": {"type": "text", "text": ""},
        "thinking": {"type": "thinking", "thinking": "", "signature": ""},
    }
    opening = start.get(kind) or {**block, "input": {}}
    yield {"type": "content_block_start", "index": index, "content_block": opening}
    if kind == "text":
        for piece in _pieces(block["text"]):
            yield {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "text_delta", "text": piece},
            }
    elif kind == "thinking":
        for piece in _pieces(block["thinking"]):
            yield {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "thinking_delta", "thinking": piece},
            }
        yield {
            "type": "content_block_delta",
            "index": index,
            "delta": {"type": "signature_delta", "signature": block["signature"]},
        }
    else:
        arguments = json.dumps(block["input"])
        middle = len(arguments) // 2
        for part in (arguments[:middle], arguments[middle:]):
            yield {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "input_json_delta", "partial_json": part},
            }
    yield {"type": "content_block_stop", "index": index}


def stream_events(message_id: str, body: JsonDict, answer: Plan) -> Iterator[JsonDict]:
    """Yield the events of a streamed answer, from message_start to message_stop."""
    counts = usage(body, answer)
    start = message_body(message_id, body, answer)
    start.update({"content": [], "stop_reason": None, "usage": {**counts, "output_tokens": 1}})
    yield {"type": "message_start", "message": start}
    yield {"type": "ping"}
    for index, block in enumerate(answer.blocks):
        yield from _block_events(index, block)
    delta = {"stop_reason": answer.stop_reason, "stop_sequence": None}
    yield {"type": "message_delta", "delta": delta, "usage": {"output_tokens": counts["output_tokens"]}}
    yield {"type": "message_stop"}

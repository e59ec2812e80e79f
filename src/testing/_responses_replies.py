"""Pure builders behind the fake Responses server: request checks, the planned output, body and events.

No sockets here: data in, data out. Replies are deterministic apart from ids. Encrypted
reasoning is a token the fake can check when it comes back (``fake-enc-`` + a digest), so a
client that loses or alters it between turns gets the 400 OpenAI would send.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ._fake_checks import openai_error
from ._fake_replies import message_text, schema_instance, word_pieces

JsonDict = dict[str, Any]

REPLY_PREFIX = "This is a fake reply from llmport's loopback Responses server. You said: "
TOOL_REPLY_PREFIX = "The tool returned: "
ENCRYPTED_PREFIX = "fake-enc-"
ENCRYPTED_REASONING = "reasoning.encrypted_content"
_REASONING_MODELS = ("o1", "o3", "o4", "gpt-5", "codex")
_ECHO_LIMIT = 120


def check_request(body: Any) -> JsonDict:
    """Refuse what the Responses API refuses: no model, no input, bad items, lost reasoning."""
    if not isinstance(body, dict):
        raise openai_error(400, "the request body must be a JSON object")
    if not isinstance(body.get("model"), str):
        raise openai_error(400, "Missing required parameter: 'model'.", param="model")
    given = body.get("input")
    if isinstance(given, str):
        body["input"] = [{"role": "user", "content": given}]
    elif not isinstance(given, list) or not given:
        raise openai_error(400, "Missing required parameter: 'input'.", param="input")
    for index, item in enumerate(body["input"]):
        _check_item(item, index, stored=body.get("store") is not False)
    limit = body.get("max_output_tokens")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 16):
        raise openai_error(
            400, "Invalid 'max_output_tokens': integer below minimum value 16.", param="max_output_tokens"
        )
    return body


def _check_item(item: Any, index: int, *, stored: bool) -> None:
    where = f"input[{index}]"
    if not isinstance(item, dict) or not (item.get("type") or item.get("role")):
        raise openai_error(400, f"Invalid '{where}': an item needs a 'type' or a 'role'.", param=where)
    if item.get("type") != "reasoning":
        return
    token = item.get("encrypted_content")
    if token is None and not stored:
        message = f"Item with id '{item.get('id')}' not found. Items are not persisted when `store` is false."
        raise openai_error(404, message, param=where)
    if token is not None and not str(token).startswith(ENCRYPTED_PREFIX):
        raise openai_error(
            400, "The encrypted content could not be verified.", param=where, code="invalid_encrypted_content"
        )


@dataclass
class Plan:
    """The answer's output items and, when cut short, why."""

    output: list[JsonDict] = field(default_factory=list)
    incomplete: str | None = None


def _last_tool_output(items: list[JsonDict]) -> str | None:
    last = items[-1]
    return str(last.get("output")) if last.get("type") == "function_call_output" else None


def _function_call(body: JsonDict) -> JsonDict | None:
    tools = [t for t in body.get("tools") or () if isinstance(t, dict) and t.get("type") == "function"]
    choice = body.get("tool_choice") or "auto"
    if not tools or choice == "none" or (choice == "auto" and _last_tool_output(body["input"]) is not None):
        return None
    tool = tools[0]
    if isinstance(choice, dict):
        named = [t for t in tools if t.get("name") == choice.get("name")]
        if not named:
            raise openai_error(
                400, f"tool_choice names the unknown tool {choice.get('name')!r}", param="tool_choice"
            )
        tool = named[0]
    digest = hashlib.sha256(json.dumps(body["input"]).encode()).hexdigest()[:24]
    arguments = json.dumps(schema_instance(tool.get("parameters") or {"type": "object"}))
    return {
        "id": f"fc_fake{digest}", "type": "function_call", "status": "completed",
        "arguments": arguments, "call_id": f"call_fake{digest}", "name": tool["name"],
    }  # fmt: skip


def _answer_text(body: JsonDict) -> str:
    text_format = (body.get("text") or {}).get("format") or {}
    if text_format.get("type") == "json_schema" and isinstance(text_format.get("schema"), dict):
        return json.dumps(schema_instance(text_format["schema"]))
    if text_format.get("type") == "json_object":
        return "{}"
    result = _last_tool_output(body["input"])
    if result is not None:
        return TOOL_REPLY_PREFIX + result
    users = [item for item in body["input"] if item.get("role") == "user"]
    said = " ".join(message_text(users[-1]["content"] if users else "").split())
    return REPLY_PREFIX + said[:_ECHO_LIMIT]


def _reasoning(body: JsonDict) -> JsonDict | None:
    effort = (body.get("reasoning") or {}).get("effort")
    if not str(body["model"]).startswith(_REASONING_MODELS) and effort is None:
        return None
    digest = hashlib.sha256(json.dumps(body["input"]).encode()).hexdigest()[:24]
    item: JsonDict = {"id": f"rs_fake{digest}", "type": "reasoning", "summary": []}
    if (body.get("reasoning") or {}).get("summary"):
        item["summary"] = [{"type": "summary_text", "text": "**Thinking it over**\n\nA short fake summary."}]
    if ENCRYPTED_REASONING in (body.get("include") or ()):
        item["encrypted_content"] = ENCRYPTED_PREFIX + digest
    return item


def plan(body: JsonDict) -> Plan:
    """Decide the output: optional reasoning, then a function call or a message (cut by max_output_tokens)."""
    result = Plan()
    reasoning = _reasoning(body)
    if reasoning is not None:
        result.output.append(reasoning)
    call = _function_call(body)
    if call is not None:
        result.output.append(call)
        return result
    words = _answer_text(body).split(" ")
    limit = body.get("max_output_tokens")
    if limit is not None and len(words) > limit:
        words, result.incomplete = words[:limit], "max_output_tokens"
    part = {"type": "output_text", "annotations": [], "logprobs": [], "text": " ".join(words)}
    message = {"id": f"msg_fake{uuid.uuid4().hex[:24]}", "type": "message", "status": "completed"}
    result.output.append({**message, "content": [part], "phase": "final_answer", "role": "assistant"})
    return result


def usage(body: JsonDict, answer: Plan) -> JsonDict:
    """Token counts: one token per word, as the other fakes count."""
    prompt = sum(len(message_text(i.get("content") or i.get("output") or "").split()) for i in body["input"])
    prompt += len(str(body.get("instructions") or "").split())
    output = sum(len(json.dumps(item).split()) for item in answer.output if item["type"] != "reasoning")
    reasoning = 8 if any(item["type"] == "reasoning" for item in answer.output) else 0
    return {
        "input_tokens": prompt, "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output + reasoning, "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": prompt + output + reasoning,
    }  # fmt: skip


def response_body(response_id: str, body: JsonDict, answer: Plan) -> JsonDict:
    """Build the whole response object."""
    return {
        "id": response_id, "object": "response", "created_at": int(time.time()),
        "status": "incomplete" if answer.incomplete else "completed",
        "error": None, "incomplete_details": {"reason": answer.incomplete} if answer.incomplete else None,
        "instructions": body.get("instructions"), "model": body["model"], "output": answer.output,
        "store": body.get("store", True), "usage": usage(body, answer),
    }  # fmt: skip


def _item_events(index: int, item: JsonDict) -> Iterator[JsonDict]:
    opening = {**item, "status": "in_progress"}
    if item["type"] == "message":
        opening["content"] = []
    elif item["type"] == "function_call":
        opening["arguments"] = ""
    elif item["type"] == "reasoning":
        opening["summary"] = []
    yield {"type": "response.output_item.added", "output_index": index, "item": opening}
    at = {"item_id": item["id"], "output_index": index}
    if item["type"] == "message":
        for piece in word_pieces(item["content"][0]["text"]):
            yield {"type": "response.output_text.delta", **at, "content_index": 0, "delta": piece}
        yield {
            "type": "response.output_text.done",
            **at,
            "content_index": 0,
            "text": item["content"][0]["text"],
        }
    elif item["type"] == "function_call":
        middle = len(item["arguments"]) // 2
        for piece in (item["arguments"][:middle], item["arguments"][middle:]):
            yield {"type": "response.function_call_arguments.delta", **at, "delta": piece}
        yield {"type": "response.function_call_arguments.done", **at, "arguments": item["arguments"]}
    else:
        for position, part in enumerate(item.get("summary") or ()):
            for piece in word_pieces(part["text"]):
                yield {
                    "type": "response.reasoning_summary_text.delta",
                    **at,
                    "summary_index": position,
                    "delta": piece,
                }
    yield {"type": "response.output_item.done", "output_index": index, "item": item}


def stream_events(response_id: str, body: JsonDict, answer: Plan) -> Iterator[JsonDict]:
    """Yield the events of a streamed answer, from ``response.created`` to the terminal event."""
    whole = response_body(response_id, body, answer)
    started = {**whole, "status": "in_progress", "output": [], "usage": None, "incomplete_details": None}
    yield {"type": "response.created", "response": started}
    yield {"type": "response.in_progress", "response": started}
    for index, item in enumerate(answer.output):
        yield from _item_events(index, item)
    yield {"type": "response.incomplete" if answer.incomplete else "response.completed", "response": whole}


def failure_events(response_id: str, body: JsonDict) -> list[JsonDict]:
    """Return the tail of a stream failing mid-way: an ``error`` event, then ``response.failed``."""
    error = {"code": "server_error", "message": "The server had an error while processing your request."}
    failed = {
        "id": response_id,
        "object": "response",
        "status": "failed",
        "model": body["model"],
        "error": error,
    }
    return [{"type": "error", **error, "param": None}, {"type": "response.failed", "response": failed}]

"""Pure builders behind the fake Bedrock server: request checks, the planned answer, body and events.

No sockets here: data in, data out. Replies are deterministic.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

from ._anthropic_replies import Plan
from ._fake_checks import FakeApiError
from ._fake_replies import schema_instance

JsonDict = dict[str, Any]

REPLY_PREFIX = "This is a fake reply from llmport's loopback Bedrock server. You said: "
TOOL_REPLY_PREFIX = "The tool returned: "
NAMESPACE = "http://internal.amazon.com/coral/com.amazon.bedrock/"
ERROR_CODES = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}
_MAGIC_ERROR = re.compile(r"fake-error-(\d{3})")
CONTEXT_MODEL = "fake-error-context"
NOT_READY_MODEL = "fake-error-not-ready"
STREAM_DROP_MODEL = "fake-stream-drop"
STREAM_ERROR_MODEL = "fake-stream-error"
_ECHO_LIMIT = 120


def bedrock_error(status: int, message: str, code: str | None = None) -> FakeApiError:
    """Build an error answer as Bedrock sends it: ``{"message"}`` and the code in ``x-amzn-ErrorType``."""
    name = code or ERROR_CODES.get(status, "InternalServerException")
    return FakeApiError(status, {"message": message}, {"x-amzn-ErrorType": f"{name}:{NAMESPACE}"})


def magic_error(model: str) -> FakeApiError | None:
    """Return the scripted failure of a magic model id (``fake-error-<status>``, ``-context``...)."""
    if model == CONTEXT_MODEL:
        return bedrock_error(400, "Input is too long for requested model.")
    if model == NOT_READY_MODEL:
        return bedrock_error(429, "Model is not ready, try again.", "ModelNotReadyException")
    match = _MAGIC_ERROR.fullmatch(model)
    if match is None:
        return None
    status = int(match.group(1))
    return bedrock_error(status, f"scripted failure {status} for model {model}")


def check_request(body: Any) -> JsonDict:
    """Refuse what Converse refuses: no messages, bad roles, empty text, tool blocks without toolConfig."""
    if not isinstance(body, dict):
        raise bedrock_error(400, "The request body must be a JSON object.")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bedrock_error(400, "A conversation must start with a user message.")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            raise bedrock_error(400, f"messages.{index}.role: must be user or assistant")
        content = message.get("content")
        if not isinstance(content, list) or not content:
            raise bedrock_error(400, f"messages.{index}.content: at least one content block is required")
        for block in content:
            if "text" in block and not block["text"]:
                raise bedrock_error(400, "The text field in the ContentBlock object is blank.")
            if ("toolUse" in block or "toolResult" in block) and not body.get("toolConfig"):
                raise bedrock_error(
                    400,
                    "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
                )
    if messages[0]["role"] != "user":
        raise bedrock_error(400, "A conversation must start with a user message.")
    return body


def _text(content: Any) -> str:
    parts = content if isinstance(content, list) else []
    texts = []
    for part in parts:
        if "toolResult" in part:
            texts.append(_text(part["toolResult"].get("content")))
        elif isinstance(part.get("text"), str):
            texts.append(part["text"])
    return " ".join(texts)


def _last_tool_result(messages: list[JsonDict]) -> str | None:
    results = [p["toolResult"] for p in messages[-1]["content"] if "toolResult" in p]
    return _text(results[-1].get("content")) if results else None


def _tool_block(body: JsonDict) -> JsonDict | None:
    config = body.get("toolConfig") or {}
    tools = [t["toolSpec"] for t in config.get("tools") or () if "toolSpec" in t]
    choice = config.get("toolChoice") or {"auto": {}}
    if not tools or ("auto" in choice and _last_tool_result(body["messages"]) is not None):
        return None
    tool = tools[0]
    if "tool" in choice:
        named = [t for t in tools if t["name"] == choice["tool"].get("name")]
        if not named:
            raise bedrock_error(400, f"toolChoice names the unknown tool {choice['tool'].get('name')!r}")
        tool = named[0]
    digest = hashlib.sha256(json.dumps(body["messages"]).encode()).hexdigest()[:22]
    schema = (tool.get("inputSchema") or {}).get("json") or {}
    return {
        "toolUse": {"toolUseId": f"tooluse_{digest}", "name": tool["name"], "input": schema_instance(schema)}
    }


def _answer_text(body: JsonDict) -> str:
    structure = ((body.get("outputConfig") or {}).get("textFormat") or {}).get("structure") or {}
    schema = (structure.get("jsonSchema") or {}).get("schema")
    if isinstance(schema, str):
        return json.dumps(schema_instance(json.loads(schema)))
    result = _last_tool_result(body["messages"])
    if result is not None:
        return TOOL_REPLY_PREFIX + result
    said = " ".join(_text(body["messages"][-1]["content"]).split())
    return REPLY_PREFIX + said[:_ECHO_LIMIT]


def plan(body: JsonDict) -> Plan:
    """Decide the answer: optional reasoning, then a tool call or text (cut by stop sequences, maxTokens)."""
    result = Plan()
    thinking = (body.get("additionalModelRequestFields") or {}).get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        idea = "Let me think about: " + " ".join(_text(body["messages"][-1]["content"]).split())[:80]
        signature = hashlib.sha256(idea.encode()).hexdigest()
        result.blocks.append({"reasoningContent": {"reasoningText": {"text": idea, "signature": signature}}})
    tool = _tool_block(body)
    if tool is not None:
        result.blocks.append(tool)
        result.stop_reason = "tool_use"
        return result
    inference = body.get("inferenceConfig") or {}
    text = _answer_text(body)
    for stop in inference.get("stopSequences") or ():
        if stop and stop in text:
            text, result.stop_reason = text.split(stop, 1)[0], "stop_sequence"
    words = text.split(" ")
    limit = inference.get("maxTokens")
    if isinstance(limit, int) and len(words) > limit:
        text, result.stop_reason = " ".join(words[:limit]), "max_tokens"
    result.blocks.append({"text": text})
    return result


def usage(body: JsonDict, answer: Plan) -> JsonDict:
    """Token counts: one token per word."""
    system = " ".join(str(block.get("text", "")) for block in body.get("system") or ())
    prompt = sum(len(_text(m["content"]).split()) for m in body["messages"]) + len(system.split())
    output = sum(len(json.dumps(block).split()) for block in answer.blocks)
    return {"inputTokens": prompt, "outputTokens": output, "totalTokens": prompt + output}


def converse_body(body: JsonDict, answer: Plan) -> JsonDict:
    """Build the whole Converse response body."""
    return {
        "output": {"message": {"role": "assistant", "content": answer.blocks}},
        "stopReason": answer.stop_reason,
        "usage": usage(body, answer),
        "metrics": {"latencyMs": 1},
    }


def _pieces(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text) or [""]


def _padding(seed: str) -> str:
    """Return a padding ``p`` value, as Bedrock adds to every event (random there, derived here)."""
    return "abcdefghijklmnopqrstuvwxyz"[: len(seed) % 26 + 1]


def _block_events(index: int, block: JsonDict) -> Iterator[tuple[str, JsonDict]]:
    at = {"contentBlockIndex": index}
    if "toolUse" in block:
        tool = block["toolUse"]
        start = {"toolUse": {"toolUseId": tool["toolUseId"], "name": tool["name"]}}
        yield "contentBlockStart", {**at, "start": start, "p": _padding(tool["name"])}
        arguments = json.dumps(tool["input"])
        middle = len(arguments) // 2
        for part in ("", arguments[:middle], arguments[middle:]):
            yield "contentBlockDelta", {**at, "delta": {"toolUse": {"input": part}}, "p": _padding(part)}
    elif "reasoningContent" in block:
        reasoning = block["reasoningContent"]["reasoningText"]
        for piece in _pieces(reasoning["text"]):
            yield (
                "contentBlockDelta",
                {**at, "delta": {"reasoningContent": {"text": piece}}, "p": _padding(piece)},
            )
        yield (
            "contentBlockDelta",
            {**at, "delta": {"reasoningContent": {"signature": reasoning["signature"]}}},
        )
    else:  # text blocks come without contentBlockStart, as Bedrock sends them
        for piece in _pieces(block["text"]):
            yield "contentBlockDelta", {**at, "delta": {"text": piece}, "p": _padding(piece)}
    yield "contentBlockStop", {**at, "p": _padding(str(index))}


def stream_events(body: JsonDict, answer: Plan) -> Iterator[tuple[str, JsonDict]]:
    """Yield ``(event type, payload)`` for a streamed answer, messageStart to metadata."""
    yield "messageStart", {"role": "assistant", "p": "abc"}
    for index, block in enumerate(answer.blocks):
        yield from _block_events(index, block)
    yield "messageStop", {"stopReason": answer.stop_reason, "p": "abcdefg"}
    yield "metadata", {"usage": usage(body, answer), "metrics": {"latencyMs": 1}, "p": "ab"}

"""Pure builders behind the fake Gemini server: request checks, the planned answer, frames.

No sockets here: data in, data out. Replies are deterministic apart from the response id.
Gemini 3 models sign their function calls; a later request that sends such a call back without
its signature (or with one this fake never issued) gets Gemini's 400, as the real API answers.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ._fake_checks import FakeApiError
from ._fake_replies import schema_instance

JsonDict = dict[str, Any]

REPLY_PREFIX = "This is a fake reply from llmport's loopback Gemini server. You said: "
TOOL_REPLY_PREFIX = "The tool returned: "
STATUSES = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}  # fmt: skip
_MAGIC_ERROR = re.compile(r"fake-error-(\d{3})")
CONTEXT_MODEL = "fake-error-context"
BLOCKED_MODEL = "fake-blocked"
STREAM_DROP_MODEL = "fake-stream-drop"
STREAM_ERROR_MODEL = "fake-stream-error"
SKIP_SIGNATURE = "skip_thought_signature_validator"
_ECHO_LIMIT = 120


def gemini_error(status: int, message: str, details: list[JsonDict] | None = None) -> FakeApiError:
    """Build an error answer in Google's shape (``{"error": {code, message, status, details}}``)."""
    error: JsonDict = {"code": status, "message": message, "status": STATUSES.get(status, "UNKNOWN")}
    if details:
        error["details"] = details
    return FakeApiError(status, {"error": error})


def magic_error(model: str) -> FakeApiError | None:
    """Return the scripted failure of a magic model name (``fake-error-<status>``, ``fake-error-context``)."""
    if model == CONTEXT_MODEL:
        return gemini_error(
            400, "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."
        )
    match = _MAGIC_ERROR.fullmatch(model)
    if match is None:
        return None
    status = int(match.group(1))
    details = (
        [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0s"}] if status == 429 else None
    )
    return gemini_error(status, f"scripted failure {status} for model {model}", details)


def signature_for(model: str, name: str, args: Any) -> str:
    """Return the signature this fake puts on a function call of a Gemini 3 model."""
    return hashlib.sha256(f"{model}/{name}/{json.dumps(args, sort_keys=True)}".encode()).hexdigest()


def check_request(model: str, body: Any) -> JsonDict:
    """Refuse what generateContent refuses: no contents, bad roles, unsigned Gemini 3 calls."""
    if not isinstance(body, dict):
        raise gemini_error(400, "Invalid JSON payload received.")
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        raise gemini_error(400, "* GenerateContentRequest.contents: contents is not specified")
    for index, content in enumerate(contents):
        if not isinstance(content, dict) or content.get("role") not in ("user", "model"):
            raise gemini_error(400, f"Please use a valid role: user, model. (contents[{index}])")
        if model.startswith("gemini-3") and content["role"] == "model":
            _check_signature(model, content.get("parts") or [], index)
    return body


def _check_signature(model: str, parts: list[JsonDict], index: int) -> None:
    calls = [p for p in parts if isinstance(p, dict) and "functionCall" in p]
    if not calls:
        return
    first = calls[0]
    signature = first.get("thoughtSignature")
    if signature is None:
        raise gemini_error(
            400,
            f"Function call is missing a thought_signature in functionCall parts. content position {index}",
        )
    call = first["functionCall"]
    if signature not in (SKIP_SIGNATURE, signature_for(model, call.get("name"), call.get("args"))):
        raise gemini_error(400, "Corrupted thought signature.")


@dataclass
class Plan:
    """One candidate's parts and finish reason."""

    parts: list[JsonDict] = field(default_factory=list)
    finish: str = "STOP"


def _text(parts: list[JsonDict]) -> str:
    return " ".join(str(p.get("text", "")) for p in parts if isinstance(p, dict) and "text" in p)


def _last_tool_result(contents: list[JsonDict]) -> str | None:
    results = [p["functionResponse"] for p in contents[-1].get("parts") or () if "functionResponse" in p]
    return json.dumps(results[-1].get("response")) if results else None


def _function_call(model: str, body: JsonDict) -> JsonDict | None:
    declarations = [d for t in body.get("tools") or () for d in t.get("functionDeclarations") or ()]
    config = (body.get("toolConfig") or {}).get("functionCallingConfig") or {}
    mode = config.get("mode", "AUTO")
    if not declarations or mode == "NONE":
        return None
    if mode == "AUTO" and _last_tool_result(body["contents"]) is not None:
        return None
    allowed = config.get("allowedFunctionNames") or [d["name"] for d in declarations]
    declaration = next((d for d in declarations if d["name"] in allowed), declarations[0])
    schema = declaration.get("parameters") or declaration.get("parametersJsonSchema") or {"type": "object"}
    args = schema_instance(_lower_types(schema)) or {}
    part: JsonDict = {"functionCall": {"name": declaration["name"], "args": args}}
    if model.startswith("gemini-3"):
        part["thoughtSignature"] = signature_for(model, declaration["name"], args)
    return part


def _lower_types(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_lower_types(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        k: (v.lower() if k == "type" and isinstance(v, str) else _lower_types(v)) for k, v in schema.items()
    }


def _answer_text(body: JsonDict) -> str:
    config = body.get("generationConfig") or {}
    schema = config.get("responseJsonSchema") or config.get("responseSchema")
    if isinstance(schema, dict):
        return json.dumps(schema_instance(_lower_types(schema)))
    result = _last_tool_result(body["contents"])
    if result is not None:
        return TOOL_REPLY_PREFIX + result
    said = " ".join(_text(body["contents"][-1].get("parts") or []).split())
    return REPLY_PREFIX + said[:_ECHO_LIMIT]


def plan(model: str, body: JsonDict) -> Plan:
    """Decide one candidate: optional thought, then a function call or text (stop sequences, max tokens)."""
    result = Plan()
    config = body.get("generationConfig") or {}
    if (config.get("thinkingConfig") or {}).get("includeThoughts"):
        idea = "Thinking about: " + " ".join(_text(body["contents"][-1].get("parts") or []).split())[:80]
        result.parts.append({"text": idea, "thought": True})
    call = _function_call(model, body)
    if call is not None:
        result.parts.append(call)
        return result
    text = _answer_text(body)
    for stop in config.get("stopSequences") or ():
        if stop and stop in text:
            text = text.split(stop, 1)[0]
    words = text.split(" ")
    limit = config.get("maxOutputTokens")
    if isinstance(limit, int) and len(words) > limit:
        text, result.finish = " ".join(words[:limit]), "MAX_TOKENS"
    result.parts.append({"text": text})
    return result


def usage(body: JsonDict, plans: list[Plan]) -> JsonDict:
    """Token counts: one token per word; thought words count as thoughts."""
    prompt = sum(len(_text(c.get("parts") or []).split()) for c in body["contents"])
    thoughts = sum(len(p["text"].split()) for plan_ in plans for p in plan_.parts if p.get("thought"))
    answer = sum(
        len(json.dumps(p).split()) if "functionCall" in p else len(p["text"].split())
        for plan_ in plans
        for p in plan_.parts
        if not p.get("thought")
    )
    return {
        "promptTokenCount": prompt, "candidatesTokenCount": answer, "thoughtsTokenCount": thoughts,
        "totalTokenCount": prompt + answer + thoughts,
    }  # fmt: skip


def whole_body(model: str, response_id: str, body: JsonDict, plans: list[Plan]) -> JsonDict:
    """Build the non-streamed ``GenerateContentResponse``."""
    candidates = [
        {"content": {"role": "model", "parts": p.parts}, "finishReason": p.finish, "index": i}
        for i, p in enumerate(plans)
    ]
    return {
        "candidates": candidates,
        "usageMetadata": usage(body, plans),
        "modelVersion": model,
        "responseId": response_id,
    }


def stream_frames(model: str, response_id: str, body: JsonDict, plans: list[Plan]) -> list[JsonDict]:
    """Build a streamed answer's frames: one per part (text cut in words), then the finish frames."""
    frames: list[JsonDict] = []
    for index, candidate in enumerate(plans):
        for part in candidate.parts:
            for piece in _pieces(part):
                frames.append(_frame(model, response_id, index, [piece]))
    for index, candidate in enumerate(plans):
        final = _frame(model, response_id, index, [{"text": ""}])
        final["candidates"][0]["finishReason"] = candidate.finish
        frames.append(final)
    frames[-1]["usageMetadata"] = usage(body, plans)
    return frames


def _pieces(part: JsonDict) -> list[JsonDict]:
    if "text" not in part:
        return [part]
    words = re.findall(r"\S+\s*|\s+", part["text"]) or [""]
    return [{**part, "text": word} for word in words]


def _frame(model: str, response_id: str, index: int, parts: list[JsonDict]) -> JsonDict:
    candidate = {"content": {"role": "model", "parts": parts}, "index": index}
    return {"candidates": [candidate], "modelVersion": model, "responseId": response_id}

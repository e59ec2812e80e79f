"""Pure builders behind the fake OpenAI server: replies, usage, response bodies and stream chunks.

Nothing here touches sockets, so every rule of the fake can be reasoned about (and unit
tested) as plain data in, plain data out. Everything is deterministic except the ids and
timestamps the HTTP layer passes in through `ResponseMeta`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, zip_longest
from typing import Any

from ._fake_checks import openai_error

JsonDict = dict[str, Any]

FINGERPRINT = "fp_llmport_fake"
REPLY_PREFIX = "This is a fake reply from llmport's loopback server. You said: "
STREAM_ERROR_PAYLOAD: JsonDict = {
    "error": {
        "message": "The server had an error while processing your request.",
        "type": "server_error",
        "param": None,
        "code": None,
    }
}
_ECHO_LIMIT = 120
_STRING_FORMATS = {
    "date-time": "1970-01-01T00:00:00Z",
    "date": "1970-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


@dataclass(frozen=True)
class Choice:
    """One planned assistant choice: text, or tool calls, or a legacy function call."""

    text: str | None
    finish_reason: str
    tool_calls: list[JsonDict] = field(default_factory=list)
    function_call: JsonDict | None = None


@dataclass(frozen=True)
class ResponseMeta:
    """The non-deterministic envelope fields, chosen by the HTTP layer."""

    completion_id: str
    created: int
    model: str


# --- text helpers -----------------------------------------------------------------------------


def message_text(content: Any) -> str:
    """Return the text of a message ``content``: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and "text" in p)
    return ""


def word_pieces(text: str) -> list[str]:
    """Split text into words each carrying its trailing whitespace, so the pieces join back to it."""
    return re.findall(r"\s*\S+\s*", text)


def _echo(text: str) -> str:
    return " ".join(text.split())[:_ECHO_LIMIT]


def _last_user_text(messages: list[JsonDict]) -> str:
    users = [m for m in messages if m.get("role") == "user"]
    return message_text(users[-1].get("content")) if users else ""


# --- schema instances -------------------------------------------------------------------------


def schema_instance(schema: Any, root: Any = None, depth: int = 0) -> Any:
    """Build a small value that satisfies a JSON schema (strings "example", numbers 0, ...).

    Local ``$ref`` pointers are resolved against ``root``; recursion stops at depth 10 with None.
    """
    root = schema if root is None else root
    schema = _resolve_ref(schema, root)
    if not isinstance(schema, dict) or depth > 10:
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    variants = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if variants:
        usable = [v for v in variants if not (isinstance(v, dict) and v.get("type") == "null")]
        return schema_instance((usable or variants)[0], root, depth + 1)
    return _typed_instance(schema, _primary_type(schema), root, depth)


def _resolve_ref(schema: Any, root: Any) -> Any:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    target = root
    for part in ref[2:].split("/"):
        target = target.get(part) if isinstance(target, dict) else None
    return target


def _primary_type(schema: JsonDict) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    return "object" if "properties" in schema else "array" if "items" in schema else "string"


def _typed_instance(schema: JsonDict, kind: str, root: Any, depth: int) -> Any:
    if kind == "object":
        props = schema.get("properties") or {}
        value = {name: schema_instance(sub, root, depth + 1) for name, sub in props.items()}
        return value | {name: "example" for name in schema.get("required") or [] if name not in value}
    if kind == "array":
        count = schema.get("minItems") or 0
        return [schema_instance(schema.get("items") or {}, root, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        return _number_instance(schema, integer=kind == "integer")
    if kind == "string":
        text = _STRING_FORMATS.get(str(schema.get("format")), "example")
        return text.ljust(schema.get("minLength") or 0, "x")[: schema.get("maxLength") or None]
    return False if kind == "boolean" else None


def _number_instance(schema: JsonDict, *, integer: bool) -> int | float:
    value: float = 0
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        low = schema["exclusiveMinimum"] + 1
    if isinstance(low, int | float) and value < low:
        value = low
    if isinstance(high, int | float) and value > high:
        value = high
    return int(value) if integer else value


# --- reply planning ---------------------------------------------------------------------------


def build_choices(body: JsonDict) -> list[Choice]:
    """Plan the ``n`` choices for a validated chat request."""
    n = body.get("n") or 1
    messages: list[JsonDict] = body["messages"]
    tools = _chosen_tools(body)
    if tools:
        # Offsetting by the calls already in the history keeps ids unique across a conversation.
        first = sum(len(m.get("tool_calls") or []) for m in messages if m.get("role") == "assistant")
        return [_tool_choice(tools, first + i * len(tools)) for i in range(n)]
    function = _chosen_function(body)
    if function is not None:
        return [Choice(None, "function_call", function_call=_call_payload(function)) for _ in range(n)]
    return [_limit(body, _choice_text(body, i)) for i in range(n)]


def _chosen_tools(body: JsonDict) -> list[JsonDict]:
    tools = [
        t["function"]
        for t in body.get("tools") or []
        if isinstance(t, dict) and isinstance(t.get("function"), dict)
    ]
    choice = body.get("tool_choice")
    if not tools or choice == "none" or body["messages"][-1].get("role") == "tool":
        return []
    if isinstance(choice, dict):
        return [_named(tools, (choice.get("function") or {}).get("name"), "tool_choice")]
    parallel = body.get("parallel_tool_calls") is not False
    return tools[:2] if parallel else tools[:1]


def _chosen_function(body: JsonDict) -> JsonDict | None:
    functions = [f for f in body.get("functions") or [] if isinstance(f, dict)]
    choice = body.get("function_call")
    if not functions or choice == "none" or body["messages"][-1].get("role") == "function":
        return None
    if isinstance(choice, dict):
        return _named(functions, choice.get("name"), "function_call")
    return functions[0]


def _named(specs: list[JsonDict], name: Any, param: str) -> JsonDict:
    for spec in specs:
        if spec.get("name") == name:
            return spec
    raise openai_error(
        400, f"Invalid value for '{param}': function {name!r} is not among the provided ones.", param=param
    )


def _call_payload(spec: JsonDict) -> JsonDict:
    params = spec.get("parameters")
    arguments = schema_instance(params) if params else {}
    return {"name": str(spec.get("name", "")), "arguments": json.dumps(arguments)}


def _tool_choice(specs: list[JsonDict], first_id: int) -> Choice:
    calls = [
        {"id": f"call_{first_id + k}", "type": "function", "function": _call_payload(spec)}
        for k, spec in enumerate(specs)
    ]
    return Choice(None, "tool_calls", tool_calls=calls)


def _choice_text(body: JsonDict, index: int) -> str:
    suffix = f" (choice {index})" if index else ""
    messages: list[JsonDict] = body["messages"]
    last = messages[-1]
    if last.get("role") in ("tool", "function"):
        return f"The {last['role']} returned: {_echo(message_text(last.get('content')))}{suffix}"
    said = _last_user_text(messages)
    fake = f"{REPLY_PREFIX}{_echo(said) or '(no user message)'}{suffix}"
    fmt = body.get("response_format")
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if kind == "json_schema":
        schema = ((fmt or {}).get("json_schema") or {}).get("schema") or {"type": "object"}
        return json.dumps(schema_instance(schema), ensure_ascii=False)
    # Tutorials often just ask for JSON in the prompt and json.loads the answer.
    if kind == "json_object" or "json" in said.lower():
        return json.dumps({"reply": fake}, ensure_ascii=False)
    return fake


def _limit(body: JsonDict, text: str) -> Choice:
    stops = body.get("stop")
    stops = [stops] if isinstance(stops, str) else stops or []
    cuts = [text.find(s) for s in stops if isinstance(s, str) and s and s in text]
    if cuts:
        text = text[: min(cuts)]
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    pieces = word_pieces(text)
    if isinstance(limit, int) and len(pieces) > limit:
        return Choice("".join(pieces[:limit]).rstrip(), "length")
    return Choice(text, "stop")


# --- response bodies --------------------------------------------------------------------------


def usage_for(messages: list[JsonDict], choices: list[Choice]) -> JsonDict:
    """Count usage in whitespace-separated words, in OpenAI's shape with the detail objects."""
    prompt = sum(len(message_text(m.get("content")).split()) for m in messages)
    completion = sum(_completion_tokens(c) for c in choices)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _completion_tokens(choice: Choice) -> int:
    if choice.text is not None:
        return len(choice.text.split())
    calls = [c["function"] for c in choice.tool_calls] + (
        [choice.function_call] if choice.function_call else []
    )
    return max(1, sum(len(c["arguments"].split()) for c in calls))


def _token_logprob(token: str, top: int) -> JsonDict:
    alternatives = [token] + [f"{token.strip()}_alt{j}" for j in range(1, top)]
    tops = [
        {"token": t, "logprob": -0.1 - j, "bytes": list(t.encode())} for j, t in enumerate(alternatives[:top])
    ]
    return {"token": token, "logprob": -0.1, "bytes": list(token.encode()), "top_logprobs": tops}


def _logprobs(body: JsonDict, text: str | None) -> JsonDict | None:
    if body.get("logprobs") is not True or text is None:
        return None
    top = body.get("top_logprobs") or 0
    return {"content": [_token_logprob(p, top) for p in word_pieces(text)], "refusal": None}


def completion_body(meta: ResponseMeta, body: JsonDict, choices: list[Choice]) -> JsonDict:
    """Build the non-streamed ``chat.completion`` object."""
    out = []
    for index, choice in enumerate(choices):
        message: JsonDict = {"role": "assistant", "content": choice.text, "refusal": None, "annotations": []}
        if choice.tool_calls:
            message["tool_calls"] = choice.tool_calls
        if choice.function_call:
            message["function_call"] = choice.function_call
        out.append(
            {
                "index": index,
                "message": message,
                "logprobs": _logprobs(body, choice.text),
                "finish_reason": choice.finish_reason,
            }
        )
    return {
        "id": meta.completion_id,
        "object": "chat.completion",
        "created": meta.created,
        "model": meta.model,
        "system_fingerprint": FINGERPRINT,
        "choices": out,
        "usage": usage_for(body["messages"], choices),
        "service_tier": "default",
    }


# --- streaming --------------------------------------------------------------------------------


def sse_frame(payload: JsonDict | str) -> bytes:
    """Encode one server-sent event: ``data: <compact json or text>`` and a blank line."""
    data = (
        payload
        if isinstance(payload, str)
        else json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    )
    return f"data: {data}\n\n".encode()


def stream_chunks(meta: ResponseMeta, body: JsonDict, choices: list[Choice]) -> Iterator[JsonDict]:
    """Yield the ``chat.completion.chunk`` objects of a stream, without the [DONE] sentinel.

    Choices are interleaved round-robin (like the real API) so clients must key on ``index``.
    """
    include_usage = (body.get("stream_options") or {}).get("include_usage") is True
    per_choice = [list(_choice_deltas(body, i, c)) for i, c in enumerate(choices)]
    for entry in chain.from_iterable(zip_longest(*per_choice)):
        if entry is not None:
            yield _chunk(meta, [entry], include_usage)
    for index, choice in enumerate(choices):
        yield _chunk(meta, [_delta(index, {}, finish_reason=choice.finish_reason)], include_usage)
    if include_usage:
        yield _chunk(meta, [], include_usage) | {"usage": usage_for(body["messages"], choices)}


def _chunk(meta: ResponseMeta, choices: list[JsonDict], include_usage: bool) -> JsonDict:
    chunk = {
        "id": meta.completion_id,
        "object": "chat.completion.chunk",
        "created": meta.created,
        "model": meta.model,
        "system_fingerprint": FINGERPRINT,
        "service_tier": "default",
        "choices": choices,
    }
    return chunk | {"usage": None} if include_usage else chunk


def _delta(
    index: int, delta: JsonDict, *, logprobs: JsonDict | None = None, finish_reason: str | None = None
) -> JsonDict:
    return {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish_reason}


def _fragments(text: str) -> list[str]:
    size = max(1, -(-len(text) // 3))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _choice_deltas(body: JsonDict, index: int, choice: Choice) -> Iterator[JsonDict]:
    if choice.text is None:
        yield _delta(index, {"role": "assistant", "content": None, "refusal": None})
        yield from _call_deltas(index, choice)
        return
    yield _delta(index, {"role": "assistant", "content": "", "refusal": None})
    top = body.get("top_logprobs") or 0
    for piece in word_pieces(choice.text):
        logprobs = (
            {"content": [_token_logprob(piece, top)], "refusal": None}
            if body.get("logprobs") is True
            else None
        )
        yield _delta(index, {"content": piece}, logprobs=logprobs)


def _call_deltas(index: int, choice: Choice) -> Iterator[JsonDict]:
    if choice.function_call:
        name, arguments = choice.function_call["name"], choice.function_call["arguments"]
        yield _delta(index, {"function_call": {"name": name, "arguments": ""}})
        for part in _fragments(arguments):
            yield _delta(index, {"function_call": {"arguments": part}})
    for k, call in enumerate(choice.tool_calls):
        head = {
            "index": k,
            "id": call["id"],
            "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        yield _delta(index, {"tool_calls": [head]})
        for part in _fragments(call["function"]["arguments"]):
            yield _delta(index, {"tool_calls": [{"index": k, "function": {"arguments": part}}]})

"""Reply builders for Gemini, Ollama's native API and Cohere v2, in the shapes their recordings show.

``gemini_reply``/``gemini_stream`` answer ``generateContent`` / ``streamGenerateContent?alt=sse``
(Gemini and Vertex's Gemini models), ``ollama_reply``/``ollama_stream`` answer ``/api/chat`` (and
``/api/generate`` with ``generate=True``; the stream is NDJSON, one object a line, ending with
``done: true``), and ``cohere_reply``/
``cohere_stream`` answer ``/v2/chat`` (SSE with ``event:`` lines, ending with ``message-end``).
Each takes the keywords of ``openai_reply``; the finish keyword is the format's own
(``finish_reason="MAX_TOKENS"``, ``done_reason="length"``...). Fields follow the fixtures under
``tests/contract/fixtures/<format>/``; optional ones the codecs do not read (durations, safety
ratings, billed search units) are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ...ports.transport import HttpResponse
from .fake_replies import (
    PIECES,
    ToolCallLike,
    UsageLike,
    json_answer,
    openai_usage,
    sse_frame,
    streamed_answer,
    tool_call_dicts,
)

NDJSON = "application/x-ndjson"
CREATED_AT = "2026-01-01T00:00:00.000000Z"


def called(tool_calls: Sequence[ToolCallLike] | None) -> list[tuple[str, str, Any]]:
    """Return ``(id, name, arguments as an object)`` for each tool call, for formats sending objects."""
    return [
        (call["id"], call["function"]["name"], json.loads(call["function"]["arguments"] or "{}"))
        for call in tool_call_dicts(tool_calls)
    ]


def gemini_reply(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    model: str = "gemini-2.0-flash",
    finish_reason: str = "STOP",
    thinking: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a non-streamed Gemini ``generateContent`` answer.

    Args:
        content: The model's text.
        tool_calls: Tool calls, as ``functionCall`` parts (Gemini sends them with ``STOP``).
        usage: ``prompt_tokens``/``completion_tokens`` (or ``input_tokens``/``output_tokens``).
        model: The ``modelVersion`` the answer names.
        finish_reason: Gemini's ``finishReason`` (``STOP``, ``MAX_TOKENS``, ``SAFETY``...).
        thinking: Thought-summary text, as a ``thought: true`` part before the answer.
        headers: Extra response headers.
    """
    candidate = {
        "content": {"parts": _gemini_parts(content, tool_calls, thinking), "role": "model"},
        "finishReason": finish_reason,
    }
    body = {
        "candidates": [candidate],
        "usageMetadata": _gemini_usage(usage),
        "modelVersion": model,
        "responseId": "fake-response-id",
    }
    return json_answer(body, headers)


def gemini_stream(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    model: str = "gemini-2.0-flash",
    finish_reason: str = "STOP",
    thinking: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a streamed Gemini answer (``alt=sse``): one frame per piece, the last with finish and usage.

    Args:
        content: The model's text, streamed word by word.
        tool_calls: Tool calls, one ``functionCall`` frame each.
        usage: Usage on the last frame.
        model: The ``modelVersion`` each frame names.
        finish_reason: Gemini's ``finishReason`` on the last frame.
        thinking: Thought-summary text, streamed before the answer.
        headers: Extra response headers.
    """
    parts = [piece for part in _gemini_parts(content, tool_calls, thinking) for piece in _split(part)]
    frames = [_gemini_frame(model, part) for part in parts or [{"text": ""}]]
    frames[-1]["candidates"][0]["finishReason"] = finish_reason
    frames[-1]["usageMetadata"] = _gemini_usage(usage)
    return streamed_answer(tuple(sse_frame(f) for f in frames), headers)


def ollama_reply(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    model: str = "llama3.2",
    done_reason: str = "stop",
    thinking: str | None = None,
    generate: bool = False,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a non-streamed Ollama ``/api/chat`` answer (``/api/generate`` with ``generate=True``).

    Args:
        content: The assistant's text.
        tool_calls: Tool calls (arguments as objects; Ollama ends a tool turn with ``stop``).
        usage: ``prompt_eval_count``/``eval_count`` from ``prompt_tokens``/``completion_tokens``.
        model: The model the answer names.
        done_reason: Ollama's ``done_reason`` (``stop`` or ``length``).
        thinking: The model's thinking, in ``message.thinking``.
        generate: Answer ``/api/generate`` (the ``ollama/`` prefix): the text in ``response``.
        headers: Extra response headers.
    """
    delta: dict[str, Any] = {"content": content or ""}
    if thinking is not None:
        delta["thinking"] = thinking
    if tool_calls:
        delta["tool_calls"] = _ollama_calls(tool_calls, generate)
    body = {**_ollama_line(model, delta, generate, done=True), **_ollama_end(done_reason, usage)}
    return json_answer(body, headers)


def ollama_stream(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    model: str = "llama3.2",
    done_reason: str = "stop",
    thinking: str | None = None,
    generate: bool = False,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a streamed Ollama answer: NDJSON lines of thinking and text pieces, the calls, then ``done``.

    Args:
        content: The assistant's text, streamed word by word.
        tool_calls: Tool calls, whole on one line (Ollama never streams arguments in fragments).
        usage: Token counts on the ``done`` line.
        model: The model each line names.
        done_reason: Ollama's ``done_reason`` on the last line.
        thinking: The model's thinking, streamed before the text.
        generate: Answer ``/api/generate`` (the ``ollama/`` prefix): the text in ``response``.
        headers: Extra response headers.
    """
    deltas: list[dict[str, Any]] = [{"thinking": piece} for piece in PIECES.findall(thinking or "")]
    deltas += [{"content": piece} for piece in PIECES.findall(content or "")]
    if tool_calls:
        deltas.append({"tool_calls": _ollama_calls(tool_calls, generate)})
    lines = [_ollama_line(model, delta, generate) for delta in deltas]
    lines.append({**_ollama_line(model, {}, generate, done=True), **_ollama_end(done_reason, usage)})
    chunks = tuple(json.dumps(line).encode() + b"\n" for line in lines)
    return streamed_answer(chunks, headers, NDJSON)


def cohere_reply(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    finish_reason: str | None = None,
    thinking: str | None = None,
    tool_plan: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a non-streamed Cohere v2 chat answer (Cohere's answers name no model).

    Args:
        content: The assistant's text, as a ``text`` content block.
        tool_calls: Tool calls (arguments as JSON text).
        usage: ``usage.tokens`` (and ``billed_units``) from ``prompt_tokens``/``completion_tokens``.
        finish_reason: Cohere's (``COMPLETE``, ``MAX_TOKENS``, ``TOOL_CALL``...); defaults to
            ``TOOL_CALL`` with tool calls, else ``COMPLETE``.
        thinking: Reasoning text, as a ``thinking`` content block before the text.
        tool_plan: The plan Cohere writes before its tool calls.
        headers: Extra response headers.
    """
    message: dict[str, Any] = {"role": "assistant"}
    blocks = [
        {"type": kind, kind: text} for kind, text in (("thinking", thinking), ("text", content)) if text
    ]
    if blocks:
        message["content"] = blocks
    if tool_plan is not None:
        message["tool_plan"] = tool_plan
    calls = tool_call_dicts(tool_calls)
    if calls:
        message["tool_calls"] = calls
    body = {
        "id": "fake-cohere-id",
        "message": message,
        "finish_reason": finish_reason or ("TOOL_CALL" if calls else "COMPLETE"),
        "usage": _cohere_usage(usage),
    }
    return json_answer(body, headers)


def cohere_stream(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    finish_reason: str | None = None,
    thinking: str | None = None,
    tool_plan: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a streamed Cohere answer: the v2 events from ``message-start`` to ``message-end``.

    Args:
        content: The assistant's text, streamed word by word.
        tool_calls: Tool calls, each ``tool-call-start``, one arguments delta, ``tool-call-end``.
        usage: Usage on ``message-end``.
        finish_reason: Cohere's finish reason on ``message-end``.
        thinking: Reasoning text, as a ``thinking`` content block before the text.
        tool_plan: The plan before the tool calls, as ``tool-plan-delta`` events.
        headers: Extra response headers.
    """
    calls = tool_call_dicts(tool_calls)
    empty = {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}
    start = {"id": "fake-cohere-id", "type": "message-start", "delta": {"message": empty}}
    events: list[dict[str, Any]] = [start]
    blocks = [(kind, text) for kind, text in (("thinking", thinking), ("text", content)) if text]
    for index, (kind, text) in enumerate(blocks):
        events += list(_cohere_block(index, kind, text))
    events += [
        {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": piece}}}
        for piece in PIECES.findall(tool_plan or "")
    ]
    for index, call in enumerate(calls):
        events += list(_cohere_call(index, call))
    end = {
        "finish_reason": finish_reason or ("TOOL_CALL" if calls else "COMPLETE"),
        "usage": _cohere_usage(usage),
    }
    events.append({"type": "message-end", "delta": end})
    frames = [f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events]
    return streamed_answer((*frames, b"data: [DONE]\n\n"), headers)


def _gemini_parts(
    content: str | None, tool_calls: Sequence[ToolCallLike] | None, thinking: str | None
) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if thinking is not None:
        parts.append({"text": thinking, "thought": True})
    if content is not None:
        parts.append({"text": content})
    parts += [{"functionCall": {"name": name, "args": args}} for _, name, args in called(tool_calls)]
    return parts


def _split(part: dict[str, Any]) -> list[dict[str, Any]]:
    if "text" not in part:
        return [part]
    return [{**part, "text": piece} for piece in PIECES.findall(part["text"])] or [part]


def _gemini_frame(model: str, part: dict[str, Any]) -> dict[str, Any]:
    candidate = {"content": {"parts": [part], "role": "model"}}
    return {"candidates": [candidate], "modelVersion": model, "responseId": "fake-response-id"}


def _gemini_usage(usage: UsageLike | None) -> dict[str, int]:
    tokens = openai_usage(usage)
    return {
        "promptTokenCount": tokens["prompt_tokens"],
        "candidatesTokenCount": tokens["completion_tokens"],
        "totalTokenCount": tokens["total_tokens"],
    }


def _ollama_calls(tool_calls: Sequence[ToolCallLike], generate: bool) -> list[dict[str, Any]]:
    if generate:
        raise ValueError("an Ollama /api/generate answer carries no tool calls (use ollama_chat/)")
    return [
        {"id": call_id, "function": {"index": index, "name": name, "arguments": args}}
        for index, (call_id, name, args) in enumerate(called(tool_calls))
    ]


def _ollama_line(model: str, delta: dict[str, Any], generate: bool, *, done: bool = False) -> dict[str, Any]:
    """Return one line: ``delta`` (content, thinking, calls) as a chat ``message`` or generate's fields."""
    line: dict[str, Any] = {"model": model, "created_at": CREATED_AT}
    if generate:
        line["response"] = delta.get("content", "")
        if "thinking" in delta:
            line["thinking"] = delta["thinking"]
    else:
        line["message"] = {"role": "assistant", "content": "", **delta}
    line["done"] = done
    return line


def _ollama_end(done_reason: str, usage: UsageLike | None) -> dict[str, Any]:
    tokens = openai_usage(usage)
    return {
        "done_reason": done_reason,
        "prompt_eval_count": tokens["prompt_tokens"],
        "eval_count": tokens["completion_tokens"],
    }


def _cohere_usage(usage: UsageLike | None) -> dict[str, Any]:
    tokens = openai_usage(usage)
    counts = {"input_tokens": tokens["prompt_tokens"], "output_tokens": tokens["completion_tokens"]}
    return {"billed_units": dict(counts), "tokens": counts}


def _cohere_block(index: int, kind: str, text: str) -> Iterator[dict[str, Any]]:
    start = {"message": {"content": {"type": kind, kind: ""}}}
    yield {"type": "content-start", "index": index, "delta": start}
    for piece in PIECES.findall(text):
        yield {"type": "content-delta", "index": index, "delta": {"message": {"content": {kind: piece}}}}
    yield {"type": "content-end", "index": index}


def _cohere_call(index: int, call: dict[str, Any]) -> Iterator[dict[str, Any]]:
    function = call["function"]
    start = {**call, "function": {"name": function["name"], "arguments": ""}}
    yield {"type": "tool-call-start", "index": index, "delta": {"message": {"tool_calls": start}}}
    arguments = {"function": {"arguments": function["arguments"]}}
    yield {"type": "tool-call-delta", "index": index, "delta": {"message": {"tool_calls": arguments}}}
    yield {"type": "tool-call-end", "index": index}

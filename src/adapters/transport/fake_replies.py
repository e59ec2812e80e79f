"""Reply builders that speak each wire format, so a test never writes provider JSON by hand.

``openai_reply``/``openai_stream`` answer in OpenAI's chat-completions format (every
OpenAI-compatible host), ``anthropic_reply``/``anthropic_stream`` in Anthropic's Messages
format. Each returns an ``HttpResponse`` a ``FakeTransport`` handler can return as it is::

    fake = FakeTransport(lambda request: openai_reply("hi", usage={"prompt_tokens": 3}))

The other formats' builders are in ``fake_replies_native`` (Gemini, Ollama, Cohere) and
``fake_replies_events`` (Bedrock, Responses); ``fake_formats.as_answer`` turns what a handler may
return (a ``ModelResponse``, a plain ``str``, chunks) into the answer in the request's own format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ...ports.transport import HttpResponse

ToolCallLike = Mapping[str, Any]
UsageLike = Mapping[str, int]

PIECES = re.compile(r"\S+\s*|\s+")
JSON_HEADERS = {"content-type": "application/json"}
SSE_HEADERS = {"content-type": "text/event-stream"}


def json_answer(body: Any, headers: Mapping[str, str] | None = None) -> HttpResponse:
    """Return a 200 answer with ``body`` as JSON (``headers`` added to the content type)."""
    return HttpResponse(200, {**JSON_HEADERS, **(headers or {})}, json.dumps(body).encode())


def streamed_answer(
    chunks: Iterable[bytes], headers: Mapping[str, str] | None = None, content_type: str = "text/event-stream"
) -> HttpResponse:
    """Return a 200 answer read as ``chunks`` (``headers`` added to the content type)."""
    return HttpResponse(200, {"content-type": content_type, **(headers or {})}, chunks=tuple(chunks))


def openai_reply(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    model: str = "gpt-4o-mini",
    finish_reason: str | None = None,
    reasoning_content: str | None = None,
    n: int = 1,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a non-streamed OpenAI chat-completions answer.

    Args:
        content: The assistant's text (None with only tool calls).
        tool_calls: ``{"name": ..., "arguments": {...}}`` or OpenAI-shaped tool-call dicts.
        usage: ``prompt_tokens``/``completion_tokens`` (total is computed).
        model: The model the answer names.
        finish_reason: Defaults to ``tool_calls`` with tool calls, else ``stop``.
        reasoning_content: Reasoning text, as DeepSeek-style hosts send it.
        n: How many identical choices.
        headers: Extra response headers.
    """
    calls = tool_call_dicts(tool_calls)
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = calls
    if reasoning_content is not None:
        message["reasoning_content"] = reasoning_content
    finish = finish_reason or ("tool_calls" if calls else "stop")
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": i, "message": message, "finish_reason": finish} for i in range(n)],
        "usage": openai_usage(usage),
    }
    return json_answer(body, headers)


def openai_stream(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    model: str = "gpt-4o-mini",
    finish_reason: str | None = None,
    pieces: Sequence[str] | None = None,
    done: bool = True,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a streamed OpenAI answer: one SSE frame per piece of text, then the finish and ``[DONE]``.

    Args:
        content: The assistant's text, streamed word by word (or as ``pieces``).
        tool_calls: Tool calls, one delta each.
        usage: Usage on the last chunk.
        model: The model the chunks name.
        finish_reason: Defaults to ``tool_calls`` with tool calls, else ``stop``.
        pieces: The text pieces to stream, instead of splitting ``content``.
        done: End with the finish chunk and ``data: [DONE]``; False cuts the stream before them.
        headers: Extra response headers.
    """
    calls = tool_call_dicts(tool_calls)
    texts = list(pieces) if pieces is not None else PIECES.findall(content or "")
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": "" if texts else None}]
    deltas += [{"content": text} for text in texts]
    deltas += [{"tool_calls": [{**call, "index": i}]} for i, call in enumerate(calls)]
    chunks = [_openai_chunk(model, delta, None) for delta in deltas]
    finish = _openai_chunk(model, {}, finish_reason or ("tool_calls" if calls else "stop"))
    finish["usage"] = openai_usage(usage)
    frames = [sse_frame(chunk) for chunk in chunks]
    if done:
        frames += [sse_frame(finish), b"data: [DONE]\n\n"]
    return streamed_answer(tuple(frames), headers)


def anthropic_reply(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    model: str = "claude-3-5-haiku-latest",
    stop_reason: str | None = None,
    thinking: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a non-streamed Anthropic Messages answer.

    Args:
        content: The assistant's text.
        tool_calls: Tool calls, as ``tool_use`` blocks.
        usage: ``prompt_tokens``/``completion_tokens`` or ``input_tokens``/``output_tokens``.
        model: The model the answer names.
        stop_reason: Defaults to ``tool_use`` with tool calls, else ``end_turn``.
        thinking: Extended-thinking text, as a ``thinking`` block before the text.
        headers: Extra response headers.
    """
    blocks = _anthropic_blocks(content, tool_calls, thinking)
    body = {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": blocks,
        "stop_reason": stop_reason or ("tool_use" if tool_calls else "end_turn"),
        "stop_sequence": None,
        "usage": anthropic_usage(usage),
    }
    return json_answer(body, headers)


def anthropic_stream(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    model: str = "claude-3-5-haiku-latest",
    stop_reason: str | None = None,
    thinking: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a streamed Anthropic answer: the Messages events from ``message_start`` to ``message_stop``.

    Args:
        content: The assistant's text, streamed word by word.
        tool_calls: Tool calls, each a ``tool_use`` block with its arguments as one JSON delta.
        usage: Input tokens on ``message_start``, output tokens on ``message_delta``.
        model: The model the answer names.
        stop_reason: Defaults to ``tool_use`` with tool calls, else ``end_turn``.
        thinking: Extended-thinking text, as a ``thinking`` block before the text.
        headers: Extra response headers.
    """
    tokens = anthropic_usage(usage)
    start: dict[str, Any] = {"id": "msg_fake", "type": "message", "role": "assistant", "model": model}
    start.update(content=[], usage={**tokens, "output_tokens": 0})
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(_anthropic_blocks(content, tool_calls, thinking)):
        events += list(_block_events(index, block))
    stop = stop_reason or ("tool_use" if tool_calls else "end_turn")
    events.append({"type": "message_delta", "delta": {"stop_reason": stop}, "usage": tokens})
    events.append({"type": "message_stop"})
    frames = tuple(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)
    return streamed_answer(frames, headers)


def tool_call_dicts(calls: Sequence[ToolCallLike] | None) -> list[dict[str, Any]]:
    """Return OpenAI-shaped tool calls (JSON text arguments, an id each) for a builder's ``tool_calls``."""
    result = []
    for index, call in enumerate(calls or ()):
        function = call.get("function", call)
        name = function.get("name")
        if not isinstance(name, str):
            raise TypeError(f"tool_calls[{index}] needs a function name: {{'name': ..., 'arguments': ...}}")
        arguments = function.get("arguments", {})
        result.append(
            {
                "id": call.get("id") or f"call_fake_{index}",
                "type": "function",
                "function": {
                    "name": name,
                    "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                },
            }
        )
    return result


def openai_usage(usage: UsageLike | None) -> dict[str, int]:
    """Return OpenAI's usage for a builder's ``usage`` (either naming; one token each when not given)."""
    given = dict(usage or {})
    prompt = int(given.get("prompt_tokens", given.get("input_tokens", 1)))
    completion = int(given.get("completion_tokens", given.get("output_tokens", 1)))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def anthropic_usage(usage: UsageLike | None) -> dict[str, int]:
    """Return Anthropic's ``input_tokens``/``output_tokens`` for a builder's ``usage``."""
    tokens = openai_usage(usage)
    return {"input_tokens": tokens["prompt_tokens"], "output_tokens": tokens["completion_tokens"]}


def _openai_chunk(model: str, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def sse_frame(payload: dict[str, Any]) -> bytes:
    """Return one ``data:`` SSE frame carrying ``payload``."""
    return f"data: {json.dumps(payload)}\n\n".encode()


def _anthropic_blocks(
    content: str | None, tool_calls: Sequence[ToolCallLike] | None, thinking: str | None
) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if thinking is not None:
        blocks.append({"type": "thinking", "thinking": thinking, "signature": "fake-signature"})
    if content is not None:
        blocks.append({"type": "text", "text": content})
    for call in tool_call_dicts(tool_calls):
        function = call["function"]
        arguments = json.loads(function["arguments"] or "{}")
        blocks.append({"type": "tool_use", "id": call["id"], "name": function["name"], "input": arguments})
    return blocks


def _block_events(index: int, block: dict[str, Any]) -> Iterator[dict[str, Any]]:
    kind = block["type"]
    if kind == "text":
        yield {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}
        for piece in PIECES.findall(block["text"]):
            yield {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "text_delta", "text": piece},
            }
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        yield {"type": "content_block_start", "index": index, "content_block": start}
        delta = {"type": "thinking_delta", "thinking": block["thinking"]}
        yield {"type": "content_block_delta", "index": index, "delta": delta}
        signature = {"type": "signature_delta", "signature": block["signature"]}
        yield {"type": "content_block_delta", "index": index, "delta": signature}
    else:
        use: dict[str, Any] = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
        yield {"type": "content_block_start", "index": index, "content_block": use}
        delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        yield {"type": "content_block_delta", "index": index, "delta": delta}
    yield {"type": "content_block_stop", "index": index}

"""Reply builders that speak each wire format, so a test never writes provider JSON by hand.

``openai_reply``/``openai_stream`` answer in OpenAI's chat-completions format (every
OpenAI-compatible host), ``anthropic_reply``/``anthropic_stream`` in Anthropic's Messages
format. Each returns an ``HttpResponse`` a ``FakeTransport`` handler can return as it is::

    fake = FakeTransport(lambda request: openai_reply("hi", usage={"prompt_tokens": 3}))

``as_answer`` turns what a handler may return (a builder's result, a ``ModelResponse`` or a
plain ``str``) into the answer for the request's own wire format and stream flag.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ...domain.models.builder import stream_chunk_builder
from ...domain.models.response import ModelResponse
from ...domain.models.stream import ModelResponseStream
from ...ports.transport import HttpRequest, HttpResponse

ToolCallLike = Mapping[str, Any]
UsageLike = Mapping[str, int]

_PIECES = re.compile(r"\S+\s*|\s+")
_JSON = {"content-type": "application/json"}
_SSE = {"content-type": "text/event-stream"}
_TO_ANTHROPIC_STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


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
    calls = _tool_calls(tool_calls)
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
        "usage": _openai_usage(usage),
    }
    return HttpResponse(200, {**_JSON, **(headers or {})}, json.dumps(body).encode())


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
    calls = _tool_calls(tool_calls)
    texts = list(pieces) if pieces is not None else _PIECES.findall(content or "")
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": "" if texts else None}]
    deltas += [{"content": text} for text in texts]
    deltas += [{"tool_calls": [{**call, "index": i}]} for i, call in enumerate(calls)]
    chunks = [_openai_chunk(model, delta, None) for delta in deltas]
    finish = _openai_chunk(model, {}, finish_reason or ("tool_calls" if calls else "stop"))
    finish["usage"] = _openai_usage(usage)
    frames = [_sse(chunk) for chunk in chunks]
    if done:
        frames += [_sse(finish), b"data: [DONE]\n\n"]
    return HttpResponse(200, {**_SSE, **(headers or {})}, chunks=tuple(frames))


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
        "usage": _anthropic_usage(usage),
    }
    return HttpResponse(200, {**_JSON, **(headers or {})}, json.dumps(body).encode())


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
    tokens = _anthropic_usage(usage)
    start: dict[str, Any] = {"id": "msg_fake", "type": "message", "role": "assistant", "model": model}
    start.update(content=[], usage={**tokens, "output_tokens": 0})
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(_anthropic_blocks(content, tool_calls, thinking)):
        events += list(_block_events(index, block))
    stop = stop_reason or ("tool_use" if tool_calls else "end_turn")
    events.append({"type": "message_delta", "delta": {"stop_reason": stop}, "usage": tokens})
    events.append({"type": "message_stop"})
    frames = tuple(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)
    return HttpResponse(200, {**_SSE, **(headers or {})}, chunks=frames)


def as_answer(result: object, request: HttpRequest) -> object:
    """Turn a ``str`` or ``ModelResponse`` into the answer ``request``'s wire format expects.

    Anything else is returned unchanged (the caller checks it).

    Raises:
        TypeError: for a request in another wire format (Gemini, Bedrock, Responses...), whose
            answer the test must build itself.
    """
    if isinstance(result, str | ModelResponse) and not (is_anthropic(request) or _is_openai(request)):
        path = request.url.split("?", 1)[0]
        raise TypeError(
            f"a str or ModelResponse answer is built for OpenAI- and Anthropic-format requests, not {path}; "
            "return an HttpResponse (HttpResponse.from_json, llmport.testing.from_sse/from_ndjson...)"
        )
    if isinstance(result, str):
        return _builder(request)(result)
    if isinstance(result, ModelResponse):
        return _from_response(result, request)
    return result


def _builder(request: HttpRequest) -> Any:
    anthropic = is_anthropic(request)
    if _wants_stream(request):
        return anthropic_stream if anthropic else openai_stream
    return anthropic_reply if anthropic else openai_reply


def is_anthropic(request: HttpRequest) -> bool:
    """Whether ``request`` is in Anthropic's Messages format (by its endpoint)."""
    return request.url.split("?", 1)[0].rstrip("/").endswith("/messages")


def _is_openai(request: HttpRequest) -> bool:
    return request.url.split("?", 1)[0].rstrip("/").endswith("/chat/completions")


def _wants_stream(request: HttpRequest) -> bool:
    try:
        body = json.loads(request.body) if request.body else {}
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("stream") is True


def _from_response(response: ModelResponse, request: HttpRequest) -> HttpResponse:
    message = response.choices[0].message if response.choices else None
    calls = [call.model_dump() for call in (message.tool_calls or [])] if message else []
    finish = response.choices[0].finish_reason if response.choices else None
    usage = {
        "prompt_tokens": response.usage.prompt_tokens,
        "completion_tokens": response.usage.completion_tokens,
    }
    content = message.content if message else None
    model = response.model or "fake-model"
    if is_anthropic(request):
        stop = _TO_ANTHROPIC_STOP.get(finish or "stop", finish)
        builder = anthropic_stream if _wants_stream(request) else anthropic_reply
        return builder(content, tool_calls=calls, usage=usage, model=model, stop_reason=stop)
    if _wants_stream(request):
        return openai_stream(content, tool_calls=calls, usage=usage, model=model, finish_reason=finish)
    body = response.model_dump(mode="json", exclude_none=True)
    return HttpResponse(200, dict(_JSON), json.dumps(body).encode())


def _tool_calls(calls: Sequence[ToolCallLike] | None) -> list[dict[str, Any]]:
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


def _openai_usage(usage: UsageLike | None) -> dict[str, int]:
    given = dict(usage or {})
    prompt = int(given.get("prompt_tokens", given.get("input_tokens", 1)))
    completion = int(given.get("completion_tokens", given.get("output_tokens", 1)))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _anthropic_usage(usage: UsageLike | None) -> dict[str, int]:
    tokens = _openai_usage(usage)
    return {"input_tokens": tokens["prompt_tokens"], "output_tokens": tokens["completion_tokens"]}


def _openai_chunk(model: str, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _sse(payload: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


def _anthropic_blocks(
    content: str | None, tool_calls: Sequence[ToolCallLike] | None, thinking: str | None
) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if thinking is not None:
        blocks.append({"type": "thinking", "thinking": thinking, "signature": "fake-signature"})
    if content is not None:
        blocks.append({"type": "text", "text": content})
    for call in _tool_calls(tool_calls):
        function = call["function"]
        arguments = json.loads(function["arguments"] or "{}")
        blocks.append({"type": "tool_use", "id": call["id"], "name": function["name"], "input": arguments})
    return blocks


def _block_events(index: int, block: dict[str, Any]) -> Iterator[dict[str, Any]]:
    kind = block["type"]
    if kind == "text":
        yield {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}
        for piece in _PIECES.findall(block["text"]):
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


def openai_answer(result: object, *, stream: bool) -> HttpResponse:
    """Turn a function's result (``str``, ``ModelResponse``, chunks or text pieces) into an OpenAI answer.

    Raises:
        TypeError: for any other result, naming what is allowed.
    """
    if isinstance(result, HttpResponse):
        return result
    if isinstance(result, str):
        return openai_stream(result) if stream else openai_reply(result)
    if isinstance(result, list | tuple) and all(isinstance(item, str) for item in result):
        return openai_stream(pieces=list(result)) if stream else openai_reply("".join(result))
    if isinstance(result, list | tuple) and all(isinstance(item, ModelResponseStream) for item in result):
        return _from_chunks(list(result), stream=stream)
    if isinstance(result, ModelResponse):
        if not stream:
            return HttpResponse(200, dict(_JSON), json.dumps(result.model_dump(mode="json")).encode())
        message = result.choices[0].message if result.choices else None
        calls = [call.model_dump() for call in (message.tool_calls or [])] if message else []
        return openai_stream(
            message.content if message else None,
            tool_calls=calls,
            usage=result.usage.model_dump(),
            model=result.model or "fake-model",
            finish_reason=result.choices[0].finish_reason if result.choices else None,
        )
    raise TypeError(
        "a fake_client function must return a str, a ModelResponse, a list of ModelResponseStream "
        f"chunks or a list of text pieces, not {type(result).__name__}"
    )


def _from_chunks(chunks: list[ModelResponseStream], *, stream: bool) -> HttpResponse:
    if stream:
        frames = [_sse(chunk.model_dump(mode="json", exclude_none=True)) for chunk in chunks]
        return HttpResponse(200, dict(_SSE), chunks=(*frames, b"data: [DONE]\n\n"))
    built = stream_chunk_builder(chunks)
    if built is None:
        raise TypeError("a fake_client function returned an empty list of chunks")
    return HttpResponse(200, dict(_JSON), json.dumps(built.model_dump(mode="json")).encode())

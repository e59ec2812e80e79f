"""Reply builders for the event-based formats: Bedrock Converse and OpenAI's Responses API.

``bedrock_reply``/``bedrock_stream`` answer ``/converse`` and ``/converse-stream``; the stream is
AWS's binary event stream (``application/vnd.amazon.eventstream``), one frame per event, encoded
by ``fake_eventstream`` and decoded back through botocore before it is served (botocore comes
with the ``bedrock`` extra, as it does for the calls themselves). ``responses_reply``/
``responses_stream`` answer ``/responses``, the stream as typed SSE events ending with
``response.completed`` (or ``response.incomplete``). Fields follow the recordings under
``tests/contract/fixtures/bedrock/`` and ``.../responses/``; the random padding (``p``) Bedrock
adds to each event and Responses' ``obfuscation`` are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ...ports.transport import HttpResponse
from .fake_eventstream import event_frame, event_stream
from .fake_replies import (
    PIECES,
    ToolCallLike,
    UsageLike,
    json_answer,
    openai_usage,
    streamed_answer,
    tool_call_dicts,
)
from .fake_replies_native import called

EVENTSTREAM = "application/vnd.amazon.eventstream"
SIGNATURE = "fake-signature"


def bedrock_reply(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    stop_reason: str | None = None,
    thinking: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a non-streamed Bedrock Converse answer (Converse answers name no model).

    Args:
        content: The assistant's text.
        tool_calls: Tool calls, as ``toolUse`` blocks.
        usage: ``inputTokens``/``outputTokens`` from ``prompt_tokens``/``completion_tokens``.
        stop_reason: Bedrock's ``stopReason``; defaults to ``tool_use`` with tool calls, else ``end_turn``.
        thinking: Reasoning text, as a ``reasoningContent`` block before the text.
        headers: Extra response headers.
    """
    body = {
        "metrics": {"latencyMs": 1},
        "output": {
            "message": {"content": _bedrock_blocks(content, tool_calls, thinking), "role": "assistant"}
        },
        "stopReason": stop_reason or ("tool_use" if tool_calls else "end_turn"),
        "usage": _bedrock_usage(usage),
    }
    return json_answer(body, headers)


def bedrock_stream(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    stop_reason: str | None = None,
    thinking: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a streamed Bedrock answer: ConverseStream events from ``messageStart`` to ``metadata``.

    Args:
        content: The assistant's text, streamed word by word.
        tool_calls: Tool calls: ``contentBlockStart``, the input as one JSON delta, ``contentBlockStop``.
        usage: Usage on the ``metadata`` event.
        stop_reason: Bedrock's ``stopReason`` on ``messageStop``.
        thinking: Reasoning text, streamed before the text, then its signature.
        headers: Extra response headers.
    """
    events: list[tuple[str, dict[str, Any]]] = [("messageStart", {"role": "assistant"})]
    for index, block in enumerate(_bedrock_blocks(content, tool_calls, thinking)):
        events += list(_bedrock_block_events(index, block))
    events.append(("messageStop", {"stopReason": stop_reason or ("tool_use" if tool_calls else "end_turn")}))
    events.append(("metadata", {"metrics": {"latencyMs": 1}, "usage": _bedrock_usage(usage)}))
    frames = [event_frame(kind, payload) for kind, payload in events]
    event_stream(frames)  # botocore decodes them back, or this raises
    return streamed_answer(frames, headers, EVENTSTREAM)


def responses_reply(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    model: str = "gpt-4o-mini",
    incomplete: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a non-streamed Responses API answer.

    Args:
        content: The assistant's text, as a ``message`` output item.
        tool_calls: Tool calls, as ``function_call`` output items.
        usage: ``input_tokens``/``output_tokens`` from ``prompt_tokens``/``completion_tokens``.
        model: The model the answer names.
        incomplete: Why the answer stopped short (``max_output_tokens``, ``content_filter``):
            the status is then ``incomplete``.
        headers: Extra response headers.
    """
    body = _response(content, tool_calls, usage, model, incomplete)
    return json_answer(body, headers)


def responses_stream(
    content: str | None = None,
    *,
    tool_calls: Sequence[ToolCallLike] | None = None,
    usage: UsageLike | None = None,
    model: str = "gpt-4o-mini",
    incomplete: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Build a streamed Responses answer: ``response.created`` to ``response.completed``.

    Args:
        content: The assistant's text, streamed word by word.
        tool_calls: Tool calls, their arguments as one delta each.
        usage: Usage on the terminal event's response.
        model: The model the answer names.
        incomplete: Why the answer stopped short: the stream ends with ``response.incomplete``.
        headers: Extra response headers.
    """
    whole = _response(content, tool_calls, usage, model, incomplete)
    started = {**whole, "status": "in_progress", "output": [], "usage": None, "incomplete_details": None}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
    ]
    for index, item in enumerate(whole["output"]):
        events += list(_item_events(index, item))
    events.append({"type": f"response.{whole['status']}", "response": whole})
    frames = [
        f"event: {event['type']}\ndata: {json.dumps({**event, 'sequence_number': number})}\n\n".encode()
        for number, event in enumerate(events)
    ]
    return streamed_answer(tuple(frames), headers)


def _bedrock_blocks(
    content: str | None, tool_calls: Sequence[ToolCallLike] | None, thinking: str | None
) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if thinking is not None:
        blocks.append({"reasoningContent": {"reasoningText": {"signature": SIGNATURE, "text": thinking}}})
    if content is not None:
        blocks.append({"text": content})
    blocks += [
        {"toolUse": {"input": args, "name": name, "toolUseId": call_id}}
        for call_id, name, args in called(tool_calls)
    ]
    return blocks


def _bedrock_usage(usage: UsageLike | None) -> dict[str, int]:
    tokens = openai_usage(usage)
    return {
        "inputTokens": tokens["prompt_tokens"],
        "outputTokens": tokens["completion_tokens"],
        "totalTokens": tokens["total_tokens"],
    }


def _bedrock_block_events(index: int, block: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    at = {"contentBlockIndex": index}
    if "toolUse" in block:
        tool = block["toolUse"]
        start = {"toolUse": {"name": tool["name"], "toolUseId": tool["toolUseId"]}}
        yield "contentBlockStart", {**at, "start": start}
        yield "contentBlockDelta", {**at, "delta": {"toolUse": {"input": json.dumps(tool["input"])}}}
    elif "reasoningContent" in block:
        reasoning = block["reasoningContent"]["reasoningText"]
        for piece in PIECES.findall(reasoning["text"]):
            yield "contentBlockDelta", {**at, "delta": {"reasoningContent": {"text": piece}}}
        yield (
            "contentBlockDelta",
            {**at, "delta": {"reasoningContent": {"signature": reasoning["signature"]}}},
        )
    else:  # text blocks come without contentBlockStart, as Bedrock sends them
        for piece in PIECES.findall(block["text"]):
            yield "contentBlockDelta", {**at, "delta": {"text": piece}}
    yield "contentBlockStop", at


def _response(
    content: str | None,
    tool_calls: Sequence[ToolCallLike] | None,
    usage: UsageLike | None,
    model: str,
    incomplete: str | None,
) -> dict[str, Any]:
    output: list[dict[str, Any]] = []
    if content is not None:
        part = {"type": "output_text", "annotations": [], "logprobs": [], "text": content}
        message = {"id": "msg_fake", "type": "message", "status": "completed", "content": [part]}
        output.append({**message, "role": "assistant"})
    for index, call in enumerate(tool_call_dicts(tool_calls)):
        function = call["function"]
        output.append(
            {
                "id": f"fc_fake_{index}", "type": "function_call", "status": "completed",
                "arguments": function["arguments"], "call_id": call["id"], "name": function["name"],
            }
        )  # fmt: skip
    tokens = openai_usage(usage)
    return {
        "id": "resp_fake", "object": "response", "created_at": 1700000000,
        "status": "incomplete" if incomplete else "completed", "error": None,
        "incomplete_details": {"reason": incomplete} if incomplete else None,
        "model": model, "output": output,
        "usage": {
            "input_tokens": tokens["prompt_tokens"], "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": tokens["completion_tokens"], "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": tokens["total_tokens"],
        },
    }  # fmt: skip


def _item_events(index: int, item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    at = {"item_id": item["id"], "output_index": index}
    if item["type"] == "function_call":
        yield {
            "type": "response.output_item.added",
            "output_index": index,
            "item": {**item, "status": "in_progress", "arguments": ""},
        }
        yield {"type": "response.function_call_arguments.delta", **at, "delta": item["arguments"]}
        yield {"type": "response.function_call_arguments.done", **at, "arguments": item["arguments"]}
    else:
        yield {
            "type": "response.output_item.added",
            "output_index": index,
            "item": {**item, "status": "in_progress", "content": []},
        }
        part = item["content"][0]
        text_at = {**at, "content_index": 0}
        yield {"type": "response.content_part.added", **text_at, "part": {**part, "text": ""}}
        for piece in PIECES.findall(part["text"]):
            yield {"type": "response.output_text.delta", **text_at, "delta": piece, "logprobs": []}
        yield {"type": "response.output_text.done", **text_at, "text": part["text"], "logprobs": []}
        yield {"type": "response.content_part.done", **text_at, "part": part}
    yield {"type": "response.output_item.done", "output_index": index, "item": item}

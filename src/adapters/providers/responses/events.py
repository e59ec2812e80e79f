"""Responses API events → OpenAI-shaped chunks: one decoder for streamed and whole answers.

A streamed answer is a sequence of typed events (``response.created``,
``response.output_item.added`` / ``.done``, ``response.output_text.delta``,
``response.function_call_arguments.delta``, ``response.completed``...). A whole response is
turned into the same events (``response_events``) and folded through the same
``ResponsesEvents``, so both paths share every rule:

- the text of ``message`` items is ``content``, except preamble messages
  (``phase="commentary"``), whose text is ``reasoning_content`` like reasoning summaries: the
  answer is always one choice, never a preamble in ``choices[0]``;
- ``function_call`` items are tool calls numbered in order, their arguments joined from the
  deltas by item id (``function_call_arguments.done`` fills in when no delta came, as
  ``output_text.done`` does for text);
- encrypted reasoning and preamble items are kept verbatim in ``Delta.responses_items``;
- the stream is complete only at ``response.completed`` or ``response.incomplete``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ....domain.models.stream import ModelResponseStream, plain_chunk
from ....ports.codec import ProviderCall
from ..errors import build_error, invalid_response, openai_error_fields

TERMINAL = frozenset({"response.completed", "response.incomplete"})
INCOMPLETE_REASONS = {"max_output_tokens": "length", "content_filter": "content_filter"}
COMMENTARY = "commentary"


@dataclass
class _Item:
    type: str
    phase: str | None = None
    tool_index: int | None = None
    arguments: bool = False
    text: bool = False
    summaries: int = 0


class ResponsesEvents:
    """Turns Responses API events (decoded JSON payloads) into chunks for one answer.

    Args:
        call: The call being answered.
    """

    def __init__(self, call: ProviderCall) -> None:
        self._call = call
        self._items: dict[str, _Item] = {}
        self._by_index: dict[int, str] = {}
        self._tools = 0
        self._id: str | None = None
        self._model = call.model
        self._created: int | None = None
        self.done = False

    def event(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        """Consume one event payload; return the chunks it makes (``error`` and ``response.failed`` raise)."""
        kind = str(data.get("type"))
        if kind in ("response.created", "response.in_progress", "response.queued"):
            return self._start(data.get("response") or {})
        if kind.startswith("response.output_item."):
            return self._item_event(kind, data)
        handler = _DELTAS.get(kind)
        if handler is not None:
            return handler(self, data)
        if kind in TERMINAL:
            return self._finish(data.get("response") or {})
        if kind == "response.failed":
            raise self._failure((data.get("response") or {}).get("error"))
        if kind == "error":
            raise self._failure(data.get("error") if isinstance(data.get("error"), Mapping) else data)
        return []  # *.done events repeat what the deltas said; other additions carry nothing chat-shaped

    def _chunk(self, delta: dict[str, Any], **extra: Any) -> ModelResponseStream:
        choice = {"index": 0, "delta": delta, "finish_reason": extra.pop("finish_reason", None)}
        payload: dict[str, Any] = {"choices": [choice], "model": self._model, **extra}
        if self._id:
            payload["id"] = self._id
        if self._created is not None:
            payload["created"] = self._created
        return plain_chunk(payload)  # no nulls here: the one-pass validator gives the same chunk

    def _start(self, response: Mapping[str, Any]) -> list[ModelResponseStream]:
        first = self._id is None
        self._id = response.get("id") or self._id
        self._model = response.get("model") or self._model
        created = response.get("created_at")
        self._created = created if isinstance(created, int) else self._created
        return [self._chunk({"role": "assistant", "content": ""})] if first else []

    def _item_event(self, kind: str, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        item = data.get("item")
        if not isinstance(item, Mapping):
            raise self._malformed(f"{kind} without an item")
        if kind.endswith(".added"):
            return self._added(item, data.get("output_index"))
        if kind.endswith(".done"):
            return self._item_done(item)
        return []

    def _added(self, item: Mapping[str, Any], output_index: object) -> list[ModelResponseStream]:
        kind = str(item.get("type"))
        state = _Item(kind, phase=item.get("phase"))
        key = str(item.get("id") or f"#{output_index}")
        self._items[key] = state
        if isinstance(output_index, int):
            self._by_index[output_index] = key
        if kind != "function_call":
            return []
        state.tool_index, self._tools = self._tools, self._tools + 1
        call = {"index": state.tool_index, "id": item.get("call_id"), "type": "function"}
        call["function"] = {"name": item.get("name"), "arguments": ""}
        return [self._chunk({"tool_calls": [call]})]

    def _item_done(self, item: Mapping[str, Any]) -> list[ModelResponseStream]:
        state = self._items.get(str(item.get("id")))
        kind = item.get("type")
        if kind == "function_call" and state is not None and not state.arguments:
            return self._arguments(state, str(item.get("arguments") or "{}"))
        keep = kind == "reasoning" and bool(item.get("encrypted_content"))
        if kind == "message" and item.get("phase") == COMMENTARY:
            keep = True  # a preamble goes back with its phase, or the model loses its place
            item = {k: v for k, v in item.items() if k not in ("id", "status")}
        if not keep:
            return []
        return [self._chunk({"responses_items": [{k: v for k, v in item.items() if v is not None}]})]

    def _state(self, data: Mapping[str, Any]) -> _Item | None:
        key = data.get("item_id")
        if key is None and isinstance(data.get("output_index"), int):
            key = self._by_index.get(data["output_index"])
        return self._items.get(str(key))

    def _text(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        text = data.get("delta")
        if not isinstance(text, str) or not text:
            return []
        state = self._state(data)
        if state is not None:
            state.text = True
        field = "reasoning_content" if state is not None and state.phase == COMMENTARY else "content"
        return [self._chunk({field: text})]

    def _text_done(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        state = self._state(data)
        if state is None or state.text:
            return []  # the deltas said it all
        return self._text({**data, "delta": data.get("text")})  # a server that sends no deltas

    def _refusal(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        text = data.get("delta")
        return [self._chunk({"refusal": text})] if isinstance(text, str) and text else []

    def _summary(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        text = data.get("delta")
        if not isinstance(text, str) or not text:
            return []
        state = self._state(data)
        index = data.get("summary_index")
        if state is not None and isinstance(index, int):
            if index >= state.summaries and state.summaries:
                text = "\n\n" + text  # summary parts are paragraphs of their own
            state.summaries = max(state.summaries, index + 1)
        return [self._chunk({"reasoning_content": text})]

    def _reasoning_text(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        text = data.get("delta")
        return [self._chunk({"reasoning_content": text})] if isinstance(text, str) and text else []

    def _argument_delta(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        state = self._state(data)
        if state is None or state.tool_index is None:
            raise self._malformed("arguments for a function call that never started")
        return self._arguments(state, str(data.get("delta") or ""))

    def _arguments_done(self, data: Mapping[str, Any]) -> list[ModelResponseStream]:
        state = self._state(data)
        if state is None or state.tool_index is None or state.arguments:
            return []
        return self._arguments(state, str(data.get("arguments") or ""))

    def _arguments(self, state: _Item, text: str) -> list[ModelResponseStream]:
        if not text:
            return []
        state.arguments = True
        fragment = {"index": state.tool_index, "function": {"arguments": text}}
        return [self._chunk({"tool_calls": [fragment]})]

    def _finish(self, response: Mapping[str, Any]) -> list[ModelResponseStream]:
        self.done = True
        self._start(response)
        details = response.get("incomplete_details")
        reason = details.get("reason") if isinstance(details, Mapping) else None
        finish = INCOMPLETE_REASONS.get(str(reason), "length") if reason is not None else "stop"
        if finish == "stop" and self._tools:
            finish = "tool_calls"
        extra: dict[str, Any] = {"finish_reason": finish}
        usage = response.get("usage")
        if isinstance(usage, Mapping):
            extra["usage"] = openai_usage(usage)
        if response.get("service_tier"):
            extra["service_tier"] = response["service_tier"]
        return [self._chunk({}, **extra)]

    def _failure(self, error: object) -> Exception:
        body = (
            {"error": error} if isinstance(error, Mapping) else {"error": {"message": "the response failed"}}
        )
        return build_error(None, {}, body, self._call, openai_error_fields)

    def _malformed(self, reason: str) -> Exception:
        return invalid_response(f"the Responses stream is malformed: {reason}", b"", self._call)


_DELTAS = {
    "response.output_text.delta": ResponsesEvents._text,
    "response.output_text.done": ResponsesEvents._text_done,
    "response.refusal.delta": ResponsesEvents._refusal,
    "response.reasoning_summary_text.delta": ResponsesEvents._summary,
    "response.reasoning_text.delta": ResponsesEvents._reasoning_text,
    "response.function_call_arguments.delta": ResponsesEvents._argument_delta,
    "response.function_call_arguments.done": ResponsesEvents._arguments_done,
}


def openai_usage(usage: Mapping[str, Any]) -> dict[str, Any]:
    """Responses usage → chat-completions usage (cached input and reasoning output tokens kept)."""
    prompt = int(usage.get("input_tokens") or 0)
    completion = int(usage.get("output_tokens") or 0)
    wire: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": int(usage.get("total_tokens") or prompt + completion),
    }
    inputs, outputs = usage.get("input_tokens_details"), usage.get("output_tokens_details")
    if isinstance(inputs, Mapping):
        wire["prompt_tokens_details"] = {"cached_tokens": inputs.get("cached_tokens")}
    if isinstance(outputs, Mapping):
        wire["completion_tokens_details"] = {"reasoning_tokens": outputs.get("reasoning_tokens")}
    return wire


def response_events(response: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield the events a stream of the whole ``response`` would have sent."""
    yield {"type": "response.created", "response": {**response, "output": []}}
    for index, item in enumerate(response.get("output") or ()):
        yield from _item_events(index, item)
    status = response.get("status")
    if status == "failed":
        yield {"type": "response.failed", "response": response}
    elif status == "incomplete":
        yield {"type": "response.incomplete", "response": response}
    elif status in (None, "completed"):
        yield {"type": "response.completed", "response": response}
    # queued / in_progress (background mode) end without a terminal event: not an answer yet


def _item_events(index: int, item: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    key = item.get("id") or f"#{index}"
    base = {"output_index": index, "item_id": key}
    yield {"type": "response.output_item.added", "output_index": index, "item": item}
    kind = item.get("type")
    if kind == "message":
        for part in item.get("content") or ():
            if part.get("type") == "output_text":
                yield {**base, "type": "response.output_text.delta", "delta": part.get("text")}
            elif part.get("type") == "refusal":
                yield {**base, "type": "response.refusal.delta", "delta": part.get("refusal")}
    elif kind == "reasoning":
        for position, part in enumerate(item.get("summary") or ()):
            delta = part.get("text")
            yield {
                **base,
                "type": "response.reasoning_summary_text.delta",
                "summary_index": position,
                "delta": delta,
            }
        for part in item.get("content") or ():  # raw reasoning (gpt-oss, LM Studio); OpenAI sends none
            if part.get("type") == "reasoning_text":
                yield {**base, "type": "response.reasoning_text.delta", "delta": part.get("text")}
    elif kind == "function_call":
        yield {**base, "type": "response.function_call_arguments.done", "arguments": item.get("arguments")}
    yield {"type": "response.output_item.done", "output_index": index, "item": item}

"""``stream_chunk_builder``: fold streamed chunks back into one ``ModelResponse``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .messages import MessageLike, normalize_messages, text_of
from .response import (
    ChatCompletionMessageToolCall,
    ChoiceLogprobs,
    Choices,
    Function,
    FunctionCall,
    Message,
    ModelResponse,
    ResponsesItem,
    ThoughtSignature,
    Usage,
)
from .stream import ChatCompletionDeltaToolCall, Delta, ModelResponseStream, StreamingChoices

# Rough size of a token in characters, used only when chunks carry no usage at all.
_CHARS_PER_TOKEN = 4


@dataclass
class _ToolCallParts:
    id: str = ""
    type: str = "function"
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class _ChoiceParts:
    role: str = "assistant"
    content: list[str] = field(default_factory=list)
    refusal: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    thinking_blocks: list[dict[str, Any]] = field(default_factory=list)
    responses_items: list[ResponsesItem] = field(default_factory=list)
    signatures: list[ThoughtSignature] = field(default_factory=list)
    tool_calls: dict[int, _ToolCallParts] = field(default_factory=dict)
    function_name: str = ""
    function_arguments: list[str] = field(default_factory=list)
    has_function_call: bool = False
    finish_reason: str | None = None
    logprobs: list[dict[str, Any]] = field(default_factory=list)
    refusal_logprobs: list[dict[str, Any]] = field(default_factory=list)

    def add(self, choice: StreamingChoices) -> None:
        delta = choice.delta
        self.role = delta.role or self.role
        _extend(self.content, delta.content)
        _extend(self.refusal, delta.refusal)
        _extend(self.reasoning, delta.reasoning_content)
        self.thinking_blocks.extend(delta.thinking_blocks or ())
        self.responses_items.extend(delta.responses_items or ())
        self.signatures.extend(delta.thought_signatures or ())
        for call in delta.tool_calls or ():
            self._add_tool_call(call)
        self._add_function_call(delta)
        if choice.finish_reason:
            self.finish_reason = choice.finish_reason
        if choice.logprobs is not None:
            self.logprobs.extend(choice.logprobs.content or ())
            self.refusal_logprobs.extend(choice.logprobs.refusal or ())

    def _add_tool_call(self, call: ChatCompletionDeltaToolCall) -> None:
        parts = self.tool_calls.setdefault(call.index, _ToolCallParts())
        parts.id = parts.id or (call.id or "")
        parts.type = call.type or parts.type
        if call.function is not None:
            parts.name = parts.name or (call.function.name or "")
            _extend(parts.arguments, call.function.arguments)

    def _add_function_call(self, delta: Delta) -> None:
        if delta.function_call is None:
            return
        self.has_function_call = True
        self.function_name = self.function_name or (delta.function_call.name or "")
        _extend(self.function_arguments, delta.function_call.arguments)

    def to_choice(self, index: int) -> Choices:
        message = Message(
            role=self.role,
            content="".join(self.content) if self.content else None,
            refusal="".join(self.refusal) if self.refusal else None,
            reasoning_content="".join(self.reasoning) if self.reasoning else None,
            thinking_blocks=self.thinking_blocks or None,
            responses_items=self.responses_items or None,
            thought_signatures=self.signatures or None,
            tool_calls=[_tool_call(parts) for _, parts in sorted(self.tool_calls.items())] or None,
            function_call=(
                FunctionCall(name=self.function_name, arguments="".join(self.function_arguments))
                if self.has_function_call
                else None
            ),
        )
        logprobs = (
            ChoiceLogprobs(content=self.logprobs or None, refusal=self.refusal_logprobs or None)
            if self.logprobs or self.refusal_logprobs
            else None
        )
        return Choices(
            index=index, message=message, finish_reason=self.finish_reason or "stop", logprobs=logprobs
        )


def _extend(parts: list[str], piece: str | None) -> None:
    if piece:
        parts.append(piece)


def _tool_call(parts: _ToolCallParts) -> ChatCompletionMessageToolCall:
    return ChatCompletionMessageToolCall(
        id=parts.id, type=parts.type, function=Function(name=parts.name, arguments="".join(parts.arguments))
    )


def stream_chunk_builder(
    chunks: Iterable[ModelResponseStream], messages: Sequence[MessageLike] | None = None
) -> ModelResponse | None:
    """Rebuild the complete response from streamed chunks.

    Content, refusals, reasoning and tool-call fragments are joined per choice (tool calls by
    their ``index``, so parallel calls stay apart); the last usage seen wins. When no chunk
    carried usage, completion tokens and, if ``messages`` is given, prompt tokens are estimated
    at about four characters per token. The price llmport put on the usage chunk
    (``_hidden_params["response_cost"]``) is carried to the result's ``_hidden_params``.

    Args:
        chunks: The chunks, in the order they arrived.
        messages: The request's messages, used only to estimate prompt tokens.

    Returns:
        The response, or None when ``chunks`` is empty (as litellm does).
    """
    chunk_list = list(chunks)
    if not chunk_list:
        return None
    choices: dict[int, _ChoiceParts] = {}
    usage: Usage | None = None
    for chunk in chunk_list:
        for choice in chunk.choices:
            choices.setdefault(choice.index, _ChoiceParts()).add(choice)
        usage = chunk.usage or usage
    first = chunk_list[0]
    built = [parts.to_choice(index) for index, parts in sorted(choices.items())]
    response = ModelResponse(
        id=first.id,
        created=first.created,
        model=first.model,
        system_fingerprint=next((c.system_fingerprint for c in chunk_list if c.system_fingerprint), None),
        service_tier=next((c.service_tier for c in chunk_list if c.service_tier), None),
        choices=built,
        usage=usage or _estimated_usage(built, messages),
    )
    priced = [c.__dict__["_hidden_params"] for c in chunk_list if "_hidden_params" in c.__dict__]
    if priced and "response_cost" in priced[-1]:
        # The dispatcher prices the chunk that carries the usage; the folded answer keeps the figure.
        response._hidden_params["response_cost"] = priced[-1]["response_cost"]
    return response


def _estimated_usage(choices: list[Choices], messages: Sequence[MessageLike] | None) -> Usage:
    completion_chars = sum(len(choice.message.content or "") for choice in choices)
    prompt_chars = 0
    if messages:
        prompt_chars = sum(len(text_of(message.get("content"))) for message in normalize_messages(messages))
    prompt = -(-prompt_chars // _CHARS_PER_TOKEN)
    completion = -(-completion_chars // _CHARS_PER_TOKEN)
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)

"""``mock_response=``: litellm's way to get a canned answer without any network call.

A string becomes the assistant's text (streamed word by word when ``stream=True``); an exception
is raised as if the provider had failed; a ``ModelResponse`` or a dict is returned as given.
``mock_tool_calls=`` adds tool calls to a text answer, or makes the whole answer without one
(then ``content`` is None and ``finish_reason`` is ``"tool_calls"``, as a provider answers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..models.builder import stream_chunk_builder
from ..models.errors import bad_request
from ..models.request import CompletionRequest
from ..models.response import ModelResponse
from ..models.stream import (
    ChatCompletionDeltaToolCall,
    ChoiceDeltaFunction,
    CompletionStream,
    Delta,
    ModelResponseStream,
    StreamingChoices,
)

_PIECES = re.compile(r"\S+\s*|\s+")


def mock_result(request: CompletionRequest, created: int) -> ModelResponse | CompletionStream:
    """Answer ``request`` from its ``mock_response`` option."""
    mock = request.options.mock_response
    if isinstance(mock, BaseException):
        raise mock
    if isinstance(mock, ModelResponse | Mapping) and request.options.mock_tool_calls is not None:
        raise bad_request(
            "mock_tool_calls goes with a text mock_response or none; put tool calls in the response given",
            param="mock_tool_calls",
            model=request.model,
        )
    if isinstance(mock, ModelResponse):
        return mock
    if isinstance(mock, Mapping):
        return ModelResponse.model_validate(mock)
    chunks = mock_chunks(request, None if mock is None else str(mock), created)
    if request.stream:
        return CompletionStream(sync_chunks=iter(chunks), model=request.model)
    built = stream_chunk_builder(chunks, request.messages) or ModelResponse(model=request.model)
    built._hidden_params.update({"custom_llm_provider": "mock", "cache_hit": False})
    return built


def mock_chunks(request: CompletionRequest, text: str | None, created: int) -> list[ModelResponseStream]:
    """Return the chunks a provider would stream for ``text`` and the mock tool calls, per choice."""
    n = int(request.params.get("n") or 1)
    calls = request.options.mock_tool_calls or ()
    finish = "tool_calls" if calls else "stop"
    chunks: list[ModelResponseStream] = []
    for index in range(n):
        pieces = [Delta(role="assistant", content=None if text is None else "")]
        pieces += [Delta(content=p) for p in _PIECES.findall(text or "")]
        pieces += [Delta(tool_calls=[_tool_call_delta(i, call)]) for i, call in enumerate(calls)]
        chunks.extend(_chunk(request.model, created, index, delta) for delta in pieces)
        chunks.append(_chunk(request.model, created, index, Delta(), finish_reason=finish))
    final = stream_chunk_builder(chunks, request.messages)
    if final is not None:
        chunks[-1].usage = final.usage
    return chunks


def _chunk(
    model: str, created: int, index: int, delta: Delta, finish_reason: str | None = None
) -> ModelResponseStream:
    return ModelResponseStream(
        id="chatcmpl-mock",
        created=created,
        model=model,
        choices=[StreamingChoices(index=index, delta=delta, finish_reason=finish_reason)],
    )


def _tool_call_delta(index: int, call: dict[str, Any]) -> ChatCompletionDeltaToolCall:
    function = call["function"]
    return ChatCompletionDeltaToolCall(
        index=index,
        id=call["id"],
        type=call["type"],
        function=ChoiceDeltaFunction(name=function["name"], arguments=function["arguments"]),
    )

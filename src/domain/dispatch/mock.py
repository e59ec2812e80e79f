"""``mock_response=``: litellm's way to get a canned answer without any network call.

A string becomes the assistant's text (streamed word by word when ``stream=True``); an exception
is raised as if the provider had failed; a ``ModelResponse`` or a dict is returned as given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..models.builder import stream_chunk_builder
from ..models.request import CompletionRequest
from ..models.response import ModelResponse
from ..models.stream import CompletionStream, Delta, ModelResponseStream, StreamingChoices

_PIECES = re.compile(r"\S+\s*|\s+")


def mock_result(request: CompletionRequest, created: int) -> ModelResponse | CompletionStream:
    """Answer ``request`` from its ``mock_response`` option."""
    mock = request.options.mock_response
    if isinstance(mock, BaseException):
        raise mock
    if isinstance(mock, ModelResponse):
        return mock
    if isinstance(mock, Mapping):
        return ModelResponse.model_validate(mock)
    chunks = mock_chunks(request, str(mock), created)
    if request.stream:
        return CompletionStream(sync_chunks=iter(chunks), model=request.model)
    built = stream_chunk_builder(chunks, request.messages) or ModelResponse(model=request.model)
    built._hidden_params.update({"custom_llm_provider": "mock", "cache_hit": False})
    return built


def mock_chunks(request: CompletionRequest, text: str, created: int) -> list[ModelResponseStream]:
    """Return the chunks a provider would stream for ``text``, for each of the ``n`` choices."""
    n = int(request.params.get("n") or 1)
    chunks: list[ModelResponseStream] = []
    for index in range(n):
        pieces = [Delta(role="assistant", content="")] + [Delta(content=p) for p in _PIECES.findall(text)]
        chunks.extend(_chunk(request.model, created, index, delta) for delta in pieces)
        chunks.append(_chunk(request.model, created, index, Delta(), finish_reason="stop"))
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

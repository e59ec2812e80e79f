"""Streamed completion results: chunks shaped like OpenAI's ``ChatCompletionChunk``, and the stream.

Every chunk carries at least one choice: usage rides on the finish chunk instead of OpenAI's
trailing ``choices: []`` chunk, so ``chunk.choices[0]`` never fails in caller code.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Self

from pydantic import Field, field_validator
from pydantic_core import SchemaValidator

from ._record import Envelope, Record, plain_validator
from .response import ChoiceLogprobs, ResponsesItem, ThoughtSignature, Usage, _new_id


class ChoiceDeltaFunction(Record):
    """A fragment of a tool call's function: the name once, then argument pieces."""

    name: str | None = None
    arguments: str | None = None


class ChatCompletionDeltaToolCall(Record):
    """A fragment of a tool call; fragments with the same ``index`` belong together."""

    index: int = 0
    id: str | None = None
    type: str | None = None
    function: ChoiceDeltaFunction | None = None


class Delta(Record):
    """What one chunk adds to a choice's message."""

    content: str | None = None
    role: str | None = None
    tool_calls: list[ChatCompletionDeltaToolCall] | None = None
    function_call: ChoiceDeltaFunction | None = None
    refusal: str | None = None
    reasoning_content: str | None = None
    thinking_blocks: list[dict[str, Any]] | None = None
    responses_items: list[ResponsesItem] | None = None
    thought_signatures: list[ThoughtSignature] | None = None


class StreamingChoices(Record):
    """One choice's part of a chunk."""

    index: int = 0
    delta: Delta = Field(default_factory=Delta)
    finish_reason: str | None = None
    logprobs: ChoiceLogprobs | None = None

    @field_validator("delta", mode="before")
    @classmethod
    def _empty_when_missing(cls, value: Any) -> Any:
        return {} if value is None else value


class ModelResponseStream(Envelope):
    """One streamed chunk, OpenAI's ``ChatCompletionChunk`` shape, always with a choice."""

    id: str = Field(default_factory=_new_id)
    choices: list[StreamingChoices] = Field(default_factory=lambda: [StreamingChoices()])
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str = ""
    object: str = "chat.completion.chunk"
    system_fingerprint: str | None = None
    usage: Usage | None = None
    service_tier: str | None = None

    # A property, not a private attribute: those would cost every chunk an initialisation, and
    # only the chunk carrying the usage has anything here (its ``response_cost``).
    @property
    def _hidden_params(self) -> dict[str, Any]:
        """Return the chunk's metadata, as litellm's chunks have it (empty on most chunks)."""
        found: dict[str, Any] | None = self.__dict__.get("_hidden_params")
        return {} if found is None else found

    @_hidden_params.setter
    def _hidden_params(self, value: dict[str, Any]) -> None:
        self.__dict__["_hidden_params"] = value


def parse_plain_chunks(texts: Iterable[str | bytes]) -> list[ModelResponseStream]:
    """Parse and validate chunks' JSON texts, each in one pass, as ``ModelResponseStream`` would the payloads.

    For plain payloads only: none has a ``null`` that the models replace with a default (the
    envelope's ``id``, ``created``, ``model``, ``object`` or ``choices``, a choice's ``delta``).
    Those nulls raise ``ValidationError`` here, as does a text that is not a chunk or that
    pydantic reads otherwise than ``json`` would (a lone surrogate), and the caller parses the
    texts the usual way. Every chunk this returns is the one that ``json.loads`` and
    ``ModelResponseStream.model_validate`` would make of its text.
    """
    validate = _plain_validator().validate_json
    chunks: list[ModelResponseStream] = [validate(text) for text in texts]
    for chunk in chunks:
        if chunk.usage is None:
            # The envelope drops `"usage": null` before validation, so the field stays unset.
            chunk.__pydantic_fields_set__.discard("usage")
    return chunks


def plain_chunk(payload: dict[str, Any]) -> ModelResponseStream:
    """Validate a chunk payload a codec built itself, in one pass, as ``model_validate`` would.

    For plain payloads only, as ``parse_plain_chunks``: no ``null`` standing for a default (a
    codec that builds its chunks leaves such keys out). About half the cost of ``model_validate``,
    whose before-validators are Python calls.
    """
    chunk: ModelResponseStream = _plain_validator().validate_python(payload)
    if chunk.usage is None:
        chunk.__pydantic_fields_set__.discard("usage")
    return chunk


@functools.cache
def _plain_validator() -> SchemaValidator:
    # The null-replacing before-validators are Python calls that need the JSON as Python objects
    # first; without them pydantic validates straight from the text, and the field types
    # themselves reject those nulls (a test pins each field).
    return plain_validator(ModelResponseStream, Envelope._drop_nulls, StreamingChoices._empty_when_missing)


class CompletionStream:
    """The result of ``completion(stream=True)``: iterate it for ``ModelResponseStream`` chunks.

    A stream from ``completion()`` is a sync iterator and may also be consumed with ``async for``
    (each chunk is then read in a worker thread). A stream from ``acompletion()`` is an async
    iterator. Leaving the loop early and calling ``close()``/``aclose()`` (or using the stream as
    a context manager) releases the HTTP connection. litellm calls this ``CustomStreamWrapper``.
    """

    def __init__(
        self,
        *,
        sync_chunks: Iterator[ModelResponseStream] | None = None,
        async_chunks: AsyncIterator[ModelResponseStream] | None = None,
        model: str = "",
        on_close: Callable[[], None] | None = None,
    ) -> None:
        if (sync_chunks is None) == (async_chunks is None):
            raise ValueError("a CompletionStream needs exactly one of sync_chunks or async_chunks")
        self._sync = sync_chunks
        self._async = async_chunks
        self._on_close = on_close
        self._inner_aclose: Callable[[], Awaitable[None]] | None = None
        self._closed_hooks: tuple[Callable[[], None], Callable[[], Awaitable[None]]] | None = None
        self.model = model
        # llmport's metadata about the call, as on ModelResponse (litellm's wrapper has it too).
        self._hidden_params: dict[str, Any] = {}

    def __repr__(self) -> str:
        kind = "sync" if self._sync is not None else "async"
        return f"CompletionStream(model={self.model!r}, {kind})"

    def __iter__(self) -> Iterator[ModelResponseStream]:
        # `for chunk in stream` runs the chunk generator itself: a __next__ frame per chunk was
        # a tenth of llmport's streaming cost. `next(stream)` still works.
        return self._sync if self._sync is not None else self

    def __next__(self) -> ModelResponseStream:
        if self._sync is None:
            raise TypeError("this stream came from acompletion(); iterate it with `async for`")
        return next(self._sync)

    def __aiter__(self) -> AsyncIterator[ModelResponseStream]:
        return self

    async def __anext__(self) -> ModelResponseStream:
        if self._async is not None:
            return await anext(self._async)
        if self._sync is None:  # pragma: no cover - __init__ guarantees one source
            raise StopAsyncIteration
        # A sync stream consumed from async code: read in a thread so the event loop keeps running.
        import asyncio  # loaded by then: an event loop is running

        chunk = await asyncio.to_thread(next, self._sync, None)
        if chunk is None:
            raise StopAsyncIteration
        return chunk

    def _watch(
        self,
        sync: Callable[[Iterator[ModelResponseStream]], Iterator[ModelResponseStream]],
        asynchronous: Callable[[AsyncIterator[ModelResponseStream]], AsyncIterator[ModelResponseStream]],
        closed: Callable[[], None],
        aclosed: Callable[[], Awaitable[None]],
    ) -> None:
        """Route the chunks through an observer's wrappers (the dispatcher's ``CallWatch``).

        ``closed``/``aclosed`` run after ``close()``/``aclose()``, so a stream closed before its
        wrapper read anything is still reported.
        """
        if self._sync is not None:
            self._sync = sync(self._sync)
        elif self._async is not None:
            self._inner_aclose = getattr(self._async, "aclose", None)
            self._async = asynchronous(self._async)
        self._closed_hooks = (closed, aclosed)

    def close(self) -> None:
        """Stop the stream and release its connection (idempotent)."""
        if self._sync is not None and hasattr(self._sync, "close"):
            self._sync.close()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None
        if self._closed_hooks is not None:
            self._closed_hooks[0]()

    async def aclose(self) -> None:
        """Async counterpart of ``close()``."""
        if self._async is not None and hasattr(self._async, "aclose"):
            await self._async.aclose()
        if self._inner_aclose is not None:
            # A watched stream: its wrapper may not have started, so close the chunks it wraps too.
            closer, self._inner_aclose = self._inner_aclose, None
            await closer()
        if self._closed_hooks is not None:
            await self._closed_hooks[1]()
        self.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


CustomStreamWrapper = CompletionStream
"""litellm's name for the stream object."""

"""Module-level ``completion()``/``acompletion()``: a lazily built default client, scoped overrides.

Nothing is built at import. The first module-level call builds one default ``Client`` (from
environment variables); ``with use_client(client):`` routes module-level calls in that scope
(thread or task, via a ``ContextVar``) to another client.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal, Unpack, overload

from ..domain.models.messages import MessageLike
from ..domain.models.params import CompletionParams
from ..domain.models.response import ModelResponse
from ..domain.models.stream import CompletionStream
from .client import Client

_scoped: ContextVar[Client | None] = ContextVar("llmport_client", default=None)


class _DefaultClient:
    """Holds the process's default client, built on first use (thread-safe)."""

    def __init__(self) -> None:
        self._client: Client | None = None
        self._lock = threading.Lock()

    def get(self) -> Client:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = Client()
                client = self._client
        return client


_default = _DefaultClient()


def current_client() -> Client:
    """Return the client module-level calls use here: the scoped one, else the default."""
    return _scoped.get() or _default.get()


@contextmanager
def use_client(client: Client) -> Iterator[Client]:
    """Route module-level ``completion()``/``acompletion()`` to ``client`` within the block."""
    token = _scoped.set(client)
    try:
        yield client
    finally:
        _scoped.reset(token)


@overload
def completion(
    model: str,
    messages: Sequence[MessageLike] = ...,
    *,
    stream: Literal[True],
    **params: Unpack[CompletionParams],
) -> CompletionStream: ...
@overload
def completion(
    model: str,
    messages: Sequence[MessageLike] = ...,
    *,
    stream: Literal[False] | None = ...,
    **params: Unpack[CompletionParams],
) -> ModelResponse: ...
@overload
def completion(
    model: str, messages: Sequence[MessageLike] = ..., *, stream: bool | None = ..., **params: Any
) -> ModelResponse | CompletionStream: ...
def completion(
    model: str, messages: Sequence[MessageLike] = (), **params: Any
) -> ModelResponse | CompletionStream:
    """Run a chat completion with the current client; see ``Client.completion``."""
    result: ModelResponse | CompletionStream = current_client().completion(model, messages, **params)
    return result


@overload
async def acompletion(
    model: str,
    messages: Sequence[MessageLike] = ...,
    *,
    stream: Literal[True],
    **params: Unpack[CompletionParams],
) -> CompletionStream: ...
@overload
async def acompletion(
    model: str,
    messages: Sequence[MessageLike] = ...,
    *,
    stream: Literal[False] | None = ...,
    **params: Unpack[CompletionParams],
) -> ModelResponse: ...
@overload
async def acompletion(
    model: str, messages: Sequence[MessageLike] = ..., *, stream: bool | None = ..., **params: Any
) -> ModelResponse | CompletionStream: ...
async def acompletion(
    model: str, messages: Sequence[MessageLike] = (), **params: Any
) -> ModelResponse | CompletionStream:
    """Async ``completion()`` with the current client; see ``Client.acompletion``."""
    result: ModelResponse | CompletionStream = await current_client().acompletion(model, messages, **params)
    return result

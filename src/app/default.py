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
from dataclasses import replace
from typing import Any, cast

from ..adapters.observe.callbacks import CallbackRunner
from ..domain.models.call_signature import ACompletionCall, CompletionCall
from ..domain.models.messages import MessageLike
from ..domain.models.response import ModelResponse
from ..domain.models.stream import CompletionStream
from .bootstrap import build_dispatcher
from .client import Client
from .settings import ModuleSettings, checked

CALLBACK_SETTINGS = ("callbacks", "success_callback", "failure_callback")

_scoped: ContextVar[Client | None] = ContextVar("llmport_client", default=None)


class _DefaultClient:
    """Holds the process's default client, built on first use (thread-safe), and its settings."""

    def __init__(self) -> None:
        self._client: Client | None = None
        self._lock = threading.Lock()
        self.settings = ModuleSettings()
        # litellm.callbacks / success_callback / failure_callback: the default client's lists,
        # held by reference so `llmport.success_callback.append(fn)` works as in litellm.
        self.callback_lists: dict[str, list[Any]] = {name: [] for name in CALLBACK_SETTINGS}

    def get(self) -> Client:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._build()
                client = self._client
        return client

    def _build(self) -> Client:
        settings = self.settings
        lists = self.callback_lists
        runner = CallbackRunner(lists["callbacks"], lists["success_callback"], lists["failure_callback"])
        return Client(
            dispatcher=build_dispatcher(
                settings=settings.dispatch_settings(), log_level=settings.log_level, callback_runner=runner
            )
        )

    def configure(self, name: str, value: object) -> None:
        """Set one module setting; a default client already built takes it at once."""
        if name in CALLBACK_SETTINGS:
            # Replaced in place: the default client's runner holds these very lists.
            self.callback_lists[name][:] = checked(name, value) or []
            return
        change: dict[str, Any] = {name: checked(name, value)}
        with self._lock:
            self.settings = replace(self.settings, **change)
            if self._client is not None:
                # Swapping whole objects keeps in-flight calls consistent (they hold the old ones).
                self._client.dispatcher.settings = self.settings.dispatch_settings()
                if name == "set_verbose":
                    from ..adapters.logging.loguru_logger import LoguruLogger

                    self._client.dispatcher.logger = LoguruLogger(self.settings.log_level)


_default = _DefaultClient()


def module_setting(name: str) -> object:
    """Return the value of a module setting (``llmport.drop_params``...)."""
    if name in CALLBACK_SETTINGS:
        return _default.callback_lists[name]
    return getattr(_default.settings, name)


def set_module_setting(name: str, value: object) -> None:
    """Assign a module setting for the default client (``llmport.drop_params = True``)."""
    _default.configure(name, value)


def default_client() -> Client:
    """Return the default client (built on first use), the one module settings configure."""
    return _default.get()


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


def _completion(
    model: str, messages: Sequence[MessageLike] = (), **params: Any
) -> ModelResponse | CompletionStream:
    """Run a chat completion with the current client; see ``Client.completion``."""
    result: ModelResponse | CompletionStream = current_client().completion(model, messages, **params)
    return result


async def _acompletion(
    model: str, messages: Sequence[MessageLike] = (), **params: Any
) -> ModelResponse | CompletionStream:
    """Async ``completion()`` with the current client; see ``Client.acompletion``."""
    result: ModelResponse | CompletionStream = await current_client().acompletion(model, messages, **params)
    return result


# Typed through overloads listing every litellm keyword (domain/models/call_signature.py).
completion: CompletionCall = cast("CompletionCall", _completion)
acompletion: ACompletionCall = cast("ACompletionCall", _acompletion)

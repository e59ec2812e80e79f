"""Runs litellm-style callbacks: ``CustomLogger`` objects and plain success/failure functions.

A client's runner holds three lists (``callbacks``, ``success_callback``, ``failure_callback``)
by reference, so appending to them later takes effect, and each call may add its own. Every
handler runs even when an earlier one raised; failures are gathered into one
``CallbackError``, which the dispatcher logs and swallows.

Where handlers run: on ``completion()`` in the caller's thread (an ``async def`` handler gets
its own event loop in a worker thread); on ``acompletion()`` async handlers are awaited and
sync ones run in a worker thread (``asyncio.to_thread``), so the event loop never blocks.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ...domain.models.errors import APIError
from ...domain.models.observation import CallRecord, standard_logging_object
from ...domain.models.request import CompletionRequest
from .custom_logger import CustomLogger

Handler = tuple[Callable[..., Any], tuple[Any, ...]]


class CallbackError(Exception):
    """One or more callbacks raised; the call itself is unaffected."""


class CallbackRunner:
    """The callbacks observer of one client.

    Args:
        callbacks: ``CustomLogger``-like objects (plain functions here are success handlers).
        success_callback: Functions ``(kwargs, completion_response, start_time, end_time)`` or loggers.
        failure_callback: Functions with the same signature, called on failure, or loggers.
    """

    def __init__(
        self,
        callbacks: list[Any] | None = None,
        success_callback: list[Any] | None = None,
        failure_callback: list[Any] | None = None,
    ) -> None:
        self.callbacks = callbacks if callbacks is not None else []
        self.success_callback = success_callback if success_callback is not None else []
        self.failure_callback = failure_callback if failure_callback is not None else []

    def __repr__(self) -> str:
        return (
            f"CallbackRunner(callbacks={len(self.callbacks)}, success={len(self.success_callback)}, "
            f"failure={len(self.failure_callback)})"
        )

    def active(self, request: CompletionRequest) -> bool:
        """Whether any callback could run for a call of ``request``."""
        return bool(
            request.options.callbacks or self.callbacks or self.success_callback or self.failure_callback
        )

    def started(self, record: CallRecord) -> None:
        """Run ``log_pre_api_call`` handlers (sync path)."""
        _run_all(self._pre_call(record, asynchronous=False))

    async def astarted(self, record: CallRecord) -> None:
        """Run ``(async_)log_pre_api_call`` handlers (async path)."""
        await _arun_all(self._pre_call(record, asynchronous=True))

    def attempted(self, record: CallRecord, number: int, error: APIError | None, latency_ms: float) -> None:
        """Litellm's callbacks have no per-attempt event."""

    def finished(self, record: CallRecord) -> None:
        """Run the success or failure handlers (sync path)."""
        _run_all(self._final(record, asynchronous=False))

    async def afinished(self, record: CallRecord) -> None:
        """Run the success or failure handlers (async path)."""
        await _arun_all(self._final(record, asynchronous=True))

    # -- which handlers, with which arguments ------------------------------------------------

    def _entries(self, record: CallRecord) -> list[tuple[str, Any]]:
        entries = [("any", item) for item in self.callbacks]
        entries += [("success", item) for item in self.success_callback]
        entries += [("failure", item) for item in self.failure_callback]
        return entries + list(record.callbacks)

    def _pre_call(self, record: CallRecord, *, asynchronous: bool) -> list[Handler]:
        entries = [item for kind, item in self._entries(record) if kind == "any" and not callable(item)]
        entries += [item for kind, item in self._entries(record) if isinstance(item, CustomLogger)]
        objects = list({id(item): item for item in entries}.values())
        if not objects:
            return []
        payload = standard_logging_object(record)
        kwargs = {"model": record.model, "messages": payload["messages"], "litellm_call_id": record.id}
        args = (record.model, payload["messages"], kwargs)
        found = (_method(item, "log_pre_api_call", asynchronous=asynchronous) for item in objects)
        return [(method, args) for method in found if method is not None]

    def _final(self, record: CallRecord, *, asynchronous: bool) -> list[Handler]:
        success = record.error is None
        wanted = "success" if success else "failure"
        handlers: list[Callable[..., Any]] = []
        for kind, item in self._entries(record):
            if kind not in ("any", wanted):
                continue
            if _is_logger(item):
                name = "log_success_event" if success else "log_failure_event"
                method = _method(item, name, asynchronous=asynchronous)
                if method is not None:
                    handlers.append(method)
            elif callable(item) and (success or kind == "failure"):
                handlers.append(item)
        if not handlers:
            return []
        args = _event_args(record)
        return [(handler, args) for handler in handlers]


def _is_logger(item: object) -> bool:
    return isinstance(item, CustomLogger) or (
        not inspect.isroutine(item) and hasattr(item, "log_success_event")
    )


def _method(item: object, name: str, *, asynchronous: bool) -> Callable[..., Any] | None:
    """Return the handler method: the ``async_`` twin on async paths when it is overridden."""
    if asynchronous and _overridden(item, f"async_{name}"):
        return getattr(item, f"async_{name}")  # type: ignore[no-any-return]
    if _overridden(item, name):
        return getattr(item, name)  # type: ignore[no-any-return]
    if _overridden(item, f"async_{name}"):
        return getattr(item, f"async_{name}")  # type: ignore[no-any-return]
    return None


def _overridden(item: object, name: str) -> bool:
    found = getattr(type(item), name, None)
    return found is not None and found is not getattr(CustomLogger, name, None)


def _event_args(record: CallRecord) -> tuple[Any, ...]:
    payload = standard_logging_object(record)
    start = datetime.fromtimestamp(record.start_time)
    end = datetime.fromtimestamp(record.end_time or record.start_time)
    first = record.completion_start_time
    kwargs: dict[str, Any] = {
        "model": record.model,
        "messages": payload["messages"],
        "optional_params": payload["model_parameters"],
        "litellm_params": {
            "metadata": payload["metadata"],
            "custom_llm_provider": record.provider,
            "api_base": record.api_base,
            "litellm_call_id": record.id,
        },
        "metadata": payload["metadata"],
        "litellm_call_id": record.id,
        "call_type": record.call_type,
        "stream": record.stream,
        "custom_llm_provider": record.provider,
        "api_base": record.api_base,
        "start_time": start,
        "end_time": end,
        "completion_start_time": start if first is None else datetime.fromtimestamp(first),
        "cache_hit": record.cache_hit,
        "response_cost": record.response_cost,
        "standard_logging_object": payload,
        "log_event_type": "successful_api_call" if record.error is None else "failed_api_call",
    }
    if record.error is not None:
        kwargs["exception"] = record.error
    elif record.stream:
        kwargs["complete_streaming_response"] = record.response
    return (kwargs, record.response, start, end)


def _run_all(handlers: Sequence[Handler]) -> None:
    failures: list[str] = []
    for handler, args in handlers:
        try:
            if inspect.iscoroutinefunction(handler):
                _run_coroutine(handler, args)
            else:
                handler(*args)
        except Exception as error:  # one failing handler never stops the others
            failures.append(_describe(handler, error))
    _raise(failures)


async def _arun_all(handlers: Sequence[Handler]) -> None:
    failures: list[str] = []
    for handler, args in handlers:
        try:
            if inspect.iscoroutinefunction(handler):
                await handler(*args)
            else:
                import asyncio  # loaded by then: an event loop is running

                await asyncio.to_thread(handler, *args)
        except Exception as error:  # one failing handler never stops the others
            failures.append(_describe(handler, error))
    _raise(failures)


def _run_coroutine(handler: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Run an ``async def`` handler from sync code, in a thread with its own event loop."""
    failure: list[BaseException] = []

    def target() -> None:
        import asyncio  # only for an async handler called from sync code

        try:
            asyncio.run(handler(*args))
        except BaseException as error:  # re-raised in the caller's thread below
            failure.append(error)

    thread = threading.Thread(target=target, name="llmport-callback")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _describe(handler: Callable[..., Any], error: Exception) -> str:
    name = getattr(handler, "__qualname__", type(handler).__name__)
    return f"{name}: {type(error).__name__}: {error}"


def _raise(failures: list[str]) -> None:
    if failures:
        raise CallbackError("; ".join(failures))

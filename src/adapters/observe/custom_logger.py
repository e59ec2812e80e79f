"""litellm's ``CustomLogger`` base class, method for method, so ported handlers change only an import.

Override the events you want. On a sync ``completion()`` the sync methods run in the caller's
thread; on ``acompletion()`` the ``async_`` twin is awaited when you override it, else the sync
method runs in a worker thread so the event loop never blocks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class CustomLogger:
    """Base class for callback handlers (litellm's ``litellm.integrations.custom_logger.CustomLogger``).

    Args:
        message_logging: Accepted for litellm compatibility; messages are always scrubbed of secrets.
        **kwargs: Accepted and ignored, as litellm's base class does.
    """

    def __init__(self, message_logging: bool = True, **kwargs: Any) -> None:  # noqa: ARG002 - litellm's signature
        self.message_logging = message_logging

    def log_pre_api_call(self, model: str, messages: list[dict[str, Any]], kwargs: dict[str, Any]) -> None:
        """Handle the start of a call (once, before its first request)."""

    def log_post_api_call(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """Do nothing: accepted for litellm compatibility, llmport never calls it."""

    def log_stream_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """Do nothing: accepted for litellm compatibility, llmport never calls it."""

    def log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """Handle a call that succeeded (once; for a stream, after its last chunk)."""

    def log_failure_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """Handle a call that failed (once, after its retries and fallbacks)."""

    async def async_log_pre_api_call(
        self, model: str, messages: list[dict[str, Any]], kwargs: dict[str, Any]
    ) -> None:
        """Async ``log_pre_api_call``, awaited on ``acompletion()``."""

    async def async_log_stream_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """Do nothing: accepted for litellm compatibility, llmport never calls it."""

    async def async_log_success_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """Async ``log_success_event``, awaited on ``acompletion()``."""

    async def async_log_failure_event(
        self, kwargs: dict[str, Any], response_obj: Any, start_time: datetime, end_time: datetime
    ) -> None:
        """Async ``log_failure_event``, awaited on ``acompletion()``."""

"""The observer port: what the dispatcher tells the outside world about each call.

One ``CallRecord`` travels through a call. Observers hear when it starts, after each HTTP
attempt, before each retry sleep, and once when it is over (success or failure, after retries
and fallbacks; for a stream, after its last chunk, its error, or the caller stopping early).
Adapters: the callbacks runner (litellm's ``CustomLogger`` protocol) and OpenTelemetry spans.
Observers must never raise; the dispatcher also guards against them.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..domain.models.errors import APIError
from ..domain.models.observation import CallRecord
from ..domain.models.request import CompletionRequest


@runtime_checkable
class CallObserver(Protocol):
    """Receives the events of calls it declares interest in."""

    def active(self, request: CompletionRequest) -> bool:
        """Whether this observer wants the events of a call of ``request`` (asked once per call)."""
        ...

    def started(self, record: CallRecord) -> None:
        """Handle a call about to send its first request (sync path)."""
        ...

    async def astarted(self, record: CallRecord) -> None:
        """Handle a call about to send its first request (async path)."""
        ...

    def attempted(self, record: CallRecord, number: int, error: APIError | None, latency_ms: float) -> None:
        """Handle the end of HTTP attempt ``number`` (1-based, whole call), with ``error`` if it failed."""
        ...

    def finished(self, record: CallRecord) -> None:
        """Handle a call that is over (sync path); ``record.error`` tells success from failure."""
        ...

    async def afinished(self, record: CallRecord) -> None:
        """Handle a call that is over (async path)."""
        ...

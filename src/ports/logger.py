"""The logger port: structured events, checked for level before any work is done."""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

LogLevel = Literal["TRACE", "DEBUG", "INFO", "WARNING", "ERROR"]


@runtime_checkable
class Logger(Protocol):
    """Receives llmport's log events. Implementations must never raise."""

    def enabled(self, level: LogLevel) -> bool:
        """Whether an event at ``level`` would be emitted (so callers can skip building it)."""
        ...

    def log(self, level: LogLevel, message: str, /, **fields: object) -> None:
        """Emit one event; ``fields`` are already free of secrets."""
        ...

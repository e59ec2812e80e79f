"""The logger port: structured events, checked for level before any work is done."""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

LogLevel = Literal["TRACE", "DEBUG", "INFO", "WARNING", "ERROR"]
LEVELS: dict[str, int] = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}


def level_rank(level: str) -> int:
    """Return the rank of a level name (any case); an unknown name ranks lowest, never raises."""
    return LEVELS.get(str(level).upper(), 0)


@runtime_checkable
class Logger(Protocol):
    """Receives llmport's log events. Implementations must never raise."""

    def enabled(self, level: LogLevel) -> bool:
        """Whether an event at ``level`` would be emitted (so callers can skip building it)."""
        ...

    def log(self, level: LogLevel, message: str, /, **fields: object) -> None:
        """Emit one event; ``fields`` are already free of secrets."""
        ...

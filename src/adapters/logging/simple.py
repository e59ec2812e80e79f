"""Loggers with no dependencies: ``NullLogger`` (silence) and ``MemoryLogger`` (tests)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...ports.logger import LogLevel, level_rank


class NullLogger:
    """Discards everything."""

    def enabled(self, level: LogLevel) -> bool:  # noqa: ARG002 - the port's signature
        """Return False: nothing is ever emitted."""
        return False

    def log(self, level: LogLevel, message: str, /, **fields: object) -> None:
        """Discard the event."""


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One recorded event."""

    level: str
    message: str
    fields: dict[str, object]


@dataclass
class MemoryLogger:
    """Records events at or above ``level`` in ``events``."""

    level: LogLevel = "TRACE"
    events: list[LogEvent] = field(default_factory=list)

    def enabled(self, level: LogLevel) -> bool:
        """Whether ``level`` is at or above the threshold."""
        return level_rank(level) >= level_rank(self.level)

    def log(self, level: LogLevel, message: str, /, **fields: object) -> None:
        """Record the event."""
        if self.enabled(level):
            self.events.append(LogEvent(level, message, dict(fields)))

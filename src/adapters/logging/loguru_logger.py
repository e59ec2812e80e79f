"""The loguru adapter: silent until a level is chosen, never touching loguru's global state.

A library must not configure its host's logging: this adapter adds no sink and never calls
``logger.disable``/``enable``. It emits only at or above the level given by
``Client(log_level=...)`` or the ``LLMPORT_LOG`` variable, through the host's own sinks, and
scrubs secrets from every record with a patcher.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ...domain.models.redaction import redact, redact_value
from ...ports.logger import LEVELS, LogLevel, level_rank

if TYPE_CHECKING:
    from loguru import Logger as _Loguru
    from loguru import Record

ENV_VAR = "LLMPORT_LOG"


class LoguruLogger:
    """Sends llmport's events to loguru at or above ``level``.

    Args:
        level: ``"TRACE"``…``"ERROR"``; None reads ``LLMPORT_LOG``; unset means emit nothing.
    """

    def __init__(self, level: str | None = None) -> None:
        chosen = level if level is not None else os.environ.get(ENV_VAR)
        self.level: str | None = chosen.upper() if chosen else None
        if self.level is not None and self.level not in LEVELS:
            raise ValueError(f"log level must be one of {list(LEVELS)}, got {chosen!r}")
        self._threshold = level_rank(self.level) if self.level else None
        self._logger: _Loguru | None = None

    def __repr__(self) -> str:
        return f"LoguruLogger(level={self.level!r})"

    def enabled(self, level: LogLevel) -> bool:
        """Whether events at ``level`` are emitted."""
        return self._threshold is not None and level_rank(level) >= self._threshold

    def log(self, level: LogLevel, message: str, /, **fields: object) -> None:
        """Emit one event with ``fields`` bound as loguru extras."""
        if not self.enabled(level):
            return
        self._bound().bind(**fields).log(str(level).upper(), message)

    def _bound(self) -> _Loguru:
        if self._logger is None:
            from loguru import logger  # imported on first use: `import llmport` stays light

            self._logger = logger.bind(library="llmport").patch(_scrub)
        return self._logger


def _scrub(record: Record) -> None:
    record["message"] = redact(record["message"])
    extra: dict[str, Any] = record["extra"]
    for key, value in extra.items():
        extra[key] = redact_value(value)

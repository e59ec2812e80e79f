"""The loguru adapter: silent until a level is chosen, never touching loguru's global state.

A library must not configure its host's logging: this adapter adds no sink and never calls
``logger.disable``/``enable``. It emits only at or above the level given by
``Client(log_level=...)`` or the ``LLMPORT_LOG`` variable, through the host's own sinks, and
scrubs secrets from every record with a patcher.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...domain.models.redaction import redact
from ...ports.logger import LogLevel

if TYPE_CHECKING:
    from loguru import Logger as _Loguru
    from loguru import Record

_ORDER: Mapping[str, int] = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}
ENV_VAR = "LLMPORT_LOG"


class LoguruLogger:
    """Sends llmport's events to loguru at or above ``level``.

    Args:
        level: ``"TRACE"``…``"ERROR"``; None reads ``LLMPORT_LOG``; unset means emit nothing.
    """

    def __init__(self, level: str | None = None) -> None:
        chosen = level if level is not None else os.environ.get(ENV_VAR)
        self.level: str | None = chosen.upper() if chosen else None
        if self.level is not None and self.level not in _ORDER:
            raise ValueError(f"log level must be one of {list(_ORDER)}, got {chosen!r}")
        self._threshold = _ORDER[self.level] if self.level else None
        self._logger: _Loguru | None = None

    def __repr__(self) -> str:
        return f"LoguruLogger(level={self.level!r})"

    def enabled(self, level: LogLevel) -> bool:
        """Whether events at ``level`` are emitted."""
        return self._threshold is not None and _ORDER.get(str(level).upper(), 0) >= self._threshold

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
        extra[key] = _scrubbed(value)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {name: _scrubbed(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrubbed(item) for item in value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(repr(value))

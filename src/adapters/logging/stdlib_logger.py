"""The stdlib ``logging`` adapter, for hosts whose logging is configured through ``logging``.

Events go to the ``llmport`` logger (or the one named), at the stdlib level matching the event,
with the event's fields as record attributes (``extra``) and every string scrubbed of secrets.
It adds no handler and sets no level: the host's configuration decides what is emitted, so
llmport stays silent until the host enables the logger (or passes ``level=``).
"""

from __future__ import annotations

import logging

from ...domain.models.redaction import redact, redact_value
from ...ports.logger import LEVELS, LogLevel

# Attributes of every LogRecord: a field with one of these names gets an ``llmport_`` prefix.
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_STDLIB_LEVELS = {"TRACE": 5, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING,
                  "ERROR": logging.ERROR}  # fmt: skip


class StdlibLogger:
    """Sends llmport's events to a stdlib ``logging.Logger``.

    Args:
        name: The logger's name (default ``"llmport"``).
        level: Also require events to be at or above this level (``"DEBUG"``…); None leaves it
            to the host's logging configuration.
    """

    def __init__(self, name: str = "llmport", level: str | None = None) -> None:
        if level is not None and level.upper() not in LEVELS:
            raise ValueError(f"log level must be one of {list(LEVELS)}, got {level!r}")
        self._logger = logging.getLogger(name)
        self._floor = 0 if level is None else _STDLIB_LEVELS[level.upper()]

    def __repr__(self) -> str:
        return f"StdlibLogger(name={self._logger.name!r})"

    def enabled(self, level: LogLevel) -> bool:
        """Whether the stdlib logger would emit an event at ``level``."""
        number = _STDLIB_LEVELS.get(str(level).upper(), 0)
        return number >= self._floor and self._logger.isEnabledFor(number)

    def log(self, level: LogLevel, message: str, /, **fields: object) -> None:
        """Emit one record; ``fields`` become record attributes (``record.provider``...)."""
        number = _STDLIB_LEVELS.get(str(level).upper(), 0)
        if number < self._floor or not self._logger.isEnabledFor(number):
            return
        extra = {
            (f"llmport_{name}" if name in _RESERVED else name): redact_value(value)
            for name, value in fields.items()
        }
        self._logger.log(number, "%s", redact(message), extra=extra, stacklevel=2)

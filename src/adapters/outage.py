"""Outages of a shared store (Redis): reported once when they start and once when they end.

A store that is down is skipped for ``retry_interval`` seconds instead of each call paying its
timeout; then one call tries it again.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from ..ports.logger import Logger


class Outage:
    """The reachability of one shared store, and its reports.

    Args:
        down: The WARNING logged when the store becomes unreachable.
        back: The INFO logged when it answers again.
        retry_interval: Seconds an unreachable store is skipped before it is tried again.
        logger: Where reports go (default: the client's, once attached; else loguru's adapter).
    """

    def __init__(self, down: str, back: str, retry_interval: float, logger: Logger | None = None) -> None:
        self._down, self._back = down, back
        self._retry_interval = retry_interval
        self._logger = logger
        self._own_logger = logger is not None
        self._lock = threading.Lock()
        self._until = 0.0
        self.ongoing = False

    def attach_logger(self, logger: Logger) -> None:
        """Report through ``logger`` unless one was given explicitly."""
        if not self._own_logger:
            self._logger = logger

    def worth_trying(self) -> bool:
        """Whether to use the store now (it is up, or its retry interval has passed)."""
        return not self.ongoing or time.monotonic() >= self._until

    def failed(self, error: Exception, **fields: object) -> None:
        """Record a failure; the first of an outage is logged at WARNING."""
        with self._lock:
            self._until = time.monotonic() + self._retry_interval
            first, self.ongoing = not self.ongoing, True
        if first:
            self.log("WARNING", self._down, error=type(error).__name__, **fields)

    def succeeded(self, **fields: object) -> None:
        """Record a success; the end of an outage is logged at INFO."""
        if self.ongoing:
            with self._lock:
                ended, self.ongoing = self.ongoing, False
            if ended:
                self.log("INFO", self._back, **fields)

    def log(self, level: Any, message: str, **fields: object) -> None:
        """Log one event if its level is enabled."""
        if self._logger is None:
            from .logging.loguru_logger import LoguruLogger  # the default until a client attaches

            self._logger = LoguruLogger()
        if self._logger.enabled(level):
            self._logger.log(level, message, **fields)

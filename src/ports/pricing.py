"""The pricing port: what a call cost, from the usage the provider reported."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from ..domain.models.response import Usage


@runtime_checkable
class Pricing(Protocol):
    """Prices token usage. Implementations never fetch anything at run time and never raise."""

    def cost(
        self, provider: str | None, models: Sequence[str], usage: Usage, at: float | None = None
    ) -> float | None:
        """Return the price in USD of ``usage``, or None when no model has a known price.

        ``models`` are the names the answer goes by, most specific first (the model the response
        reports, then the one the caller asked for). ``at`` is when the request ran (epoch
        seconds; None: now): prices change over time, and some by the hour (off-peak rates).
        """
        ...

"""The pricing port: what a call cost, from the usage the provider reported."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..domain.models.response import Usage


@runtime_checkable
class Pricing(Protocol):
    """Prices token usage. Implementations never fetch anything at run time and never raise."""

    def cost(self, provider: str | None, model: str, usage: Usage) -> float | None:
        """Return the price in USD of ``usage`` on ``model``, or None when the model has no known price."""
        ...

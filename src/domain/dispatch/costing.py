"""Putting a price on answers: ``_hidden_params["response_cost"]`` on responses and usage chunks."""

from __future__ import annotations

from collections.abc import Callable

from ...ports.codec import ProviderCall
from ...ports.pricing import Pricing
from ..models.response import Usage
from ..models.stream import ModelResponseStream


class Costing:
    """Prices usage through the client's pricing adapter, never failing a call.

    Args:
        pricing: The pricing adapter; None prices nothing.
    """

    def __init__(self, pricing: Pricing | None) -> None:
        self.pricing = pricing

    def price(self, provider: str | None, model: str, usage: Usage) -> float | None:
        """Return the cost of ``usage`` in USD, or None when it is unknown."""
        if self.pricing is None:
            return None
        try:
            return self.pricing.cost(provider, model, usage)
        except Exception:  # pricing is informative; it never fails a call
            return None

    def chunk_pricer(self, call: ProviderCall) -> Callable[[ModelResponseStream], None] | None:
        """Return what prices a stream's usage chunk for ``call`` (None when nothing is priced)."""
        if self.pricing is None:
            return None

        def price(chunk: ModelResponseStream) -> None:
            usage = chunk.usage
            if usage is not None:
                cost = self.price(call.provider, chunk.model or call.model, usage)
                # Chunks declare no private attributes (they would cost every chunk an init).
                chunk.__dict__["_hidden_params"] = {"response_cost": cost}

        return price

"""Putting a price on answers: ``_hidden_params["response_cost"]`` on responses and usage chunks."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from ...ports.codec import ProviderCall
from ...ports.pricing import Pricing
from ..models.response import ModelResponse, Usage
from ..models.stream import ModelResponseStream


class Costing:
    """Prices usage through the client's pricing adapter, never failing a call.

    Args:
        pricing: The pricing adapter; None prices nothing.
    """

    def __init__(self, pricing: Pricing | None) -> None:
        self.pricing = pricing

    def price(
        self, provider: str | None, models: tuple[str, ...], usage: Usage, at: float | None = None
    ) -> float | None:
        """Return the cost of ``usage`` in USD under the first of ``models`` priced, or None."""
        if self.pricing is None:
            return None
        try:
            return self.pricing.cost(provider, models, usage, at)
        except Exception:  # pricing is informative; it never fails a call
            return None

    def hidden_params(
        self, call: ProviderCall, response: ModelResponse, given: dict[str, Any] | None = None
    ) -> PricedParams:
        """Return ``response``'s ``_hidden_params`` (``given``) as a dict that prices it on first read.

        The usage is read then, not now: a fanned-out answer's usage is summed after this.
        """
        pending = None
        if self.pricing is not None:
            # A weak reference: the response holds this dict, and a cycle through it would leave
            # every answer (and its request) to the garbage collector instead of reference counts.
            latest = weakref.ref(response)
            first = (response.model, response.usage, response.created)
            pending = functools.partial(self._price_response, call.provider, call.model, latest, first)
        return PricedParams(response._hidden_params if given is None else given, pending=pending)

    def _price_response(
        self,
        provider: str,
        model: str,
        latest: weakref.ref[ModelResponse],
        first: tuple[str, Usage, int],
    ) -> float | None:
        response = latest()
        answered, usage, created = (
            first if response is None else (response.model, response.usage, response.created)
        )
        return self.price(provider, (answered, model), usage, created)

    def chunk_pricer(self, call: ProviderCall) -> Callable[[ModelResponseStream], None] | None:
        """Return what prices a stream's usage chunk for ``call`` (None when nothing is priced)."""
        if self.pricing is None:
            return None

        def price(chunk: ModelResponseStream) -> None:
            usage = chunk.usage
            if usage is not None:
                models = (chunk.model, call.model)
                pending = functools.partial(self.price, call.provider, models, usage, chunk.created)
                # Chunks declare no private attributes (they would cost every chunk an init).
                chunk.__dict__["_hidden_params"] = PricedParams(pending=pending)

        return price


_COST = "response_cost"


class PricedParams(dict[str, Any]):
    """A ``_hidden_params`` dict whose ``response_cost`` is computed on first read.

    Pricing takes about 0.2 ms (genai-prices works in decimals), so an answer nobody prices
    never pays it: the figure appears the first time the dict is read in any way (a key lookup,
    ``get``, ``in``, iteration, ``len``, ``repr``, comparison or a copy).
    """

    __slots__ = ("_pending",)

    def __init__(self, *args: Any, pending: Callable[[], float | None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending = pending

    def _settle(self) -> None:
        pending, self._pending = self._pending, None
        # A cost set by hand before the first read is kept.
        if pending is not None and not super().__contains__(_COST):
            super().__setitem__(_COST, pending())

    def __getitem__(self, key: str) -> Any:
        self._settle()
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        """``dict.get``, settling the cost first."""
        self._settle()
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._settle()
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self._settle()
        return super().__iter__()

    def __len__(self) -> int:
        self._settle()
        return super().__len__()

    def __repr__(self) -> str:
        self._settle()
        return super().__repr__()

    def __eq__(self, other: object) -> bool:
        self._settle()
        return super().__eq__(other)

    __hash__ = None

    def keys(self) -> Any:
        """``dict.keys``, settling the cost first."""
        self._settle()
        return super().keys()

    def values(self) -> Any:
        """``dict.values``, settling the cost first."""
        self._settle()
        return super().values()

    def items(self) -> Any:
        """``dict.items``, settling the cost first."""
        self._settle()
        return super().items()

    def copy(self) -> dict[str, Any]:
        """Return a plain dict copy, with the cost settled."""
        self._settle()
        return dict(super().items())

    def __reduce__(self) -> tuple[Any, ...]:
        # Copies and pickles are plain dicts with the cost settled (the pending pricer is not data).
        self._settle()
        return (dict, (dict(super().items()),))

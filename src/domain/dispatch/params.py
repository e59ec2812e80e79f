"""Choosing which body parameters a codec sends: one rule for every provider.

A parameter the target cannot take raises ``UnsupportedParamsError`` unless ``drop_params`` is
on, in which case it is dropped; ``additional_drop_params`` drops named parameters always.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ...ports.codec import ProviderCall
from ..models.errors import unsupported


def select_params(call: ProviderCall, unsupported_params: Collection[str]) -> dict[str, Any]:
    """Return the body parameters to send for ``call``.

    Args:
        call: The call being encoded.
        unsupported_params: Parameters this codec (for this model) cannot take.

    Raises:
        UnsupportedParamsError: for an unsupported parameter when ``drop_params`` is off.
    """
    dropped = set(call.request.options.additional_drop_params)
    selected: dict[str, Any] = {}
    for name, value in call.request.params.items():
        if name in dropped:
            continue
        if name in unsupported_params:
            if call.drop_params:
                continue
            raise unsupported(
                f"{call.provider} does not support the parameter {name!r} for model {call.model!r}; "
                "pass drop_params=True to drop it",
                param=name,
                provider=call.provider,
                model=call.request.model,
            )
        selected[name] = value
    return selected

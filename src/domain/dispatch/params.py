"""Choosing which body parameters a codec sends: one rule for every provider.

The rules come from data: the codec's own unsupported parameters plus the host row's
``ParamRules`` for the model (``Host.rules_for``). A parameter the target cannot take, or a value
it does not accept, raises ``UnsupportedParamsError`` unless ``drop_params`` is on, in which
case it is dropped; ``additional_drop_params`` drops named parameters always. Surviving
parameters then have their values mapped and their names translated.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from typing import Any

from ...ports.codec import ParamRules, ProviderCall
from ..models.errors import UnsupportedParamsError, unsupported
from .routing import setting_kwargs


def select_params(call: ProviderCall, codec_unsupported: Collection[str] = ()) -> dict[str, Any]:
    """Return the body parameters to send for ``call``, named and valued as the target wants.

    Args:
        call: The call being encoded.
        codec_unsupported: Parameters the codec's wire format has no place for.

    Raises:
        UnsupportedParamsError: for an unsupported parameter or value when ``drop_params`` is off.
    """
    rules = call.host.rules_for(call.model)
    dropped = set(call.request.options.additional_drop_params)
    if call.host.settings:
        dropped |= setting_kwargs(call.host)
    selected: dict[str, Any] = {}
    for name, value in call.request.params.items():
        if name in dropped:
            continue
        problem = _problem(name, value, rules, codec_unsupported)
        if problem is not None:
            if call.drop_params:
                continue
            raise _unsupported(call, name, problem)
        selected[name] = _mapped(value, rules.value_maps.get(name))
    return _renamed(selected, rules)


def _problem(name: str, value: Any, rules: ParamRules, codec_unsupported: Collection[str]) -> str | None:
    if name in codec_unsupported or name in rules.unsupported:
        return f"the parameter {name!r}"
    allowed = rules.allowed_values.get(name)
    if allowed is not None and value is not None and value not in allowed:
        accepted = " or ".join(repr(v) for v in allowed)
        return f"{name}={value!r} (only {accepted})"
    return None


def _unsupported(call: ProviderCall, name: str, problem: str) -> UnsupportedParamsError:
    return unsupported(
        f"{call.provider} does not support {problem} for model {call.model!r}; "
        "pass drop_params=True to drop it",
        param=name,
        provider=call.provider,
        model=call.request.model,
    )


def _mapped(value: Any, value_map: Any) -> Any:
    if value_map is not None and isinstance(value, Hashable) and value in value_map:
        return value_map[value]
    return value


def _renamed(selected: dict[str, Any], rules: ParamRules) -> dict[str, Any]:
    if not rules.renames or not selected.keys() & rules.renames.keys():
        return selected
    renamed: dict[str, Any] = {}
    for name, value in selected.items():
        target = rules.renames.get(name, name)
        # The caller's explicit value under the target's own name wins over a translated one.
        if target != name and target in selected:
            continue
        renamed[target] = value
    return renamed

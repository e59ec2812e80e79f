"""Function calls streamed in pieces (``streamFunctionCallArguments``): ``partialArgs`` → arguments.

A call opens with ``{"name", "willContinue": true}``; each later ``functionCall`` part adds
values at JSON paths (``$.recipe.ingredients[2].name``), a string arriving in several pieces
while its ``willContinue`` is true; a part without ``willContinue`` closes the call. Recorded in
vercel-ai's ``google-stream-tool-call-*`` fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_VALUE_KINDS = ("stringValue", "numberValue", "boolValue", "nullValue", "structValue", "listValue")


class PartialCall:
    """One function call being assembled; ``arguments`` is the object built so far."""

    def __init__(self, name: Any, call_id: Any, signature: Any) -> None:
        self.name = name if isinstance(name, str) else ""
        self.id = call_id if isinstance(call_id, str) and call_id else None
        self.signature = signature
        self.arguments: dict[str, Any] = {}

    def add(self, part: Mapping[str, Any]) -> None:
        """Fold one ``functionCall`` part in: whole ``args`` or ``partialArgs`` pieces."""
        if isinstance(part.get("name"), str) and not self.name:
            self.name = part["name"]
        if isinstance(part.get("args"), Mapping):
            self.arguments.update(part["args"])
        for piece in part.get("partialArgs") or ():
            if isinstance(piece, Mapping) and isinstance(piece.get("jsonPath"), str):
                self._set(piece["jsonPath"], piece)

    def _set(self, path: str, piece: Mapping[str, Any]) -> None:
        steps: list[str | int] = [key if key else int(index) for key, index in _STEP.findall(path)]
        if not steps:
            return
        kind = next((k for k in _VALUE_KINDS if k in piece), None)
        value = None if kind in (None, "nullValue") else piece[kind]
        container: Any = self.arguments
        for step, following in zip(steps, [*steps[1:], None], strict=True):
            if following is None:
                _put(container, step, value, append=kind == "stringValue")
                return
            container = _child(container, step, [] if isinstance(following, int) else {})


def _child(container: Any, step: str | int, empty: Any) -> Any:
    if isinstance(step, int):
        while len(container) <= step:
            container.append(None)
        if container[step] is None:
            container[step] = empty
        return container[step]
    return container.setdefault(step, empty)


def _put(container: Any, step: str | int, value: Any, append: bool) -> None:
    if isinstance(step, int):
        while len(container) <= step:
            container.append(None)
    current = container[step] if isinstance(step, int) else container.get(step)
    if append and isinstance(current, str):
        value = current + value
    container[step] = value

"""Tool names as Converse takes them, and the map back to the caller's names.

Converse tool names must match ``[a-zA-Z0-9_-]+`` and be at most 64 characters. litellm (#5007)
rewrites other characters to ``_`` and prefixes ``a`` when the name does not start with a
letter; llmport does the same (keeping ``-``, which the service model allows) and restores the
caller's names in answers. The map is computed from the call alone, so the request builder and
the answer parser agree without sharing state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ....domain.models.errors import bad_request
from ....ports.codec import ProviderCall

_INVALID = re.compile(r"[^a-zA-Z0-9_-]")
MAX_NAME = 64


def wire_name(name: str) -> str:
    """Return ``name`` as Converse accepts it."""
    cleaned = _INVALID.sub("_", name)
    if not cleaned[:1].isalpha() or not cleaned[:1].isascii():
        cleaned = "a" + cleaned
    return cleaned[:MAX_NAME]


def caller_names(call: ProviderCall) -> Iterable[str]:
    """Yield every function name the call mentions: its tools and the tool calls in its history."""
    for tool in call.request.params.get("tools") or ():
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            yield function["name"]
    for message in call.request.messages:
        for tool_call in message.get("tool_calls") or ():
            function = tool_call.get("function") if isinstance(tool_call, Mapping) else None
            if isinstance(function, Mapping) and isinstance(function.get("name"), str):
                yield function["name"]


def name_map(call: ProviderCall) -> dict[str, str]:
    """Return ``{wire name: caller's name}`` for the names that had to change.

    Raises:
        BadRequestError: when two of the caller's names become the same wire name.
    """
    back: dict[str, str] = {}
    for name in caller_names(call):
        wire = wire_name(name)
        known = back.get(wire, name)
        if known != name:
            raise bad_request(
                f"tool names {known!r} and {name!r} both become {wire!r} on Bedrock, which takes "
                "only letters, digits, '_' and '-'; rename one of them",
                param="tools",
                model=call.request.model,
            )
        back[wire] = name
    return {wire: name for wire, name in back.items() if wire != name}


def restore(names: Mapping[str, str], wire: Any) -> Any:
    """Return the caller's name for a wire name (unchanged when it was not rewritten)."""
    return names.get(wire, wire) if isinstance(wire, str) else wire

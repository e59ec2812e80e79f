"""Splitting OpenAI-shaped messages into a system prompt and alternating turns: one rule for every codec.

Messages APIs without system or tool roles (Anthropic, Bedrock Converse) take the system and
developer messages apart and require user and assistant turns to alternate, so consecutive
turns of one role (tool results and the next user message...) are merged. A codec supplies how
one message becomes blocks; this module does the rest the same way for all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ...domain.models.errors import bad_request

Block = dict[str, Any]
SYSTEM_ROLES = ("system", "developer")


def split_turns(
    messages: list[dict[str, Any]],
    system_blocks: Callable[[dict[str, Any], int], list[Block]],
    turn: Callable[[dict[str, Any], int], tuple[str, list[Block]]],
) -> tuple[list[Block], list[dict[str, Any]]]:
    """Return the system blocks and the turns (``{"role", "content": blocks}``, roles alternating).

    Args:
        messages: The normalised messages.
        system_blocks: A system or developer message (and its index) → its blocks.
        turn: Any other message (and its index) → its wire role and blocks (empty: skipped).
    """
    system: list[Block] = []
    turns: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if message["role"] in SYSTEM_ROLES:
            system.extend(system_blocks(message, index))
            continue
        wire_role, blocks = turn(message, index)
        if not blocks:
            continue
        if turns and turns[-1]["role"] == wire_role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": wire_role, "content": blocks})
    return system, turns


def arguments_object(function: Mapping[str, Any], where: str, model: str, hint: str = "") -> dict[str, Any]:
    """Return an assistant tool call's arguments as an object, for wire formats that send one.

    OpenAI-shaped history carries them as a JSON string (or, built by hand, already as a dict).

    Raises:
        BadRequestError: naming ``{where}.function.arguments`` when they are not a JSON object.
    """
    arguments = function.get("arguments") or "{}"
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
    except ValueError:
        parsed = None
    if not isinstance(parsed, Mapping):
        param = f"{where}.function.arguments"
        raise bad_request(f"{param} must be a JSON object{hint}", param=param, model=model)
    return dict(parsed)

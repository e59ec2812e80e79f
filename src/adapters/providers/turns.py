"""Splitting OpenAI-shaped messages into a system prompt and alternating turns: one rule for every codec.

Messages APIs without system or tool roles (Anthropic, Bedrock Converse) take the system and
developer messages apart and require user and assistant turns to alternate, so consecutive
turns of one role (tool results and the next user message...) are merged. A codec supplies how
one message becomes blocks; this module does the rest the same way for all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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

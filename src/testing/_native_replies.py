"""What the Ollama and Cohere fakes answer, decided once: thinking, a tool call, JSON, or echoed text.

Pure data in, data out; each fake then writes the plan in its own wire shapes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ._fake_replies import message_text, schema_instance, word_pieces

JsonDict = dict[str, Any]

TOOL_REPLY_PREFIX = "The tool returned: "
_MAGIC_ERROR = re.compile(r"fake-error-(\d{3})")
CONTEXT_MODEL = "fake-error-context"
STREAM_DROP_MODEL = "fake-stream-drop"
STREAM_ERROR_MODEL = "fake-stream-error"
_ECHO_LIMIT = 120


@dataclass
class Plan:
    """The answer: optional thinking, then text or tool calls; why it stopped; token counts.

    Attributes:
        stop: ``"stop"``, ``"length"``, ``"stop_sequence"`` or ``"tool_calls"``.
    """

    text: str = ""
    thinking: str = ""
    tool_calls: list[JsonDict] = field(default_factory=list)  # {"name", "arguments": dict, "digest"}
    stop: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def pieces(self) -> list[str]:
        """The text as streamed: one piece per word."""
        return word_pieces(self.text) or ([self.text] if self.text else [])


def magic_status(model: str) -> int | None:
    """Return the status a ``fake-error-<status>`` model scripts, if any."""
    match = _MAGIC_ERROR.fullmatch(model)
    status = int(match.group(1)) if match else 0
    return status if 400 <= status <= 599 else None


def plan(
    messages: list[JsonDict],
    *,
    tools: list[JsonDict],
    schema: Any,
    think: bool,
    max_tokens: int | None,
    stops: list[str],
    reply_prefix: str,
) -> Plan:
    """Decide the answer to ``messages``.

    Args:
        messages: The request's messages (``role``, ``content``).
        tools: Function specs offered (``{"name", "parameters"}``), already filtered by tool choice.
        schema: A JSON schema the answer must follow, ``"json"`` for any JSON object, or None.
        think: Whether to think first.
        max_tokens: The word budget of the text.
        stops: Stop sequences.
        reply_prefix: What an echoed answer starts with.
    """
    result = Plan(prompt_tokens=sum(len(message_text(m.get("content")).split()) for m in messages))
    last = messages[-1] if messages else {}
    if think:
        result.thinking = "Let me think about: " + " ".join(message_text(last.get("content")).split())[:80]
    if tools and last.get("role") != "tool":
        digest = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
        spec = tools[0]
        result.tool_calls = [
            {
                "name": spec["name"],
                "arguments": schema_instance(spec.get("parameters") or {}) or {},
                "digest": digest,
            }
        ]
        result.stop = "tool_calls"
    else:
        result.text = _text(last, messages, schema, reply_prefix)
        _cut(result, max_tokens, stops)
    result.completion_tokens = (
        len(result.text.split()) + len(result.thinking.split()) + 5 * len(result.tool_calls)
    )
    return result


def _text(last: JsonDict, messages: list[JsonDict], schema: Any, reply_prefix: str) -> str:
    if isinstance(schema, dict):
        return json.dumps(schema_instance(schema))
    if schema == "json":
        return json.dumps({"answer": "example"})
    if last.get("role") == "tool":
        return TOOL_REPLY_PREFIX + message_text(last.get("content"))
    users = [m for m in messages if m.get("role") == "user"]
    said = " ".join(message_text(users[-1].get("content")).split()) if users else ""
    return reply_prefix + said[:_ECHO_LIMIT]


def _cut(result: Plan, max_tokens: int | None, stops: list[str]) -> None:
    for stop in stops:
        if stop and stop in result.text:
            result.text, result.stop = result.text.split(stop, 1)[0], "stop_sequence"
    words = result.text.split(" ")
    if max_tokens is not None and 0 < max_tokens < len(words):
        result.text, result.stop = " ".join(words[:max_tokens]), "length"

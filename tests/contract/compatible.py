"""Recorded traffic of OpenAI-compatible hosts (fixtures/<host>/), the host rows they go through,
and what the recordings say, read independently of llmport.

Each fixture folder is named after the llmport prefix of its host, so ``<host>/<recorded model>``
routes the replay through that host's row (its default base, its parameter rules) and the
``openai`` codec. The oracle below reads the recorded JSON by hand: it knows the field names the
hosts really use (``reasoning_content``; groq's ``reasoning``; Mistral's content-part lists), so
a value llmport drops or mis-reads shows up as a difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from .fixtures_loader import Exchange, exchange_names, load_exchange
from .replay import raw_payloads

HOSTS = ("dashscope", "deepseek", "groq", "mistral", "moonshot", "perplexity", "together_ai", "xai")
CASES = [(host, name) for host in HOSTS for name in exchange_names(host)]
STREAMS = [case for case in CASES if load_exchange(*case).is_stream]
PLAIN = [case for case in CASES if not load_exchange(*case).is_stream]

# -- where llmport deliberately differs from the recorded bytes ----------------------------------

# Mistral (magistral) answers content as a LIST of parts: thinking parts holding text parts, and
# text parts. llmport gives OpenAI's shape: content the joined text, the thinking as
# reasoning_content, so a field-by-field comparison with the recording does not apply.
CONTENT_PARTS = {
    ("mistral", "nonstream_reasoning_content_parts"),
    ("mistral", "stream_reasoning_content_parts"),
}
# perplexity's last event says "object":"chat.completion.done"; every chunk llmport yields is a
# "chat.completion.chunk", so those events differ from the recording in `object` only.
CHUNK_SHAPE = {("perplexity", "stream_text"), ("perplexity", "stream_citations")}
# groq answers "service_tier":"on_demand", a value the OpenAI SDK's types do not know; llmport
# passes vendor values through (as litellm does), so these do not validate as the SDK's model.
GROQ_PLAIN = {("groq", "nonstream_text"), ("groq", "nonstream_reasoning"), ("groq", "nonstream_tool_call")}
NORMALIZED = CONTENT_PARTS | CHUNK_SHAPE


def ids(case: tuple[str, str]) -> str:
    return f"{case[0]}/{case[1]}"


def params(cases: list[tuple[str, str]], known: dict[tuple[str, str], str] | None = None) -> list[Any]:
    """Cases as pytest params; known findings become strict xfails."""
    reasons = known or {}
    out = []
    for case in cases:
        marks = [pytest.mark.xfail(strict=True, reason=reasons[case])] if case in reasons else []
        out.append(pytest.param(case, id=ids(case), marks=marks))
    return out


def model_of(exchange: Exchange) -> str:
    """``<host>/<model>``: the model the recording names (its request's, else its answer's)."""
    if exchange.request_body is not None:
        model = exchange.request_body["model"]
    elif exchange.is_stream:
        model = raw_payloads(exchange.body)[0]["model"]
    else:
        model = json.loads(exchange.body)["model"]
    return f"{exchange.provider}/{model}"


# -- the oracle ------------------------------------------------------------------------------


@dataclass
class Said:
    """What one recorded choice says: text, thinking, tool calls, finish reason."""

    text: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    calls: dict[int, dict[str, Any]] = field(default_factory=dict)

    def tool_calls(self) -> list[tuple[str | None, str | None, Any]]:
        """``(id, name, parsed arguments)`` in index order."""
        return [
            (call["id"], call["name"], json.loads(call["arguments"]))
            for _, call in sorted(self.calls.items())
        ]


def _add_content(said: Said, content: Any) -> None:
    if isinstance(content, str):
        said.text += content
        return
    for part in content or ():  # Mistral's parts: text, and thinking holding text parts
        if part.get("type") == "text":
            said.text += part["text"]
        elif part.get("type") == "thinking":
            said.reasoning += "".join(inner.get("text", "") for inner in part["thinking"])


def _add_message(said: Said, message: dict[str, Any], calls_seen: dict[str, int]) -> None:
    _add_content(said, message.get("content"))
    said.reasoning += message.get("reasoning_content") or message.get("reasoning") or ""
    for fragment in message.get("tool_calls") or ():
        index = fragment.get("index")
        if index is None:  # Mistral omits it: a fragment with an id is a call of its own
            call_id = fragment.get("id")
            index = (
                calls_seen.setdefault(call_id, len(calls_seen)) if call_id else max(len(calls_seen) - 1, 0)
            )
        call = said.calls.setdefault(index, {"id": None, "name": None, "arguments": ""})
        function = fragment.get("function") or {}
        call["id"] = call["id"] or fragment.get("id") or None
        call["name"] = call["name"] or function.get("name") or None
        call["arguments"] += function.get("arguments") or ""


def recorded_answer(body: bytes) -> tuple[Said, dict[str, Any]]:
    """A non-streamed body's first choice and usage."""
    data = json.loads(body)
    choice = data["choices"][0]
    said = Said(finish_reason=choice.get("finish_reason"))
    _add_message(said, choice["message"], {})
    return said, data["usage"]


def recorded_stream(body: bytes) -> tuple[Said, dict[str, Any]]:
    """A stream's deltas joined by hand (all recordings have one choice), and the last usage."""
    said, usage, calls_seen = Said(), {}, {}
    for payload in raw_payloads(body):
        usage = payload.get("usage") or usage
        for choice in payload.get("choices") or ():
            assert choice["index"] == 0
            _add_message(said, choice.get("delta") or {}, calls_seen)
            said.finish_reason = choice.get("finish_reason") or said.finish_reason
    return said, usage

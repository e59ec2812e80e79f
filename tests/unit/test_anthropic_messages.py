"""Anthropic message translation: hoisting, merging, tool results, images, thinking blocks."""

from __future__ import annotations

from typing import Any

import pytest

import llmport
from llmport.adapters.providers.anthropic.messages import translate_messages


def test_consecutive_tool_results_become_one_user_turn() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "a", "type": "function", "function": {"name": "w", "arguments": '{"c": 1}'}},
                {"id": "b", "type": "function", "function": {"name": "w", "arguments": ""}},
            ],
        },
        {"role": "tool", "tool_call_id": "a", "content": "sunny"},
        {
            "role": "tool",
            "tool_call_id": "b",
            "content": [{"type": "text", "text": "rain"}],
            "is_error": True,
        },
        {"role": "user", "content": "thanks"},
    ]
    system, turns = translate_messages(messages, "m")

    assert system is None
    assert [turn["role"] for turn in turns] == ["user", "assistant", "user"]
    assert turns[1]["content"] == [
        {"type": "tool_use", "id": "a", "name": "w", "input": {"c": 1}},
        {"type": "tool_use", "id": "b", "name": "w", "input": {}},
    ]
    assert turns[2]["content"] == [
        {"type": "tool_result", "tool_use_id": "a", "content": "sunny"},
        {
            "type": "tool_result",
            "tool_use_id": "b",
            "content": [{"type": "text", "text": "rain"}],
            "is_error": True,
        },
        {"type": "text", "text": "thanks"},
    ]


def test_thinking_blocks_go_back_first_with_their_signature() -> None:
    thinking = {"type": "thinking", "thinking": "hmm", "signature": "sig"}
    assistant = {"role": "assistant", "content": "42", "thinking_blocks": [thinking, {"type": "other"}]}
    _, turns = translate_messages([{"role": "user", "content": "q"}, assistant], "m")
    assert turns[1]["content"] == [thinking, {"type": "text", "text": "42"}]


def test_message_level_cache_control_lands_on_the_last_block() -> None:
    system_message = {"role": "system", "content": "long context", "cache_control": {"type": "ephemeral"}}
    system, _ = translate_messages([system_message, {"role": "user", "content": "q"}], "m")
    assert system == [{"type": "text", "text": "long context", "cache_control": {"type": "ephemeral"}}]


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png,abc"}}]},
            "image_url",
        ),
        ({"role": "function", "name": "f", "content": "x"}, "role"),
        ({"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}, "content[0]"),
        (
            {"role": "assistant", "tool_calls": [{"id": "a", "function": {"name": "w", "arguments": "{"}}]},
            "arguments",
        ),
    ],
)
def test_what_anthropic_cannot_take_is_refused_naming_the_field(message: dict[str, Any], field: str) -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        translate_messages([message], "m")
    assert field in str(caught.value.param)

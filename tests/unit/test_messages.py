from typing import Any

import pytest

import llmport
from llmport.domain.models.messages import normalize_messages, text_of


def test_dicts_are_copied_and_unknown_fields_kept() -> None:
    original = [
        {"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}}]}
    ]
    normalized = normalize_messages(original)
    assert normalized == original
    assert normalized[0] is not original[0]


def test_response_message_can_be_appended_and_sent_back() -> None:
    message = llmport.Message(
        content=None,
        tool_calls=[{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    )
    [normalized] = normalize_messages([message])
    assert normalized["role"] == "assistant"
    assert normalized["content"] is None
    assert normalized["tool_calls"] == [
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    ]


def test_objects_with_model_dump_are_accepted() -> None:
    class Sdk:
        def model_dump(self, **_: Any) -> dict[str, Any]:
            return {"role": "user", "content": "from an SDK object"}

    assert normalize_messages([Sdk()]) == [{"role": "user", "content": "from an SDK object"}]


@pytest.mark.parametrize(
    ("messages", "field"),
    [
        ("hello", "messages"),
        ({"role": "user"}, "messages"),
        ([{"content": "x"}], "messages[0].role"),
        ([{"role": "user", "content": "ok"}, {"role": "robot", "content": "x"}], "messages[1].role"),
        ([{"role": "user", "content": 5}], "messages[0].content"),
        ([{"role": "user", "content": [{"text": "no type"}]}], "messages[0].content[0].type"),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}],
            "messages[0].content[0].image_url",
        ),
        ([{"role": "tool", "content": "x"}], "messages[0].tool_call_id"),
        (["just a string"], "messages[0]"),
    ],
)
def test_bad_messages_name_the_field(messages: object, field: str) -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        normalize_messages(messages)
    assert caught.value.param == field
    assert isinstance(caught.value, ValueError)
    assert field.split(".", maxsplit=1)[0] in str(caught.value)


def test_text_of_joins_text_parts_only() -> None:
    parts = [
        {"type": "text", "text": "a"},
        {"type": "image_url", "image_url": {"url": "u"}},
        {"type": "text", "text": "b"},
    ]
    assert text_of(parts) == "ab"
    assert text_of("plain") == "plain"
    assert text_of(None) == ""

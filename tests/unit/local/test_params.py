"""The OpenAI body → llama.cpp arguments translation, field by field."""

from __future__ import annotations

from typing import Any

import pytest

from llmport.adapters.local.models import LocalError
from llmport.adapters.local.params import decode

USER = [{"role": "user", "content": "hi"}]


def body(**fields: Any) -> dict[str, Any]:
    return {"model": "smollm2", "messages": USER, **fields}


def test_defaults_are_openai_s_and_nothing_else_is_sent() -> None:
    generation = decode(body())
    assert generation.kwargs == {"temperature": 1.0, "top_p": 1.0, "repeat_penalty": 1.0}
    assert (generation.n, generation.stream, generation.include_usage) == (1, False, False)


def test_llama_cpp_own_sampling_knobs_pass_through() -> None:
    kwargs = decode(body(top_k=20, min_p=0.1, repeat_penalty=1.2, frequency_penalty=0.3)).kwargs
    assert (kwargs["top_k"], kwargs["min_p"], kwargs["repeat_penalty"], kwargs["frequency_penalty"]) == (
        20,
        0.1,
        1.2,
        0.3,
    )


def test_max_completion_tokens_wins_over_max_tokens() -> None:
    assert decode(body(max_tokens=5, max_completion_tokens=9)).kwargs["max_tokens"] == 9


def test_logit_bias_keys_become_token_ids() -> None:
    assert decode(body(logit_bias={"42": -100})).kwargs["logit_bias"] == {42: -100.0}


def test_text_parts_are_joined_for_the_chat_template() -> None:
    parts = [{"type": "text", "text": "Hello "}, {"type": "text", "text": "there"}]
    generation = decode({"model": "m", "messages": [{"role": "user", "content": parts}]})
    assert generation.messages == [{"role": "user", "content": "Hello there"}]


def test_stream_usage_is_asked_with_stream_options() -> None:
    generation = decode(body(stream=True, stream_options={"include_usage": True}))
    assert (generation.stream, generation.include_usage) == (True, True)


def test_a_text_response_format_needs_no_grammar() -> None:
    assert "response_format" not in decode(body(response_format={"type": "text"})).kwargs


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"messages": []}, "messages"),
        ({"model": ""}, "model"),
        ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]}, "messages"),
        ({"temperature": "hot"}, "temperature"),
        ({"temperature": True}, "temperature"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"stop": [1, 2]}, "stop"),
        ({"logit_bias": {"x": 1}}, "logit_bias"),
        ({"tool_choice": "auto"}, "tool_choice"),
        ({"logprobs": True}, "logprobs"),
    ],
)
def test_bad_fields_are_400_naming_the_field(fields: dict[str, Any], param: str) -> None:
    with pytest.raises(LocalError) as caught:
        decode(body(**fields))
    assert caught.value.status == 400
    assert caught.value.param == param


def test_a_body_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(LocalError):
        decode(["not", "an", "object"])

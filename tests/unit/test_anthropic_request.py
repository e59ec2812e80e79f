"""The Anthropic request: URL from the base, headers, max_tokens defaults, reasoning and tool choice."""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.testing import FakeClock, FakeTransport, HttpRequest, HttpResponse

USER = [{"role": "user", "content": "hi"}]
MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "m",
    "content": [{"type": "text", "text": "ok"}],
    "stop_reason": "end_turn",
    "usage": {"input_tokens": 1, "output_tokens": 1},
}


def sent(model: str = "anthropic/claude-3-haiku-20240307", **kwargs: Any) -> HttpRequest:
    fake = FakeTransport(lambda request: HttpResponse.from_json(MESSAGE))
    with llmport.Client(transport=fake, clock=FakeClock(), api_key="sk-ant-test") as client:
        client.completion(model, USER, **kwargs)
    return fake.requests[0]


def body(**kwargs: Any) -> dict[str, Any]:
    result = json.loads(sent(**kwargs).body or b"{}")
    assert isinstance(result, dict)
    return result


@pytest.mark.parametrize(
    ("base", "url"),
    [
        (None, "https://api.anthropic.com/v1/messages"),
        ("http://127.0.0.1:8/", "http://127.0.0.1:8/v1/messages"),
        ("http://127.0.0.1:8/v1", "http://127.0.0.1:8/v1/messages"),
        ("http://127.0.0.1:8/proxy/v1/messages", "http://127.0.0.1:8/proxy/v1/messages"),
    ],
)
def test_url_from_the_base(base: str | None, url: str) -> None:
    assert sent(api_base=base).url == url


def test_headers() -> None:
    request = sent(extra_headers={"anthropic-beta": "x"}, api_version="2024-01-01")
    assert request.headers["x-api-key"] == "sk-ant-test"
    assert request.headers["anthropic-version"] == "2024-01-01"
    assert request.headers["anthropic-beta"] == "x"
    assert "authorization" not in request.headers
    assert "sk-ant-test" not in repr(request)


@pytest.mark.parametrize(
    ("model", "max_tokens"),
    [
        ("anthropic/claude-3-haiku-20240307", 4096),
        ("anthropic/claude-3-5-sonnet-latest", 8192),
        ("anthropic/claude-opus-4-1-20250805", 32000),
        ("anthropic/some-future-model", 4096),
    ],
)
def test_max_tokens_defaults_from_the_model_table(model: str, max_tokens: int) -> None:
    assert body(model=model)["max_tokens"] == max_tokens


def test_max_completion_tokens_is_max_tokens() -> None:
    assert body(max_completion_tokens=77)["max_tokens"] == 77


@pytest.mark.parametrize(("effort", "budget"), [("low", 1024), ("medium", 2048), ("high", 4096)])
def test_reasoning_effort_budgets(effort: str, budget: int) -> None:
    sent_body = body(reasoning_effort=effort, max_tokens=100)
    assert sent_body["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert sent_body["max_tokens"] > budget


def test_an_effort_without_a_budget_is_unsupported_unless_dropped() -> None:
    with pytest.raises(llmport.UnsupportedParamsError, match="xhigh"):
        body(reasoning_effort="xhigh")
    assert "thinking" not in body(reasoning_effort="xhigh", drop_params=True)


def test_thinking_budget_must_be_a_positive_integer() -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        body(thinking_budget="lots")
    assert caught.value.param == "thinking_budget"


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        ("auto", {"type": "auto"}),
        ("none", {"type": "none"}),
        ("required", {"type": "any"}),
        ({"type": "function", "function": {"name": "f"}}, {"type": "tool", "name": "f"}),
    ],
)
def test_tool_choice(choice: Any, wire: dict[str, Any]) -> None:
    tools = [{"type": "function", "function": {"name": "f"}, "cache_control": {"type": "ephemeral"}}]
    sent_body = body(tools=tools, tool_choice=choice)
    assert sent_body["tool_choice"] == wire
    assert sent_body["tools"] == [
        {
            "name": "f",
            "input_schema": {"type": "object", "properties": {}},
            "cache_control": {"type": "ephemeral"},
        }
    ]


def test_response_format_with_tools_needs_native_support() -> None:
    tools = [{"type": "function", "function": {"name": "f"}}]
    response_format = {"type": "json_object"}
    with pytest.raises(llmport.UnsupportedParamsError):
        body(tools=tools, response_format=response_format)
    native = body(model="anthropic/claude-sonnet-4-5", tools=tools, response_format=response_format)
    assert native["output_config"]["format"]["type"] == "json_schema"


def test_stream_options_are_not_sent_and_user_becomes_metadata() -> None:
    sent_body = body(stream_options={"include_usage": True}, user="u-1")
    assert "stream_options" not in sent_body
    assert sent_body["metadata"] == {"user_id": "u-1"}


def test_response_format_with_thinking_needs_native_support_or_drop_params() -> None:
    response_format = {"type": "json_object"}
    with pytest.raises(llmport.UnsupportedParamsError) as caught:
        body(thinking_budget=2000, response_format=response_format)
    assert caught.value.param == "thinking"
    dropped = body(thinking_budget=2000, response_format=response_format, drop_params=True)
    assert "thinking" not in dropped
    assert dropped["tool_choice"] == {"type": "tool", "name": "json_tool_call"}
    native = body(model="anthropic/claude-sonnet-4-5", thinking_budget=2000, response_format=response_format)
    assert native["thinking"]["budget_tokens"] == 2000

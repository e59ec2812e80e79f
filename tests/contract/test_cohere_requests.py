"""Requests the Cohere codec sends: only fields v2 chat accepts, in the shapes of its reference.

No recording holds a Cohere request (vercel-ai stores answers only), so these pin the body to the
v2 reference (``../shared/wire/cohere-v2.md``): Cohere answers 422 to any unknown field, so the
OpenAI-only ones (``index`` on tool calls, ``name`` on tool messages, ``strict`` in a function)
must never be sent, and a keyword Cohere does not take is refused before sending.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.testing import HttpRequest, HttpResponse

from .fixtures_loader import load_exchange
from .replay import make_client

BASE = "http://127.0.0.1:9"
MODEL = "cohere/command-a-03-2025"
USER = [{"role": "user", "content": "hi"}]
TEXT = load_exchange("cohere", "vercel_cohere_text")
TOOL_CALL = load_exchange("cohere", "vercel_cohere_tool_call")
WEATHER = {
    "type": "function",
    "function": {
        "name": "weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
        "strict": True,
    },
}
# Every top-level field of the v2 chat request (SDK v2/raw_client.py chat_stream).
ACCEPTED = {
    "model", "messages", "stream", "tools", "strict_tools", "documents", "citation_options",
    "response_format", "safety_mode", "max_tokens", "stop_sequences", "temperature", "seed",
    "frequency_penalty", "presence_penalty", "k", "p", "logprobs", "tool_choice", "thinking", "priority",
}  # fmt: skip


def _sent(
    messages: list[Any], answer: HttpResponse | None = None, model: str = MODEL, **params: Any
) -> HttpRequest:
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return answer or HttpResponse(200, {}, TEXT.body)

    client, _ = make_client(handler, api_base=BASE)
    with client:
        client.completion(model, messages, **params)
    return seen[0]


def _body(messages: list[Any], **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(_sent(messages, **params).body)
    assert set(body) <= ACCEPTED
    return body


def test_a_plain_call() -> None:
    request = _sent(USER)
    assert request.url == BASE + "/v2/chat"
    assert request.headers["authorization"] == "Bearer sk-test-key"
    assert json.loads(request.body) == {"model": "command-a-03-2025", "messages": USER}


def test_parameters_are_renamed_to_coheres() -> None:
    body = _body(
        USER, max_tokens=100, temperature=0.3, top_p=0.75, top_k=40, seed=1, stop=["\n\n"],
        frequency_penalty=0.1, presence_penalty=0.2, documents=[{"id": "d1", "data": {"text": "x"}}],
    )  # fmt: skip
    assert body == {
        "model": "command-a-03-2025", "messages": USER, "max_tokens": 100, "temperature": 0.3, "p": 0.75,
        "k": 40, "seed": 1, "stop_sequences": ["\n\n"], "frequency_penalty": 0.1, "presence_penalty": 0.2,
        "documents": [{"id": "d1", "data": {"text": "x"}}],
    }  # fmt: skip


def test_a_keyword_cohere_does_not_take_is_refused_before_sending() -> None:
    client, fake = make_client(lambda request: HttpResponse(200, {}, TEXT.body), api_base=BASE)
    with client, pytest.raises(llmport.UnsupportedParamsError, match="num_generations"):
        client.completion(MODEL, USER, num_generations=2)
    with client, pytest.raises(llmport.UnsupportedParamsError, match="logit_bias"):
        client.completion(MODEL, USER, logit_bias={"1": 2})
    assert fake.requests == []
    assert "num_generations" not in _body(USER, num_generations=2, drop_params=True)


def test_tools_without_strict_and_strict_tools_instead() -> None:
    body = _body(USER, tools=[WEATHER])
    assert body["tools"] == [
        {"type": "function", "function": {k: v for k, v in WEATHER["function"].items() if k != "strict"}}
    ]
    assert body["strict_tools"] is True


@pytest.mark.parametrize(("choice", "wire"), [("required", "REQUIRED"), ("none", "NONE"), ("auto", None)])
def test_tool_choice_is_upper_case_or_left_out(choice: str, wire: str | None) -> None:
    assert _body(USER, tools=[WEATHER], tool_choice=choice).get("tool_choice") == wire


def test_a_named_tool_choice_offers_only_that_tool_as_required() -> None:
    other = {"type": "function", "function": {"name": "time", "parameters": {"type": "object"}}}
    body = _body(
        USER, tools=[other, WEATHER], tool_choice={"type": "function", "function": {"name": "weather"}}
    )
    assert [tool["function"]["name"] for tool in body["tools"]] == ["weather"]
    assert body["tool_choice"] == "REQUIRED"


def test_a_tool_conversation_sends_back_the_plan_without_index_or_name() -> None:
    client, _ = make_client(lambda request: HttpResponse(200, {}, TOOL_CALL.body), api_base=BASE)
    with client:
        first = client.completion(MODEL, USER, tools=[WEATHER])
    message = first.choices[0].message
    history: list[Any] = [{"role": "system", "content": "Be brief."}, *USER, message]
    for call in message.tool_calls or ():
        history.append(
            {"role": "tool", "tool_call_id": call.id, "name": call.function.name, "content": "sunny"}
        )
    body = _body(history, tools=[WEATHER])
    recorded = json.loads(TOOL_CALL.body)["message"]
    system, user, assistant, *results = body["messages"]
    assert system == {"role": "system", "content": "Be brief."}
    assert user == USER[0]
    assert assistant == {
        "role": "assistant",
        "tool_calls": recorded["tool_calls"],
        "tool_plan": recorded["tool_plan"],
    }
    assert results == [
        {"role": "tool", "tool_call_id": call["id"], "content": "sunny"} for call in recorded["tool_calls"]
    ]


def test_a_streamed_tool_plan_is_sent_back_from_provider_specific_fields() -> None:
    calls = [
        {
            "id": "weather_1",
            "type": "function",
            "index": 0,
            "function": {"name": "weather", "arguments": "{}"},
        }
    ]
    assistant = {
        "role": "assistant",
        "tool_calls": calls,
        "provider_specific_fields": {"tool_plan": "I will look."},
    }
    body = _body([*USER, assistant, {"role": "tool", "tool_call_id": "weather_1", "content": "sunny"}])
    assert body["messages"][1] == {
        "role": "assistant", "tool_plan": "I will look.",
        "tool_calls": [{k: v for k, v in calls[0].items() if k != "index"}],
    }  # fmt: skip


def test_system_messages_go_first() -> None:
    body = _body([*USER, {"role": "developer", "content": "Answer in French."}])
    assert body["messages"][0] == {"role": "system", "content": "Answer in French."}


def test_images_keep_the_image_url_part() -> None:
    parts = [
        {"type": "text", "text": "What?"},
        {"type": "image_url", "image_url": {"url": "https://x/c.png", "detail": "low"}},
    ]
    assert _body([{"role": "user", "content": parts}])["messages"][0]["content"] == parts


@pytest.mark.parametrize(
    ("response_format", "wire"),
    [
        ({"type": "json_object"}, {"type": "json_object"}),
        (
            {"type": "json_schema", "json_schema": {"name": "city", "schema": {"type": "object"}}},
            {"type": "json_object", "json_schema": {"type": "object"}},
        ),
        ({"type": "text"}, {"type": "text"}),
    ],
)
def test_response_format_takes_the_bare_schema(response_format: dict[str, Any], wire: dict[str, Any]) -> None:
    assert _body(USER, response_format=response_format)["response_format"] == wire


def test_reasoning_effort_becomes_thinking_on_reasoning_models_only() -> None:
    model = "cohere/command-a-reasoning-08-2025"
    sent = json.loads(_sent(USER, model=model, reasoning_effort="high").body)
    assert sent["thinking"] == {"type": "enabled"}
    assert json.loads(_sent(USER, model=model, reasoning_effort="none").body)["thinking"] == {
        "type": "disabled"
    }
    assert "thinking" not in _body(USER, reasoning_effort="none")
    client, fake = make_client(lambda request: HttpResponse(200, {}, TEXT.body), api_base=BASE)
    with client, pytest.raises(llmport.UnsupportedParamsError, match="reasoning"):
        client.completion(MODEL, USER, reasoning_effort="high")
    assert fake.requests == []


@pytest.mark.parametrize("api_base", [BASE, BASE + "/", BASE + "/v2", BASE + "/v2/chat"])
def test_api_base_may_be_the_root_or_the_full_url(api_base: str) -> None:
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse(200, {}, TEXT.body)

    client, _ = make_client(handler, api_base=api_base)
    with client:
        client.completion("cohere_chat/command-r-plus", USER)
    assert seen[0].url == BASE + "/v2/chat"


def test_the_key_comes_from_cohere_api_key_then_co_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse(200, {}, TEXT.body)

    monkeypatch.delenv("COHERE_API_KEY", raising=False)
    monkeypatch.delenv("COHERE_API_BASE", raising=False)
    monkeypatch.delenv("CO_API_URL", raising=False)
    monkeypatch.setenv("CO_API_KEY", "co-key-alias-0123456789")
    client = llmport.Client(transport=llmport.testing.FakeTransport(handler), num_retries=0)
    with client:
        client.completion(MODEL, USER)
        monkeypatch.setenv("COHERE_API_KEY", "cohere-key-0123456789")
        client.completion(MODEL, USER)
        monkeypatch.delenv("COHERE_API_KEY")
        monkeypatch.delenv("CO_API_KEY")
        with pytest.raises(llmport.AuthenticationError, match="COHERE_API_KEY"):
            client.completion(MODEL, USER)
    assert seen[0].url == "https://api.cohere.com/v2/chat"
    assert [r.headers["authorization"] for r in seen] == [
        "Bearer co-key-alias-0123456789",
        "Bearer cohere-key-0123456789",
    ]


def test_the_tool_plan_is_not_sent_to_other_providers() -> None:
    client, _ = make_client(lambda request: HttpResponse(200, {}, TOOL_CALL.body), api_base=BASE)
    with client:
        message = client.completion(MODEL, USER, tools=[WEATHER]).choices[0].message
    assert message.get("tool_plan")
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse(500, {}, b'{"error": {"message": "stop here"}}')

    client, _ = make_client(handler, api_base=BASE)
    with client, pytest.raises(llmport.InternalServerError):
        client.completion("openai/gpt-4o", [*USER, message])
    assert "tool_plan" not in json.loads(seen[0].body)["messages"][1]
    assert json.loads(seen[0].body)["messages"][1]["tool_calls"]

"""Contract tests: how the OpenAI codec builds ``POST /chat/completions`` requests.

Where a fixture recorded its request body, the same call is replayed through llmport and the body
it sends is compared with the recorded one (same JSON, not the same bytes).
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

import llmport
from llmport.testing import FakeTransport, HttpRequest, HttpResponse, StaticCredentials

from .fixtures_loader import exchange_names, load_exchange
from .replay import API_KEY, MESSAGES, make_client, replay

MODEL = "openai/gpt-4o"
OK = load_exchange("openai", "text_nonstream_gpt4o")
STREAM = load_exchange("openai", "stream_text_usage_gpt4o")
WITH_REQUEST = [
    name for name in exchange_names("openai") if load_exchange("openai", name).request_body is not None
]


def _sent(**params: Any) -> HttpRequest:
    """The request llmport sends for a non-streamed call with ``params``."""
    client, fake = make_client(replay(OK))
    client.completion(MODEL, MESSAGES, **params)
    return fake.requests[-1]


def _sent_streaming(**params: Any) -> HttpRequest:
    client, fake = make_client(replay(STREAM))
    list(client.completion(MODEL, MESSAGES, stream=True, **params))
    return fake.requests[-1]


class Location(BaseModel):
    city: str
    temperature: float
    units: str | None = None


# -- recorded requests ----------------------------------------------------------------------


@pytest.mark.parametrize("name", WITH_REQUEST)
def test_recorded_request_is_rebuilt(name: str) -> None:
    exchange = load_exchange("openai", name)
    recorded = exchange.request_body
    assert recorded is not None
    params = {k: v for k, v in recorded.items() if k not in ("model", "messages", "stream")}
    streaming = recorded.get("stream") is True
    client, fake = make_client(replay(exchange))

    def call() -> None:
        result = client.completion(
            f"openai/{recorded['model']}", recorded["messages"], stream=streaming, **params
        )
        if isinstance(result, llmport.CompletionStream):
            list(result)

    if exchange.status >= 400:
        with pytest.raises(llmport.APIStatusError):
            call()
    else:
        call()
    sent = fake.requests[-1]
    if exchange.request_url is not None:
        assert sent.url == exchange.request_url
    body = sent.json()
    expected_keys = set(recorded) - ({"stream"} if not streaming else set())
    assert set(body) == expected_keys
    assert body == {k: v for k, v in recorded.items() if k in expected_keys}
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"


def test_tool_call_answer_sent_back_has_the_recorded_history_shape() -> None:
    exchange = load_exchange("openai", "nonstream_parallel_tool_calls")
    client, fake = make_client(replay(exchange))
    first = client.completion(
        MODEL, MESSAGES, tools=[{"type": "function", "function": {"name": "get_weather"}}]
    )
    history: list[Any] = [*MESSAGES, first.choices[0].message]
    history += [
        {"role": "tool", "tool_call_id": c.id, "content": "42"}
        for c in first.choices[0].message.tool_calls or ()
    ]
    client.completion(MODEL, history)
    sent = fake.requests[-1].json()["messages"]
    assert exchange.request_body is not None
    recorded_assistant = next(m for m in exchange.request_body["messages"] if m.get("tool_calls"))
    assistant = sent[1]
    assert assistant["role"] == "assistant"
    assert set(assistant) - {"content"} == set(recorded_assistant) - {"content"}
    assert assistant.get("content") is None
    for call, recorded_call in zip(assistant["tool_calls"], recorded_assistant["tool_calls"], strict=True):
        assert set(call) == set(recorded_call)
        assert set(call["function"]) == set(recorded_call["function"])
    assert [m["role"] for m in sent[2:]] == ["tool", "tool"]


# -- URL, headers, body ---------------------------------------------------------------------


def test_default_request_shape() -> None:
    sent = _sent(temperature=0.2)
    assert sent.method == "POST"
    assert sent.url == "https://api.openai.com/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["content-type"] == "application/json"
    assert all(name == name.lower() for name in sent.headers)
    assert sent.json() == {"model": "gpt-4o", "messages": MESSAGES, "temperature": 0.2}


@pytest.mark.parametrize(
    ("api_base", "url"),
    [
        ("http://localhost:8000/v1", "http://localhost:8000/v1/chat/completions"),
        ("http://localhost:8000/v1/", "http://localhost:8000/v1/chat/completions"),
        (
            "https://proxy.example/openai/v1/chat/completions",
            "https://proxy.example/openai/v1/chat/completions",
        ),
    ],
)
def test_api_base(api_base: str, url: str) -> None:
    assert _sent(api_base=api_base).url == url
    client, fake = make_client(replay(OK), api_base=api_base)
    client.completion(MODEL, MESSAGES)
    assert fake.requests[-1].url == url


def test_stream_flag_and_stream_options_only_when_streaming() -> None:
    plain = _sent(stream_options={"include_usage": True}).json()
    assert "stream" not in plain
    assert "stream_options" not in plain
    assert "stream" not in _sent(stream=False).json()
    streamed = _sent_streaming(stream_options={"include_usage": True}).json()
    assert streamed["stream"] is True
    assert streamed["stream_options"] == {"include_usage": True}


def test_extra_headers_and_extra_body() -> None:
    sent = _sent(extra_headers={"X-Trace-Id": "abc"}, extra_body={"custom_flag": True, "seed": 7}, seed=1)
    assert sent.headers["x-trace-id"] == "abc"
    body = sent.json()
    assert body["custom_flag"] is True
    assert body["seed"] == 7  # extra_body is merged last


def test_client_side_keywords_never_reach_the_body() -> None:
    sent = _sent(
        temperature=0.5,
        timeout=30,
        request_timeout=31,
        num_retries=0,
        max_retries=0,
        api_key="sk-per-call-key",
        api_base="https://api.openai.com/v1",
        base_url="https://ignored.example/v1",
        metadata={"trace": "t-1"},
        drop_params=True,
        extra_headers={"x-a": "1"},
        headers={"x-b": "2"},
        extra_body={},
        organization="org-123",
    )
    assert set(sent.json()) == {"model", "messages", "temperature"}
    assert sent.headers["authorization"] == "Bearer sk-per-call-key"
    assert sent.headers["openai-organization"] == "org-123"
    assert (sent.headers["x-a"], sent.headers["x-b"]) == ("1", "2")


def test_none_valued_parameters_are_not_sent() -> None:
    assert set(_sent(temperature=None, max_tokens=None, tools=None).json()) == {"model", "messages"}


def test_unknown_keywords_are_forwarded_into_the_body() -> None:
    body = _sent(safe_prompt=True, top_k=3, max_tokens=5).json()
    assert (body["safe_prompt"], body["top_k"], body["max_tokens"]) == (True, 3, 5)


def test_mock_response_sends_nothing() -> None:
    client, fake = make_client(replay(OK))
    response = client.completion(MODEL, MESSAGES, mock_response="canned")
    assert response.choices[0].message.content == "canned"
    assert fake.requests == []


def test_pydantic_response_format_becomes_a_strict_json_schema() -> None:
    response_format = _sent(response_format=Location).json()["response_format"]
    assert response_format["type"] == "json_schema"
    schema = response_format["json_schema"]
    assert schema["name"] == "Location"
    assert schema["strict"] is True
    assert schema["schema"]["type"] == "object"
    assert schema["schema"]["additionalProperties"] is False
    assert set(schema["schema"]["required"]) == {"city", "temperature", "units"}
    assert "default" not in str(schema["schema"]["properties"]["units"])


def test_dict_response_format_and_tools_pass_through() -> None:
    tools = [
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}, "strict": True}}
    ]
    body = _sent(response_format={"type": "json_object"}, tools=tools, tool_choice="auto").json()
    assert body["response_format"] == {"type": "json_object"}
    assert (body["tools"], body["tool_choice"]) == (tools, "auto")


def test_bare_model_name_routes_to_openai() -> None:
    client, fake = make_client(replay(OK))
    client.completion("gpt-4o-mini", MESSAGES)
    assert fake.requests[-1].json()["model"] == "gpt-4o-mini"
    assert fake.requests[-1].url.startswith("https://api.openai.com/v1/")


async def test_async_request_is_the_same_as_sync() -> None:
    client, fake = make_client(replay(OK))
    client.completion(MODEL, MESSAGES, temperature=0.1, safe_prompt=True)
    await client.acompletion(MODEL, MESSAGES, temperature=0.1, safe_prompt=True)
    sync, async_ = fake.requests
    assert (sync.url, dict(sync.headers), sync.json()) == (async_.url, dict(async_.headers), async_.json())


def test_no_key_fails_before_sending() -> None:
    def handler(request: HttpRequest) -> HttpResponse:
        raise AssertionError("nothing may be sent without a key")

    client = llmport.Client(transport=FakeTransport(handler), credentials=StaticCredentials({}))
    with pytest.raises(llmport.AuthenticationError):
        client.completion(MODEL, MESSAGES)

"""Requests the Ollama codec sends: checked against the recorded requests, then field by field.

The recorded requests (openinference's cassettes, sent by the ollama-python SDK) are rebuilt from
the same inputs through ``completion()`` and must be the same JSON (the SDK's empty ``tools: []``
aside). The rest pins the OpenAI → Ollama mapping: ``options``, ``format``, images, tool-call
round trips, the ``/api/generate`` route, and refusals before any network call.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.testing import HttpRequest, HttpResponse

from .fixtures_loader import Exchange, exchange_names, load_exchange
from .replay import make_client

BASE = "http://127.0.0.1:9"
RECORDED = [load_exchange("ollama", n) for n in exchange_names("ollama")]
DONE = {"model": "m", "created_at": "2026-08-07T06:08:14.73237Z", "done": True, "done_reason": "stop"}


def _sent(
    model: str, messages: list[dict[str, Any]], answer: HttpResponse | None = None, **params: Any
) -> HttpRequest:
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        if answer is not None:
            return answer
        body = json.loads(request.body)
        reply = {**DONE, "message": {"role": "assistant", "content": "ok"}}
        if body.get("prompt") is not None:
            reply = {**DONE, "response": "ok"}
        return HttpResponse.from_json(reply)

    client, _ = make_client(handler, api_base=BASE, api_key=None)
    with client:
        client.completion(model, messages, **params)
    return seen[0]


def _body(model: str, messages: list[dict[str, Any]], **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(_sent(model, messages, **params).body)
    return body


@pytest.mark.parametrize("exchange", RECORDED, ids=[e.name for e in RECORDED])
def test_the_recorded_request_is_rebuilt(exchange: Exchange) -> None:
    recorded = exchange.request_body
    assert recorded is not None
    params = dict(recorded.get("options") or {})
    if recorded["tools"]:
        params["tools"] = recorded["tools"]
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        pieces = None if not exchange.is_stream else (exchange.body,)
        return HttpResponse(exchange.status, {}, exchange.body if pieces is None else None, chunks=pieces)

    client, _ = make_client(handler, api_base="http://127.0.0.1:11434", api_key=None)
    with client:
        try:
            result = client.completion(
                f"ollama_chat/{recorded['model']}", recorded["messages"], stream=recorded["stream"], **params
            )
            if recorded["stream"]:
                list(result)  # type: ignore[arg-type]
        except llmport.NotFoundError:
            assert exchange.status == 404
    want = {k: v for k, v in recorded.items() if v != []}  # the SDK sends "tools": [] when there are none
    assert json.loads(seen[0].body) == want
    assert seen[0].url == exchange.request_url


def test_options_are_mapped_and_only_given_ones_sent() -> None:
    body = _body(
        "ollama_chat/llama3.2", [{"role": "user", "content": "hi"}],
        max_tokens=50, temperature=0.2, top_p=0.9, top_k=40, seed=7, stop="END", num_ctx=8192,
    )  # fmt: skip
    assert body["options"] == {
        "num_predict": 50, "temperature": 0.2, "top_p": 0.9, "top_k": 40, "seed": 7, "stop": ["END"],
        "num_ctx": 8192,
    }  # fmt: skip
    assert "repeat_penalty" not in body["options"]
    assert _body("ollama_chat/llama3.2", [{"role": "user", "content": "hi"}]).get("options") is None


def test_penalties_are_sent_only_when_asked_for() -> None:
    body = _body(
        "ollama_chat/m", [{"role": "user", "content": "hi"}], frequency_penalty=0.5, repeat_penalty=1.1
    )
    assert body["options"] == {"frequency_penalty": 0.5, "repeat_penalty": 1.1}


def test_top_level_fields_and_raw_options_pass_through() -> None:
    body = _body(
        "ollama_chat/m", [{"role": "user", "content": "hi"}], keep_alive="5m", options={"mirostat": 2}
    )
    assert body["keep_alive"] == "5m"
    assert body["options"] == {"mirostat": 2}


@pytest.mark.parametrize(
    ("response_format", "wire"),
    [
        ({"type": "json_object"}, "json"),
        (
            {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": {"type": "object", "properties": {}}},
            },
            {"type": "object", "properties": {}},
        ),
    ],
)
def test_response_format_becomes_format(response_format: dict[str, Any], wire: Any) -> None:
    body = _body("ollama_chat/m", [{"role": "user", "content": "hi"}], response_format=response_format)
    assert body["format"] == wire


def test_a_pydantic_response_format_gives_its_schema_and_a_parsed_answer() -> None:
    from pydantic import BaseModel

    class City(BaseModel):
        name: str

    answer = HttpResponse.from_json(
        {**DONE, "message": {"role": "assistant", "content": '{"name": "Paris"}'}}
    )
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return answer

    client, _ = make_client(handler, api_base=BASE, api_key=None)
    with client:
        response = client.completion(
            "ollama_chat/m", [{"role": "user", "content": "hi"}], response_format=City
        )
    assert json.loads(seen[0].body)["format"]["properties"]["name"]["type"] == "string"
    assert response.choices[0].message.parsed == City(name="Paris")


def test_images_are_sent_as_bare_base64_and_parts_as_text() -> None:
    content = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
    ]
    body = _body("ollama_chat/llava", [{"role": "user", "content": content}])
    assert body["messages"] == [{"role": "user", "content": "What is this?", "images": ["iVBORw0KGgo="]}]


def test_an_image_url_that_is_not_inline_is_refused_before_sending() -> None:
    content = [{"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]
    client, fake = make_client(lambda request: HttpResponse.from_json({}), api_base=BASE)
    with client, pytest.raises(llmport.BadRequestError, match=r"messages\[0\]\.content\[0\]"):
        client.completion("ollama_chat/llava", [{"role": "user", "content": content}])
    assert fake.requests == []


def test_a_tool_conversation_round_trips_with_object_arguments_ids_and_tool_names() -> None:
    recorded = json.loads(load_exchange("ollama", "oi_chat_with_tool_call").body)
    answer = HttpResponse.from_json(recorded)
    sent = _sent("ollama_chat/qwen3.6:latest", [{"role": "user", "content": "weather?"}], answer=answer)
    assert json.loads(sent.body)["messages"] == [{"role": "user", "content": "weather?"}]
    client, _ = make_client(lambda request: answer, api_base=BASE, api_key=None)
    with client:
        first = client.completion("ollama_chat/qwen3.6:latest", [{"role": "user", "content": "weather?"}])
    message = first.choices[0].message
    history = [{"role": "user", "content": "weather?"}, message]
    history.append({"role": "tool", "tool_call_id": message.tool_calls[0].id, "content": "18C"})
    body = _body("ollama_chat/qwen3.6:latest", history)
    assistant, tool = body["messages"][1:]
    assert assistant["tool_calls"] == [
        {"id": "call_gsiiy8py", "function": {"name": "get_current_weather", "arguments": {"city": "Paris"}}}
    ]
    assert assistant["thinking"] == recorded["message"]["thinking"]
    assert tool == {
        "role": "tool",
        "content": "18C",
        "tool_call_id": "call_gsiiy8py",
        "tool_name": "get_current_weather",
    }


def test_tool_arguments_that_are_not_a_json_object_are_refused() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "[1"}}
    client, fake = make_client(lambda request: HttpResponse.from_json({}), api_base=BASE)
    with client, pytest.raises(llmport.BadRequestError, match="arguments"):
        client.completion("ollama_chat/m", [{"role": "assistant", "content": None, "tool_calls": [call]}])
    assert fake.requests == []


@pytest.mark.parametrize(("effort", "think"), [("low", "low"), ("high", "high"), ("none", False)])
def test_reasoning_effort_becomes_think(effort: str, think: Any) -> None:
    assert (
        _body("ollama_chat/m", [{"role": "user", "content": "hi"}], reasoning_effort=effort)["think"] == think
    )


def test_tool_choice_none_sends_no_tools_and_required_is_refused() -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    assert "tools" not in _body(
        "ollama_chat/m", [{"role": "user", "content": "hi"}], tools=tools, tool_choice="none"
    )
    client, fake = make_client(lambda request: HttpResponse.from_json({}), api_base=BASE)
    with client, pytest.raises(llmport.UnsupportedParamsError, match="tool_choice"):
        client.completion(
            "ollama_chat/m", [{"role": "user", "content": "hi"}], tools=tools, tool_choice="required"
        )
    assert fake.requests == []


def test_ollama_generate_renders_a_prompt_and_answers() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Why is the sky blue?"},
    ]
    sent = _sent("ollama/llama3.2", messages, max_tokens=20)
    assert sent.url == BASE + "/api/generate"
    assert json.loads(sent.body) == {
        "model": "llama3.2", "stream": False, "prompt": "Why is the sky blue?", "system": "Be brief.",
        "options": {"num_predict": 20},
    }  # fmt: skip
    conversation = [
        *messages,
        {"role": "assistant", "content": "Scattering."},
        {"role": "user", "content": "More?"},
    ]
    prompt = _body("ollama/llama3.2", conversation)["prompt"]
    turns = ("User:\nWhy is the sky blue?", "Assistant:\nScattering.", "User:\nMore?", "Assistant:\n")
    assert prompt == "\n\n".join(f"### {turn}" for turn in turns)


def test_ollama_generate_answers_with_its_response_field_streamed_and_not() -> None:
    lines = [
        {"model": "m", "created_at": "2026-08-07T06:08:14Z", "response": "Blue", "done": False},
        {"model": "m", "created_at": "2026-08-07T06:08:14Z", "response": " light.", "done": False},
        {**DONE, "response": "", "done_reason": "length", "prompt_eval_count": 5, "eval_count": 2},
    ]
    from llmport.testing import from_ndjson

    client, _ = make_client(lambda request: from_ndjson(lines), api_base=BASE, api_key=None)
    with client:
        chunks = list(client.completion("ollama/m", [{"role": "user", "content": "hi"}], stream=True))
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert built.choices[0].message.content == "Blue light."
    assert built.choices[0].finish_reason == "length"
    assert (built.usage.prompt_tokens, built.usage.completion_tokens) == (5, 2)


def test_ollama_generate_refuses_tools_pointing_to_ollama_chat() -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    client, fake = make_client(lambda request: HttpResponse.from_json({}), api_base=BASE)
    with client, pytest.raises(llmport.UnsupportedParamsError, match=r"ollama_chat/llama3\.2"):
        client.completion("ollama/llama3.2", [{"role": "user", "content": "hi"}], tools=tools)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("api_base", "url"),
    [
        ("http://127.0.0.1:9", "http://127.0.0.1:9/api/chat"),
        ("http://127.0.0.1:9/", "http://127.0.0.1:9/api/chat"),
        ("http://127.0.0.1:9/api/chat", "http://127.0.0.1:9/api/chat"),
    ],
)
def test_api_base_may_be_the_root_or_the_endpoint(api_base: str, url: str) -> None:
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse.from_json({**DONE, "message": {"role": "assistant", "content": "ok"}})

    client, _ = make_client(handler, api_base=api_base, api_key=None)
    with client:
        client.completion("ollama_chat/m", [{"role": "user", "content": "hi"}])
    assert seen[0].url == url


def test_the_default_base_and_ollama_api_base(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse.from_json({**DONE, "message": {"role": "assistant", "content": "ok"}})

    monkeypatch.delenv("OLLAMA_API_BASE", raising=False)
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    client = llmport.Client(transport=llmport.testing.FakeTransport(handler), num_retries=0)
    with client:
        client.completion("ollama_chat/m", [{"role": "user", "content": "hi"}])
        monkeypatch.setenv("OLLAMA_API_BASE", "http://127.0.0.1:8")
        monkeypatch.setenv("OLLAMA_API_KEY", "ollama-cloud-key-0123456789")
        client.completion("ollama_chat/m", [{"role": "user", "content": "hi"}])
    assert seen[0].url == "http://localhost:11434/api/chat"
    assert "authorization" not in seen[0].headers  # keyless: nothing is required, nothing sent
    assert seen[1].url == "http://127.0.0.1:8/api/chat"
    assert seen[1].headers["authorization"] == "Bearer ollama-cloud-key-0123456789"

"""The Responses codec's requests: routes, input items, parameters, URLs and headers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

import llmport
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.domain.dispatch.routing import resolve_host
from llmport.testing import FakeClock, FakeTransport, HttpRequest, HttpResponse
from tests.contract.fixtures_loader import load_exchange

USER = [{"role": "user", "content": "hi"}]
OK = load_exchange("responses", "simonw_responses_basic_non_streaming").body


def sent(model: str = "responses/gpt-4.1", messages: Any = None, **kwargs: Any) -> list[HttpRequest]:
    fake = FakeTransport(lambda request: HttpResponse(200, {}, OK))
    kwargs.setdefault("api_key", "sk-test")
    with llmport.Client(transport=fake, clock=FakeClock(), num_retries=0) as client:
        client.completion(model, messages or USER, **kwargs)
    return fake.requests


def body(model: str = "responses/gpt-4.1", messages: Any = None, **kwargs: Any) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(sent(model, messages, **kwargs)[0].body)
    return result


@pytest.mark.parametrize(
    ("model", "prefix", "name"),
    [
        ("responses/gpt-5", "responses", "gpt-5"),
        ("openai/responses/gpt-5", "responses", "gpt-5"),
        ("azure/responses/my-deployment", "azure_responses", "my-deployment"),
        ("gpt-5-pro", "responses", "gpt-5-pro"),
        ("o3-pro-2025-06-10", "responses", "o3-pro-2025-06-10"),
        ("o1-pro", "responses", "o1-pro"),
        ("gpt-5.1-codex-max", "responses", "gpt-5.1-codex-max"),
        ("codex-mini-latest", "responses", "codex-mini-latest"),
        ("o4-mini-deep-research", "responses", "o4-mini-deep-research"),
        ("openai/gpt-5-codex", "responses", "gpt-5-codex"),
        ("openai/gpt-5.2-pro", "responses", "gpt-5.2-pro"),
        # Chat models stay on chat completions: no silent switch.
        ("gpt-5", "openai", "gpt-5"),
        ("openai/gpt-5", "openai", "gpt-5"),
        ("gpt-4o", "openai", "gpt-4o"),
        ("openai/gpt-5-chat-latest", "openai", "gpt-5-chat-latest"),
        ("azure/gpt-5-pro", "azure", "gpt-5-pro"),  # an Azure deployment name says nothing of the model
        ("hosted_vllm/org/model", "hosted_vllm", "org/model"),
        ("openrouter/openai/gpt-5-pro", "openrouter", "openai/gpt-5-pro"),
    ],
)
def test_routes(model: str, prefix: str, name: str) -> None:
    host, resolved = resolve_host(model, None, ProviderRegistry())
    assert (host.prefix, resolved) == (prefix, name)


def test_the_request_goes_to_the_responses_endpoint_with_a_bearer_key() -> None:
    (request,) = sent("openai/responses/gpt-4.1", organization="org-1")
    assert request.url == "https://api.openai.com/v1/responses"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.headers["openai-organization"] == "org-1"


@pytest.mark.parametrize(
    ("base", "version", "url"),
    [
        ("https://r.openai.azure.com", None, "https://r.openai.azure.com/openai/v1/responses"),
        ("https://r.openai.azure.com/openai/v1", None, "https://r.openai.azure.com/openai/v1/responses"),
        (
            "https://r.openai.azure.com",
            "2025-04-01-preview",
            "https://r.openai.azure.com/openai/responses?api-version=2025-04-01-preview",
        ),
        ("https://proxy.example/responses", None, "https://proxy.example/responses"),
        # A query on the base (an APIM subscription key) stays after the path.
        (
            "https://gw.example/ai?subscription-key=k1",
            None,
            "https://gw.example/ai/openai/v1/responses?subscription-key=k1",
        ),
        (
            "https://gw.example/ai?subscription-key=k1",
            "2025-04-01-preview",
            "https://gw.example/ai/openai/responses?subscription-key=k1&api-version=2025-04-01-preview",
        ),
    ],
)
def test_azure_urls(base: str, version: str | None, url: str) -> None:
    extra = {"api_version": version} if version else {}
    (request,) = sent("azure/responses/dep", api_base=base, **extra)
    assert request.url == url
    assert request.headers["api-key"] == "sk-test"
    assert "authorization" not in request.headers
    assert json.loads(request.body)["model"] == "dep"


def test_a_query_on_an_openai_base_stays_after_the_endpoint() -> None:
    (request,) = sent("openai/responses/gpt-4.1", api_base="https://gw.example/v1?code=fn-key")
    assert request.url == "https://gw.example/v1/responses?code=fn-key"


def test_azure_chat_api_version_variables_are_left_to_chat_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_API_VERSION", "2024-10-21")
    (request,) = sent("azure/responses/dep", api_base="https://r.openai.azure.com")
    assert request.url == "https://r.openai.azure.com/openai/v1/responses"


def test_messages_become_input_items_and_system_becomes_instructions() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": [{"type": "text", "text": "Be kind."}]},
        {"role": "developer", "content": "Answer in French."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}},
                {"type": "image_url", "image_url": "data:image/png;base64,AAAA"},
                {"type": "file", "file": {"file_id": "file-1"}},
            ],
        },
        {
            "role": "assistant",
            "content": "Let me look.",
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": "done"}]},
    ]
    wire = body(messages=messages)
    assert wire["instructions"] == "Be brief.\n\nBe kind."
    assert wire["input"] == [
        {"role": "developer", "content": "Answer in French."},
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "What is this?"},
                {"type": "input_image", "image_url": "https://example.com/a.png", "detail": "low"},
                {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
                {"type": "input_file", "file_id": "file-1"},
            ],
        },
        {"role": "assistant", "content": "Let me look."},
        {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "done"},
    ]


def test_a_part_the_api_cannot_take_is_refused_naming_it() -> None:
    audio = {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}
    with pytest.raises(llmport.BadRequestError, match=r"messages\[0\]\.content\[0\]"):
        sent(messages=[{"role": "user", "content": [audio]}])


def test_parameters_move_to_their_responses_names() -> None:
    tools = [
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}, "strict": True}}
    ]
    wire = body(
        max_tokens=50,
        temperature=0.5,
        tools=[*tools, {"type": "web_search_preview"}],
        tool_choice={"type": "function", "function": {"name": "f"}},
        parallel_tool_calls=False,
        response_format={"type": "json_object"},
        stream_options={"include_usage": True},
        user="u-1",
        extra_body={"truncation": "auto"},
    )
    assert wire == {
        "model": "gpt-4.1",
        "input": USER,
        "max_output_tokens": 50,
        "temperature": 0.5,
        "tools": [
            {"type": "function", "name": "f", "parameters": {"type": "object"}, "strict": True},
            {"type": "web_search_preview"},
        ],
        "tool_choice": {"type": "function", "name": "f"},
        "parallel_tool_calls": False,
        "text": {"format": {"type": "json_object"}},
        "user": "u-1",
        "store": False,
        "stream": False,
        "truncation": "auto",
    }


def test_a_json_schema_moves_up_into_text_format() -> None:
    class Answer(BaseModel):
        city: str

    wire = body(response_format=Answer, verbosity="low")
    text = wire["text"]
    assert text["verbosity"] == "low"
    assert text["format"]["type"] == "json_schema"
    assert text["format"]["name"] == "Answer"
    assert text["format"]["strict"] is True
    assert text["format"]["schema"]["properties"] == {"city": {"title": "City", "type": "string"}}


def test_reasoning_models_ask_for_encrypted_reasoning_when_nothing_is_stored() -> None:
    wire = body(
        "responses/o3", reasoning_effort="high", reasoning={"summary": "auto"}, max_completion_tokens=9
    )
    assert wire["reasoning"] == {"summary": "auto", "effort": "high"}
    assert wire["include"] == ["reasoning.encrypted_content"]
    assert wire["max_output_tokens"] == 9
    assert wire["store"] is False


def test_reasoning_settings_ask_for_encrypted_reasoning_whatever_the_name() -> None:
    wire = body(
        "azure/responses/prod-deployment", api_base="https://r.openai.azure.com", reasoning_effort="low"
    )
    assert wire["include"] == ["reasoning.encrypted_content"]


def test_stored_conversations_and_chat_models_ask_for_no_encrypted_reasoning() -> None:
    assert "include" not in body("responses/o3", store=True)
    assert "include" not in body("responses/gpt-4.1")
    assert body("responses/gpt-4.1", include=["file_search_call.results"])["include"] == [
        "file_search_call.results"
    ]


def test_encrypted_reasoning_sent_back_is_asked_for_again_whatever_the_model() -> None:
    item = {"type": "reasoning", "id": "rs_1", "encrypted_content": "gAAA", "summary": []}
    history = [*USER, {"role": "assistant", "content": "ok", "responses_items": [item]}, *USER]
    wire = body("responses/my-finetune", messages=history)
    assert wire["include"] == ["reasoning.encrypted_content"]
    assert wire["input"][1] == item


@pytest.mark.parametrize("param", [{"stop": ["\n"]}, {"logit_bias": {"1": 1}}, {"seed": 1}])
def test_parameters_without_a_place_are_unsupported_unless_dropped(param: dict[str, Any]) -> None:
    with pytest.raises(llmport.UnsupportedParamsError, match=next(iter(param))):
        sent(**param)
    assert next(iter(param)) not in body(drop_params=True, **param)


def test_temperature_on_a_reasoning_model_follows_the_reasoning_rule() -> None:
    with pytest.raises(llmport.UnsupportedParamsError, match="temperature"):
        sent("responses/gpt-5", temperature=0.2)


def test_n_is_fanned_out_into_separate_requests() -> None:
    requests = sent(n=2)
    assert len(requests) == 2
    assert all("n" not in json.loads(request.body) for request in requests)


def test_responses_items_never_reach_another_provider() -> None:
    item = {"type": "reasoning", "id": "rs_1", "encrypted_content": "gAAA", "summary": []}
    history = [*USER, {"role": "assistant", "content": "ok", "responses_items": [item]}, *USER]
    for model in ("openai/gpt-4o", "anthropic/claude-sonnet-4-5"):
        fake = FakeTransport(lambda request: HttpResponse(500, {}, b"{}"))
        client = llmport.Client(transport=fake, clock=FakeClock(), num_retries=0, api_key="k")
        with client, pytest.raises(llmport.InternalServerError):
            client.completion(model, history)
        assert b"responses_items" not in fake.requests[0].body
        assert b"gAAA" not in fake.requests[0].body

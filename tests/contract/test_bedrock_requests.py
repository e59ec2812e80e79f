"""Our Converse request bodies: against the recorded ones, and the mapping rules one by one.

The openinference cassettes record the request another client (boto3) sent; each is read back
into the OpenAI-shaped call a litellm user would make, and llmport's body must equal it. The
rest checks each mapping rule of the issue on a body built through ``completion()``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest
from botocore.utils import percent_encode

import llmport
from llmport.testing import HttpRequest, HttpResponse

from .fixtures_loader import exchange_names, load_exchange
from .replay import MESSAGES, make_client

BASE = "http://127.0.0.1:9"
CLAUDE = "bedrock/anthropic.claude-3-haiku-20240307-v1:0"
RECORDED = [
    e
    for e in (load_exchange("bedrock", name) for name in exchange_names("bedrock"))
    if e.request_body is not None
]
ANSWER = {
    "output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
}


def _send(
    model: str = CLAUDE, messages: Any = None, answer: HttpResponse | None = None, **params: Any
) -> HttpRequest:
    reply = answer or HttpResponse(200, {}, json.dumps(ANSWER).encode())
    client, fake = make_client(lambda request: reply, api_base=BASE)
    with client:
        result = client.completion(model, messages or MESSAGES, **params)
        if params.get("stream"):
            list(result)
    return fake.last_request


def body_of(model: str = CLAUDE, messages: Any = None, **params: Any) -> dict[str, Any]:
    body = _send(model, messages, **params).json()
    assert isinstance(body, dict)
    return body


def _openai_message(turn: dict[str, Any]) -> list[dict[str, Any]]:
    """A recorded Converse turn → the OpenAI-shaped messages that mean the same."""
    texts = [b["text"] for b in turn["content"] if "text" in b]
    uses = [b["toolUse"] for b in turn["content"] if "toolUse" in b]
    results = [b["toolResult"] for b in turn["content"] if "toolResult" in b]
    if results:
        return [
            {"role": "tool", "tool_call_id": r["toolUseId"], "content": r["content"][0]["text"]}
            for r in results
        ]
    message: dict[str, Any] = {"role": turn["role"], "content": "".join(texts) or None}
    if uses:
        message["tool_calls"] = [
            {
                "id": u["toolUseId"],
                "type": "function",
                "function": {"name": u["name"], "arguments": json.dumps(u["input"])},
            }
            for u in uses
        ]
    return [message]


def _openai_call(recorded: dict[str, Any]) -> dict[str, Any]:
    messages = [m for turn in recorded["messages"] for m in _openai_message(turn)]
    params: dict[str, Any] = {}
    inference = recorded.get("inferenceConfig") or {}
    if "maxTokens" in inference:
        params["max_tokens"] = inference["maxTokens"]
    if "temperature" in inference:
        params["temperature"] = inference["temperature"]
    tools = (recorded.get("toolConfig") or {}).get("tools") or []
    if tools:
        params["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t["toolSpec"]["name"],
                    "description": t["toolSpec"]["description"],
                    "parameters": t["toolSpec"]["inputSchema"]["json"],
                },
            }
            for t in tools
        ]
    return {"messages": messages, **params}


@pytest.mark.parametrize("exchange", RECORDED, ids=[e.name for e in RECORDED])
def test_recorded_request_bodies(exchange: Any) -> None:
    assert exchange.request_url is not None
    model_id = unquote(exchange.request_url.split("/model/", 1)[1].rsplit("/", 1)[0])
    call = _openai_call(exchange.request_body)
    reply = HttpResponse(200, {}, chunks=(exchange.body,)) if exchange.is_stream else None
    request = _send(f"bedrock/{model_id}", call.pop("messages"), reply, stream=exchange.is_stream, **call)
    assert request.json() == exchange.request_body
    assert request.url == BASE + exchange.request_url.split(".amazonaws.com", 1)[1]


def test_recordings_with_requests() -> None:
    assert len(RECORDED) == 5


@pytest.mark.parametrize(
    "model_id",
    [
        "anthropic.claude-3-haiku-20240307-v1:0",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
        "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
    ],
)
def test_the_model_id_is_percent_encoded_as_botocore_does(model_id: str) -> None:
    for route in ("bedrock/", "bedrock/converse/"):
        for stream in (False, True):
            url = _send(route + model_id, stream=stream).url if not stream else _stream_url(route + model_id)
            operation = "converse-stream" if stream else "converse"
            assert url == f"{BASE}/model/{percent_encode(model_id)}/{operation}"


def _stream_url(model: str) -> str:
    client, fake = make_client(lambda request: HttpResponse(500, {}, b"{}"), api_base=BASE)
    with client, pytest.raises(llmport.InternalServerError):
        client.completion(model, MESSAGES, stream=True)
    return fake.last_request.url


def test_a_query_on_the_endpoint_stays_after_the_path() -> None:
    client, fake = make_client(
        lambda request: HttpResponse(500, {}, b"{}"), api_base=f"{BASE}/gw?code=fn-key"
    )
    with client, pytest.raises(llmport.InternalServerError):
        client.completion(CLAUDE, MESSAGES)
    assert fake.last_request.url == (
        f"{BASE}/gw/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse?code=fn-key"
    )


def test_invoke_routes_are_refused_before_any_request() -> None:
    client, fake = make_client(lambda request: HttpResponse(200, {}, b"{}"), api_base=BASE)
    with client, pytest.raises(llmport.BadRequestError, match="InvokeModel"):
        client.completion("bedrock/invoke/anthropic.claude-v2", MESSAGES)
    assert fake.requests == []


def test_system_and_tool_results_merged_into_one_user_turn() -> None:
    call = {"id": "tooluse_1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
    call2 = {"id": "tooluse_2", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [call, call2]},
        {"role": "tool", "tool_call_id": "tooluse_1", "content": "one"},
        {"role": "tool", "tool_call_id": "tooluse_2", "content": "two"},
    ]
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    body = body_of(messages=messages, tools=tools)
    assert body["system"] == [{"text": "Be brief."}]
    assert [turn["role"] for turn in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][1]["content"] == [
        {"toolUse": {"toolUseId": "tooluse_1", "name": "f", "input": {"a": 1}}},
        {"toolUse": {"toolUseId": "tooluse_2", "name": "f", "input": {}}},
    ]
    assert body["messages"][2]["content"] == [
        {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "one"}]}},
        {"toolResult": {"toolUseId": "tooluse_2", "content": [{"text": "two"}]}},
    ]
    assert body["toolConfig"]["tools"][0]["toolSpec"] == {
        "name": "f", "description": "f", "inputSchema": {"json": {"type": "object"}},
    }  # fmt: skip


def test_tool_history_without_tools_is_refused_before_sending() -> None:
    call = {"id": "t1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    messages = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "t1", "content": "x"},
    ]
    client, fake = make_client(lambda request: HttpResponse(200, {}, b"{}"), api_base=BASE)
    with client, pytest.raises(llmport.BadRequestError, match="tools=") as caught:
        client.completion(CLAUDE, messages)
    assert caught.value.param == "tools"
    assert fake.requests == []


def test_images_and_documents_travel_as_bytes() -> None:
    content = [
        {"type": "text", "text": "What is in these?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        {
            "type": "file",
            "file": {"file_data": "data:application/pdf;base64,JVBERi0=", "filename": "Q3 report.v2.pdf"},
        },
        {"type": "file", "file": {"file_data": "data:text/plain;base64,aGVsbG8=", "filename": "notes.txt"}},
    ]
    body = body_of(messages=[{"role": "user", "content": content}])
    assert body["messages"][0]["content"] == [
        {"text": "What is in these?"},
        {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}},
        {"document": {"format": "pdf", "name": "Q3 report v2", "source": {"bytes": "JVBERi0="}}},
        {"document": {"format": "txt", "name": "notes", "source": {"bytes": "aGVsbG8="}}},
    ]


def test_an_image_url_is_refused_naming_the_part() -> None:
    content = [{"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]
    client, fake = make_client(lambda request: HttpResponse(200, {}, b"{}"), api_base=BASE)
    with client, pytest.raises(llmport.BadRequestError, match="does not fetch URLs") as caught:
        client.completion(CLAUDE, [{"role": "user", "content": content}])
    assert caught.value.param == "messages[0].content[0].image_url"
    assert fake.requests == []


def test_inference_config_and_model_family_fields() -> None:
    body = body_of(max_tokens=100, temperature=0.2, top_p=0.9, stop=["END", ""], top_k=40)
    assert body["inferenceConfig"] == {
        "maxTokens": 100,
        "temperature": 0.2,
        "topP": 0.9,
        "stopSequences": ["END"],
    }
    assert body["additionalModelRequestFields"] == {"top_k": 40}
    nova = body_of("bedrock/us.amazon.nova-pro-v1:0", top_k=5, stop="x", max_completion_tokens=7)
    assert nova["additionalModelRequestFields"] == {"inferenceConfig": {"topK": 5}}
    assert nova["inferenceConfig"] == {"maxTokens": 7, "stopSequences": ["x"]}


def test_other_keywords_go_to_additional_fields_and_converse_fields_to_the_top() -> None:
    guardrail = {"guardrailIdentifier": "gr-1", "guardrailVersion": "1", "trace": "enabled"}
    body = body_of(
        guardrailConfig=guardrail,
        performanceConfig={"latency": "optimized"},
        requestMetadata={"team": "a"},
        anthropic_beta=["context-1m-2025-08-07"],
        additionalModelRequestFields={"foo": 1},
    )
    assert body["guardrailConfig"] == guardrail
    assert body["performanceConfig"] == {"latency": "optimized"}
    assert body["requestMetadata"] == {"team": "a"}
    assert body["additionalModelRequestFields"] == {"foo": 1, "anthropic_beta": ["context-1m-2025-08-07"]}


def test_unsupported_openai_parameters_raise_unless_dropped() -> None:
    with pytest.raises(llmport.UnsupportedParamsError) as caught:
        body_of(frequency_penalty=0.5)
    assert caught.value.param == "frequency_penalty"
    assert "frequency_penalty" not in json.dumps(body_of(frequency_penalty=0.5, drop_params=True))


def test_tool_names_are_sanitised_and_restored_in_the_answer() -> None:
    tools = [
        {"type": "function", "function": {"name": "weather.lookup:v2", "parameters": {"type": "object"}}}
    ]
    answer = {
        "output": {"message": {"role": "assistant", "content": [
            {"toolUse": {"toolUseId": "tooluse_9", "name": "weather_lookup_v2", "input": {"city": "Paris"}}},
        ]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": 3, "outputTokens": 4, "totalTokens": 7},
    }  # fmt: skip
    body = json.dumps(answer).encode()
    client, fake = make_client(lambda request: HttpResponse(200, {}, body), api_base=BASE)
    with client:
        response = client.completion(
            CLAUDE,
            MESSAGES,
            tools=tools,
            tool_choice={"type": "function", "function": {"name": "weather.lookup:v2"}},
        )
    sent = fake.last_request.json()["toolConfig"]
    assert sent["tools"][0]["toolSpec"]["name"] == "weather_lookup_v2"
    assert sent["toolChoice"] == {"tool": {"name": "weather_lookup_v2"}}
    (call,) = response.choices[0].message.tool_calls
    assert call.function.name == "weather.lookup:v2"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    assert response.choices[0].finish_reason == "tool_calls"


def test_colliding_tool_names_are_refused() -> None:
    tools = [
        {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
        for n in ("a.b", "a:b")
    ]
    with pytest.raises(llmport.BadRequestError, match="both become 'a_b'"):
        body_of(tools=tools)


@pytest.mark.parametrize(("choice", "wire"), [("auto", {"auto": {}}), ("required", {"any": {}})])
def test_tool_choice(choice: str, wire: dict[str, Any]) -> None:
    tools = [{"type": "function", "function": {"name": "f"}}]
    assert body_of(tools=tools, tool_choice=choice)["toolConfig"]["toolChoice"] == wire


def test_tool_choice_none_is_unsupported_unless_dropped() -> None:
    tools = [{"type": "function", "function": {"name": "f"}}]
    with pytest.raises(llmport.UnsupportedParamsError) as caught:
        body_of(tools=tools, tool_choice="none")
    assert caught.value.param == "tool_choice"
    assert "toolChoice" not in body_of(tools=tools, tool_choice="none", drop_params=True)["toolConfig"]


SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
RESPONSE_FORMAT = {"type": "json_schema", "json_schema": {"name": "person", "schema": SCHEMA}}


def test_response_format_uses_output_config_where_native() -> None:
    body = body_of("bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0", response_format=RESPONSE_FORMAT)
    structure = body["outputConfig"]["textFormat"]["structure"]["jsonSchema"]
    assert body["outputConfig"]["textFormat"]["type"] == "json_schema"
    assert json.loads(structure["schema"]) == SCHEMA
    assert structure["name"] == "person"
    assert "toolConfig" not in body


def test_response_format_forces_a_tool_whose_input_becomes_content() -> None:
    answer = {
        "output": {"message": {"role": "assistant", "content": [
            {"toolUse": {"toolUseId": "t", "name": "json_tool_call", "input": {"name": "Ada"}}},
        ]}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": 3, "outputTokens": 4, "totalTokens": 7},
    }  # fmt: skip
    raw = json.dumps(answer).encode()
    client, fake = make_client(lambda request: HttpResponse(200, {}, raw), api_base=BASE)
    with client:
        response = client.completion(CLAUDE, MESSAGES, response_format=RESPONSE_FORMAT)
    sent = fake.last_request.json()["toolConfig"]
    assert sent["tools"][0]["toolSpec"]["inputSchema"] == {"json": SCHEMA}
    assert sent["toolChoice"] == {"tool": {"name": "json_tool_call"}}
    message = response.choices[0].message
    assert json.loads(message.content) == {"name": "Ada"}
    assert message.tool_calls is None
    assert response.choices[0].finish_reason == "stop"


def test_thinking_for_claude_with_max_tokens_above_the_budget() -> None:
    model = "bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0"
    body = body_of(model, reasoning_effort="medium", max_tokens=1000)
    assert body["additionalModelRequestFields"]["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["inferenceConfig"]["maxTokens"] > 2048
    explicit = body_of(model, thinking={"type": "enabled", "budget_tokens": 1500})
    assert explicit["additionalModelRequestFields"]["thinking"]["budget_tokens"] == 1500
    with pytest.raises(llmport.UnsupportedParamsError):
        body_of("bedrock/meta.llama3-70b-instruct-v1:0", reasoning_effort="low")


def test_reasoning_blocks_go_back_with_their_signatures() -> None:
    blocks = [
        {"type": "thinking", "thinking": "Let me think.", "signature": "EqQBCkgIARABGAIiQ"},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"},
    ]
    messages = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello", "thinking_blocks": blocks},
        {"role": "user", "content": "again"},
    ]
    body = body_of("bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0", messages)
    assert body["messages"][1]["content"] == [
        {"reasoningContent": {"reasoningText": {"text": "Let me think.", "signature": "EqQBCkgIARABGAIiQ"}}},
        {"reasoningContent": {"redactedContent": "EmwKAhgBEgy3va3pzix"}},
        {"text": "Hello"},
    ]


def test_cache_control_becomes_cache_points() -> None:
    messages = [
        {
            "role": "system",
            "content": [{"type": "text", "text": "Long rules", "cache_control": {"type": "ephemeral"}}],
        },
        {"role": "user", "content": "doc", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
    ]
    tools = [{"type": "function", "function": {"name": "f"}, "cache_control": {"type": "ephemeral"}}]
    body = body_of(messages=messages, tools=tools)
    assert body["system"] == [{"text": "Long rules"}, {"cachePoint": {"type": "default"}}]
    assert body["messages"][0]["content"] == [
        {"text": "doc"},
        {"cachePoint": {"type": "default", "ttl": "1h"}},
    ]
    assert body["toolConfig"]["tools"][1] == {"cachePoint": {"type": "default"}}


def test_usage_counts_cache_reads_and_writes_in_the_prompt() -> None:
    usage = {
        "inputTokens": 10,
        "outputTokens": 5,
        "totalTokens": 115,
        "cacheReadInputTokens": 60,
        "cacheWriteInputTokens": 40,
    }
    answer = {**ANSWER, "usage": usage}
    raw = json.dumps(answer).encode()
    client, _ = make_client(
        lambda request: HttpResponse(200, {"x-amzn-RequestId": "r-1"}, raw), api_base=BASE
    )
    with client:
        response = client.completion(CLAUDE, MESSAGES)
    assert response.usage.prompt_tokens == 110
    assert response.usage.completion_tokens == 5
    assert response.usage.total_tokens == 115
    assert response.usage.prompt_tokens_details.cached_tokens == 60
    assert response._hidden_params["request_id"] == "r-1"


@pytest.mark.parametrize(
    ("reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("model_context_window_exceeded", "length"),
        ("guardrail_intervened", "content_filter"),
        ("content_filtered", "content_filter"),
        ("malformed_model_output", "stop"),
    ],
)
def test_stop_reasons(reason: str, finish: str) -> None:
    raw = json.dumps({**ANSWER, "stopReason": reason}).encode()
    client, _ = make_client(lambda request: HttpResponse(200, {}, raw), api_base=BASE)
    with client:
        assert client.completion(CLAUDE, MESSAGES).choices[0].finish_reason == finish


def test_the_answer_names_the_model_id_without_the_route() -> None:
    raw = json.dumps(ANSWER).encode()
    client, _ = make_client(lambda request: HttpResponse(200, {}, raw), api_base=BASE)
    with client:
        response = client.completion("bedrock/converse/us.amazon.nova-pro-v1:0", MESSAGES)
    assert response.model == "us.amazon.nova-pro-v1:0"

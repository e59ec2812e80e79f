"""Thought signatures carried safely: Gemini → tool result → Gemini, and Gemini → another provider.

Turn one replays a recorded Gemini 3 answer whose function call carries a ``thoughtSignature``;
the caller appends the message as users do (the object itself, its ``model_dump()``, or the
message rebuilt by ``stream_chunk_builder``), then a tool result. Turn two must send the
signature back on the same function-call part, as llm-gemini's recorded second request does.
Sent to Anthropic or OpenAI instead, the history loses only the signatures.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.testing import HttpRequest, HttpResponse

from .fixtures_loader import load_exchange
from .replay import answer, make_client

BASE = "http://127.0.0.1:9/v1beta"
FIRST = load_exchange("gemini", "sw_tools_with_gemini_3_thought_signatures_0")  # JSON-array stream
SECOND = load_exchange("gemini", "sw_tools_with_gemini_3_thought_signatures_1")
WHOLE = load_exchange("gemini", "vercel_google_tool_call")  # non-streamed, signed call
SSE = load_exchange("gemini", "vercel_google_tool_call_stream")  # SSE, signed call
RESPONSES_ANSWER = load_exchange("responses", "oi_responses_simple_input")
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "multiply",
            "description": "Multiply two numbers.",
            "parameters": {
                "type": "object",
                "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
                "required": ["x", "y"],
            },
        },
    }
]
QUESTION = {"role": "user", "content": "What is 5 times 3?"}


def _first_turn(exchange: Any, stream: bool, how: str) -> Any:
    client, _ = make_client(lambda request: answer(exchange), api_base=BASE)
    with client:
        if stream:
            message = llmport.stream_chunk_builder(
                list(client.completion("gemini/gemini-3-flash-preview", [QUESTION], tools=TOOLS, stream=True))
            ).choices[0].message  # fmt: skip
        else:
            message = (
                client.completion("gemini/gemini-3-flash-preview", [QUESTION], tools=TOOLS).choices[0].message
            )
    return message.model_dump() if how == "dump" else message


def _second_request(model: str, history: list[Any], **settings: Any) -> dict[str, Any]:
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        if model.startswith("gemini/"):
            return HttpResponse.from_json(json.loads(WHOLE.body))
        if model.startswith("responses/"):
            return HttpResponse(200, {"content-type": "application/json"}, RESPONSES_ANSWER.body)
        if model.startswith("anthropic/"):
            return HttpResponse.from_json(
                {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [],
                 "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}}
            )  # fmt: skip
        return HttpResponse.from_json({"choices": [{"message": {"role": "assistant", "content": "15"}}]})

    client, _ = make_client(handler, **settings)
    with client:
        client.completion(model, history, tools=TOOLS)
    return json.loads(seen[0].body)


def _history(message: Any) -> list[Any]:
    call_id = (message["tool_calls"] if isinstance(message, dict) else message.tool_calls)[0]["id"]
    return [QUESTION, message, {"role": "tool", "tool_call_id": call_id, "content": '{"output": "15"}'}]


@pytest.mark.parametrize("how", ["object", "dump"])
def test_the_signature_goes_back_on_its_function_call(how: str) -> None:
    message = _first_turn(FIRST, stream=True, how=how)
    body = _second_request("gemini/gemini-3-flash-preview", _history(message), api_base=BASE)
    recorded = (SECOND.request_body or {})["contents"]
    ours_part = body["contents"][1]["parts"][-1]
    recorded_part = recorded[1]["parts"][-1]
    assert ours_part["thoughtSignature"] == recorded_part["thoughtSignature"]
    assert ours_part["functionCall"]["name"] == recorded_part["function_call"]["name"]
    assert ours_part["functionCall"]["args"] == recorded_part["function_call"]["args"]
    assert body["contents"][2]["parts"][0]["functionResponse"]["response"] == {"output": "15"}
    call_id = ours_part["functionCall"]["id"]
    assert recorded_part["thoughtSignature"] not in call_id  # never smuggled into the id


@pytest.mark.parametrize(("exchange", "stream"), [(WHOLE, False), (SSE, True)], ids=["whole", "sse"])
def test_whole_and_sse_answers_keep_the_signature_too(exchange: Any, stream: bool) -> None:
    message = _first_turn(exchange, stream=stream, how="object")
    (signature,) = message.thought_signatures
    assert signature.tool_call_id == message.tool_calls[0].id
    assert signature.signature not in (message.content or "")
    body = _second_request("gemini/gemini-3-pro-preview", _history(message), api_base=BASE)
    assert body["contents"][1]["parts"][-1]["thoughtSignature"] == signature.signature


@pytest.mark.parametrize("provider", ["anthropic/claude-sonnet-4-5", "openai/gpt-4o", "responses/gpt-5"])
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_another_provider_gets_the_history_without_signatures(provider: str, stream: bool) -> None:
    exchange = FIRST if stream else WHOLE
    message = _first_turn(exchange, stream=stream, how="object")
    signed = _second_request(provider, _history(message), api_base="http://127.0.0.1:9")
    stripped = message.model_dump(exclude_none=True)
    del stripped["thought_signatures"]
    stripped.setdefault("content", None)  # what a message object dumps to beside tool calls
    plain = _second_request(provider, _history(stripped), api_base="http://127.0.0.1:9")
    assert signed == plain  # only the signatures were dropped
    text = json.dumps(signed)
    assert message.thought_signatures[0].signature not in text
    assert message.tool_calls[0].id in text


def test_history_without_signatures_gets_googles_placeholder_on_gemini_3() -> None:
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "multiply", "arguments": "{}"}}
        ],
    }
    history = [QUESTION, message, {"role": "tool", "tool_call_id": "call_1", "content": "15"}]
    body = _second_request("gemini/gemini-3-pro-preview", history, api_base=BASE)
    assert body["contents"][1]["parts"][0]["thoughtSignature"] == "skip_thought_signature_validator"
    older = _second_request("gemini/gemini-2.5-flash", history, api_base=BASE)
    assert "thoughtSignature" not in older["contents"][1]["parts"][0]

"""Our Responses request bodies against the recorded ones, turn after turn of a real conversation.

Each recorded conversation (simonw/llm, openinference's litellm tests) is played again as a
litellm user would write it: the first user message and the recorded tools and reasoning
settings, then every answer appended as it came back (``resp.choices[0].message``, or its
``model_dump()``, or the message ``stream_chunk_builder`` rebuilt) with the tool results the
recording sent. Each request llmport sends must equal the recorded one. The only normalisation:
tool arguments are compared as JSON (simonw/llm re-serialises them with spaces), and a recorded
``input`` string is the one user message it stands for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import llmport
from llmport.testing import HttpRequest, HttpResponse

from .fixtures_loader import Exchange, exchange_names, load_exchange
from .replay import make_client

BASE = "http://127.0.0.1:9"
NAMES = exchange_names("responses")
Reuse = Callable[[llmport.Message], Any]
REUSES: dict[str, Reuse] = {
    "message": lambda message: message,
    "model_dump": lambda message: message.model_dump(),
    "model_dump_json": lambda message: json.loads(message.model_dump_json()),
}


def conversation(stem: str) -> list[Exchange]:
    """The recorded turns of one cassette, in order."""
    turns = sorted(n for n in NAMES if n.startswith(stem) and n[len(stem) :].lstrip("_").isdigit())
    return [load_exchange("responses", name) for name in turns or [stem]]


CONVERSATIONS = [
    "simonw_responses_basic_non_streaming",
    "simonw_responses_basic_streaming",
    "simonw_responses_tool_use",
    "simonw_responses_tool_use_streaming",
    "simonw_responses_round_trips_encrypted_reasoning",
    "simonw_responses_interleaved_reasoning_between_tool_calls",
    "oi_responses_input_typed_reasoning_item",
    "oi_responses_simple_input",
    "oi_responses_simple_input_stream",
    "oi_responses_websearch_input",
    "oi_responses_websearch_input_async",
]


def test_every_recorded_request_is_checked() -> None:
    covered = {e.name for stem in CONVERSATIONS for e in conversation(stem)}
    recorded = {n for n in NAMES if load_exchange("responses", n).request_body is not None}
    assert covered == recorded


def _chat_tool(tool: dict[str, Any]) -> dict[str, Any]:
    if tool["type"] != "function":
        return tool
    function = {k: v for k, v in tool.items() if k != "type"}
    return {"type": "function", "function": function}


def _first_call(body: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The chat call a litellm user makes for a recorded first request."""
    given = body["input"]
    first = given if isinstance(given, str) else given[0]["content"]
    kwargs: dict[str, Any] = {"stream": bool(body.get("stream"))}
    if body.get("tools"):
        kwargs["tools"] = [_chat_tool(tool) for tool in body["tools"]]
    reasoning = dict(body.get("reasoning") or {})
    if "effort" in reasoning:
        kwargs["reasoning_effort"] = reasoning.pop("effort")
    if reasoning:
        kwargs["reasoning"] = reasoning  # a Responses field, passed through as litellm does
    if body.get("store") is None:
        kwargs["store"] = True  # the other client left OpenAI's default; llmport's is False
    return [{"role": "user", "content": first}], kwargs


def _later_messages(body: dict[str, Any], known: int) -> list[dict[str, Any]]:
    """The caller's new messages in a recorded later request: tool results and user turns."""
    items = body["input"][known:]
    added = []
    for item in items:
        if item.get("type") == "function_call_output":
            added.append({"role": "tool", "tool_call_id": item["call_id"], "content": item["output"]})
        elif item.get("role") == "user":
            added.append({"role": "user", "content": item["content"]})
    return added


def _normalised(body: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(body))
    if isinstance(copy["input"], str):
        copy["input"] = [{"role": "user", "content": copy["input"]}]
    copy.setdefault("stream", False)
    copy.setdefault("store", True)  # OpenAI's default, which the other client relied on
    for item in copy["input"]:
        if item.get("type") == "function_call":
            item["arguments"] = json.loads(item["arguments"])
        if item.get("type") == "message" and item.get("role") == "assistant":
            # An output message sent back whole; llmport sends its text (same turn for the model).
            text = "".join(part["text"] for part in item["content"] if part["type"] == "output_text")
            item.clear()
            item.update({"role": "assistant", "content": text})
    return copy


def _model(body: dict[str, Any]) -> str:
    return "responses/" + body["model"]


def play(stem: str, reuse: Reuse) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Play a recorded conversation; return (sent, recorded) request bodies per turn."""
    turns = conversation(stem)
    sent: list[HttpRequest] = []
    answers = iter(turns)

    def handler(request: HttpRequest) -> HttpResponse:
        sent.append(request)
        turn = next(answers)
        if turn.is_stream:
            return HttpResponse(turn.status, turn.headers, chunks=(turn.body,))
        return HttpResponse(turn.status, turn.headers, turn.body)

    client, _ = make_client(handler, api_base=BASE)
    first = turns[0].request_body
    assert first is not None
    messages, kwargs = _first_call(first)
    with client:
        for turn in turns:
            recorded = turn.request_body
            assert recorded is not None
            if turn is not turns[0]:
                if _opens_with_answer(recorded):
                    del messages[:-1]  # that caller sent the last answer and a new question only
                messages.extend(_later_messages(recorded, _known(recorded, messages)))
            response = client.completion(_model(recorded), messages, **kwargs)
            if kwargs["stream"]:
                response = llmport.stream_chunk_builder(list(response))
            assert isinstance(response, llmport.ModelResponse)
            messages.append(reuse(response.choices[0].message))
    return [
        (json.loads(request.body), turn.request_body or {}) for request, turn in zip(sent, turns, strict=True)
    ]


def _opens_with_answer(recorded: dict[str, Any]) -> bool:
    given = recorded["input"]
    return isinstance(given, list) and given[0].get("role") != "user"


def _known(recorded: dict[str, Any], messages: list[Any]) -> int:
    """How many recorded input items the messages so far stand for: up to the last answer item."""
    items = recorded["input"]
    last = max(
        (i for i, item in enumerate(items) if item.get("type") in ("function_call", "message", "reasoning")),
        default=0,
    )
    return last + 1


@pytest.mark.parametrize("reuse", list(REUSES), ids=list(REUSES))
@pytest.mark.parametrize("stem", CONVERSATIONS)
def test_request_bodies_match_the_recording(stem: str, reuse: str) -> None:
    for position, (sent, recorded) in enumerate(play(stem, REUSES[reuse])):
        assert _normalised(sent) == _normalised(recorded), f"turn {position}"


def test_encrypted_reasoning_goes_back_verbatim() -> None:
    turns = play("simonw_responses_round_trips_encrypted_reasoning", REUSES["message"])
    answer = json.loads(conversation("simonw_responses_round_trips_encrypted_reasoning")[0].body)
    reasoning = next(item for item in answer["output"] if item["type"] == "reasoning")
    sent_again = [item for item in turns[1][0]["input"] if item.get("type") == "reasoning"]
    assert sent_again == [reasoning]
    assert turns[1][0]["include"] == ["reasoning.encrypted_content"]

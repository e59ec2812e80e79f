"""The Responses codec's answers on the cases no recording has: cut-short, failed, refused, malformed.

The payloads here are small hand-written ones in the recorded shapes; the recordings themselves
are replayed in ``tests/contract/test_responses_codec.py``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.testing import FakeClock, FakeTransport, HttpResponse

USER = [{"role": "user", "content": "hi"}]
MODEL = "responses/gpt-5"


def response(status: str = "completed", output: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    usage = {"input_tokens": 3, "output_tokens": 5, "total_tokens": 8}
    return {
        "id": "resp_1", "object": "response", "created_at": 1, "status": status, "model": "gpt-5",
        "output": output or [], "usage": usage, **extra,
    }  # fmt: skip


def message(text: str, phase: str | None = None) -> dict[str, Any]:
    item = {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed"}
    item["content"] = [{"type": "output_text", "text": text, "annotations": []}]
    return {**item, "phase": phase} if phase else item


def whole(payload: dict[str, Any]) -> llmport.ModelResponse:
    fake = FakeTransport(lambda request: HttpResponse(200, {}, json.dumps(payload).encode()))
    with llmport.Client(transport=fake, clock=FakeClock(), num_retries=0, api_key="k") as client:
        result = client.completion(MODEL, USER)
    assert isinstance(result, llmport.ModelResponse)
    return result


def sse(*events: dict[str, Any]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


def streamed(body: bytes, received: list[Any] | None = None) -> llmport.ModelResponse:
    received = [] if received is None else received
    fake = FakeTransport(lambda request: HttpResponse(200, {}, chunks=(body,)))
    with llmport.Client(transport=fake, clock=FakeClock(), num_retries=0, api_key="k") as client:
        received.extend(client.completion(MODEL, USER, stream=True))
    built = llmport.stream_chunk_builder(received)
    assert built is not None
    return built


@pytest.mark.parametrize(
    ("reason", "finish"), [("max_output_tokens", "length"), ("content_filter", "content_filter")]
)
def test_incomplete_answers_say_why(reason: str, finish: str) -> None:
    payload = response("incomplete", [message("Once upon")], incomplete_details={"reason": reason})
    result = whole(payload)
    assert result.choices[0].finish_reason == finish
    assert result.choices[0].message.content == "Once upon"
    events = [{"type": "response.created", "response": {**payload, "status": "in_progress", "output": []}}]
    events.append({"type": "response.incomplete", "response": payload})
    assert streamed(sse(*events)).choices[0].finish_reason == finish


def test_a_preamble_is_reasoning_and_the_final_answer_is_the_content() -> None:
    result = whole(
        response(output=[message("Let me check. ", "commentary"), message("It is 4.", "final_answer")])
    )
    assert len(result.choices) == 1
    assert result.choices[0].message.content == "It is 4."
    assert result.choices[0].message.reasoning_content == "Let me check. "
    kept = result.choices[0].message.responses_items
    assert kept is not None
    assert kept[0].model_dump(exclude_none=True) == {
        "type": "message", "role": "assistant", "phase": "commentary",
        "content": [{"type": "output_text", "text": "Let me check. ", "annotations": []}],
    }  # fmt: skip


def test_a_refusal_is_the_refusal_field() -> None:
    item = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "content": [{"type": "refusal", "refusal": "No."}],
    }
    result = whole(response(output=[item]))
    assert result.choices[0].message.refusal == "No."
    assert result.choices[0].message.content is None


def test_reasoning_without_encrypted_content_is_not_kept() -> None:
    item = {"id": "rs_1", "type": "reasoning", "summary": [{"type": "summary_text", "text": "Hm."}]}
    result = whole(response(output=[item, message("4")]))
    message_ = result.choices[0].message
    assert message_.reasoning_content == "Hm."
    assert not hasattr(message_, "responses_items")
    assert message_.get("responses_items") is None
    assert "responses_items" not in message_.model_dump(exclude_none=True)


def test_a_failed_response_raises_its_mapped_error() -> None:
    error = {"code": "context_length_exceeded", "message": "Your input exceeds the context window."}
    with pytest.raises(llmport.ContextWindowExceededError, match="context window"):
        whole(response("failed", error=error))
    failed = {"type": "response.failed", "response": response("failed", error=error)}
    with pytest.raises(llmport.ContextWindowExceededError):
        streamed(sse({"type": "response.created", "response": response("in_progress")}, failed))


def test_an_error_event_with_top_level_fields_raises_its_mapped_error() -> None:
    event = {"type": "error", "code": "rate_limit_exceeded", "message": "Slow down.", "param": None}
    received: list[Any] = []
    with pytest.raises(llmport.RateLimitError, match="Slow down"):
        streamed(sse({"type": "response.created", "response": response("in_progress")}, event), received)
    assert [chunk.choices[0].delta.role for chunk in received] == ["assistant"]


def test_an_unfinished_background_response_is_not_an_answer() -> None:
    with pytest.raises(llmport.APIResponseValidationError, match="not finished"):
        whole(response("in_progress"))


def test_an_error_body_with_status_200_raises_the_mapped_error() -> None:
    body = {"error": {"message": "Quota.", "type": "insufficient_quota", "code": "insufficient_quota"}}
    with pytest.raises(llmport.RateLimitError, match="Quota"):
        whole(body)


def test_arguments_for_an_unknown_call_are_a_malformed_stream() -> None:
    delta = {
        "type": "response.function_call_arguments.delta",
        "item_id": "fc_9",
        "output_index": 0,
        "delta": "{",
    }
    with pytest.raises(llmport.APIResponseValidationError, match="never started"):
        streamed(sse({"type": "response.created", "response": response("in_progress")}, delta))


def test_arguments_come_from_the_done_event_when_no_delta_came() -> None:
    item = {"id": "fc_1", "type": "function_call", "call_id": "call_1", "name": "f", "arguments": ""}
    done = {
        "type": "response.function_call_arguments.done",
        "item_id": "fc_1",
        "output_index": 0,
        "arguments": '{"a":1}',
    }
    result = streamed(
        sse(
            {"type": "response.created", "response": response("in_progress")},
            {"type": "response.output_item.added", "output_index": 0, "item": item},
            done,
            {"type": "response.completed", "response": response()},
        )
    )
    calls = result.choices[0].message.tool_calls
    assert calls is not None
    assert (calls[0].id, calls[0].function.arguments) == ("call_1", '{"a":1}')
    assert result.choices[0].finish_reason == "tool_calls"


def test_summary_parts_are_paragraphs() -> None:
    events = [{"type": "response.created", "response": response("in_progress")}]
    item = {"id": "rs_1", "type": "reasoning", "summary": []}
    events.append({"type": "response.output_item.added", "output_index": 0, "item": item})
    for index, text in enumerate(["First.", "Second."]):
        delta = {"item_id": "rs_1", "output_index": 0, "summary_index": index, "delta": text}
        events.append({"type": "response.reasoning_summary_text.delta", **delta})
    events.append({"type": "response.completed", "response": response()})
    assert streamed(sse(*events)).choices[0].message.reasoning_content == "First.\n\nSecond."


def test_text_comes_from_the_done_event_when_no_delta_came() -> None:
    item = {"id": "msg_1", "type": "message", "role": "assistant", "content": []}
    done = {"type": "response.output_text.done", "item_id": "msg_1", "output_index": 0, "text": "Whole."}
    events = [
        {"type": "response.created", "response": response("in_progress")},
        {"type": "response.output_item.added", "output_index": 0, "item": item},
        done,
        {"type": "response.completed", "response": response()},
    ]
    assert streamed(sse(*events)).choices[0].message.content == "Whole."
    delta = {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "delta": "Who"}
    assert streamed(sse(*events[:2], delta, *events[2:])).choices[0].message.content == "Who"

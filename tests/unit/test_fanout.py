"""n fan-out for codecs without native n, and ``message.parsed`` for pydantic response formats."""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

import pytest
from pydantic import BaseModel

import llmport
from llmport.domain.dispatch.fanout import merge
from llmport.testing import FakeClock, FakeStream, FakeTransport, HttpRequest, HttpResponse

from .conftest import USER, chat

MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-3-haiku-20240307",
    "content": [{"type": "text", "text": "hi"}],
    "stop_reason": "end_turn",
    "usage": {"input_tokens": 5, "output_tokens": 2, "cache_read_input_tokens": 1},
}


def anthropic_client(handler: Any) -> tuple[llmport.Client, FakeTransport]:
    fake = FakeTransport(handler)
    return llmport.Client(transport=fake, clock=FakeClock(), api_key="sk-ant-test"), fake


def test_fan_out_requests_are_retried_each_and_merged() -> None:
    calls = itertools.count()
    lock = threading.Lock()

    def handler(request: HttpRequest) -> HttpResponse:
        with lock:
            number = next(calls)
        if number == 0:
            body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
            return HttpResponse.from_json(body, status_code=529)
        return HttpResponse.from_json(MESSAGE)

    client, fake = anthropic_client(handler)
    response = client.completion("claude-3-haiku-20240307", USER, n=3)

    assert len(fake.requests) == 4  # one 529 retried, three answers
    assert all("n" not in json.loads(r.body or b"{}") for r in fake.requests)
    assert [choice.index for choice in response.choices] == [0, 1, 2]
    assert response.usage.prompt_tokens == 3 * 6
    assert response.usage.completion_tokens == 3 * 2
    assert response.usage.prompt_tokens_details is not None
    assert response.usage.prompt_tokens_details.cached_tokens == 3


async def test_async_fan_out_fails_as_a_whole() -> None:
    def handler(request: HttpRequest) -> HttpResponse:
        body = {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}
        return HttpResponse.from_json(body, status_code=400)

    client, fake = anthropic_client(handler)
    with pytest.raises(llmport.BadRequestError, match="bad"):
        await client.acompletion("claude-3-haiku-20240307", USER, n=2)
    assert len(fake.requests) == 2


def test_fan_out_bypasses_the_cache_and_single_calls_use_it() -> None:
    fake = FakeTransport(lambda request: HttpResponse.from_json(MESSAGE))
    client = llmport.Client(
        transport=fake, clock=FakeClock(), api_key="sk-ant-test", cache=llmport.MemoryCache()
    )
    for _ in range(2):
        assert len(client.completion("claude-3-haiku-20240307", USER, n=2).choices) == 2
    assert len(fake.requests) == 4

    first = client.completion("claude-3-haiku-20240307", USER)
    again = client.completion("claude-3-haiku-20240307", USER)
    assert len(fake.requests) == 5
    assert again._hidden_params["cache_hit"] is True
    assert again.choices[0].message.content == first.choices[0].message.content == "hi"


def test_openai_keeps_native_n() -> None:
    fake = FakeTransport(lambda request: chat())
    client = llmport.Client(transport=fake, clock=FakeClock(), api_key="sk-test")
    client.completion("gpt-4o", USER, n=3)
    assert len(fake.requests) == 1
    assert json.loads(fake.requests[0].body or b"{}")["n"] == 3


def test_n_with_stream_on_anthropic_fails_before_sending() -> None:
    client, fake = anthropic_client(lambda request: FakeStream(parts=()))
    with pytest.raises(llmport.UnsupportedParamsError) as caught:
        client.completion("claude-3-haiku-20240307", USER, n=2, stream=True)
    assert caught.value.param == "n"
    assert fake.requests == []


def test_merge_renumbers_choices_and_sums_usage() -> None:
    first = llmport.ModelResponse.model_validate(
        {
            "choices": [{"message": {"content": "a"}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        }
    )
    second = llmport.ModelResponse.model_validate(
        {
            "choices": [{"message": {"content": "b"}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    )
    merged = merge([first, second])
    assert [(c.index, c.message.content) for c in merged.choices] == [(0, "a"), (1, "b")]
    assert (merged.usage.prompt_tokens, merged.usage.completion_tokens, merged.usage.total_tokens) == (
        2,
        3,
        5,
    )


class Answer(BaseModel):
    value: int


def test_parsed_holds_the_pydantic_object_on_openai_too() -> None:
    fake = FakeTransport(lambda request: chat('{"value": 7}'))
    client = llmport.Client(transport=fake, clock=FakeClock(), api_key="sk-test")
    response = client.completion("gpt-4o", USER, response_format=Answer)
    assert response.choices[0].message.parsed == Answer(value=7)
    assert "parsed" not in response.choices[0].message.model_dump()
    sent = json.loads(fake.requests[0].body or b"{}")
    assert sent["response_format"]["json_schema"]["name"] == "Answer"


def test_parsed_stays_none_without_a_class_or_when_content_does_not_validate() -> None:
    fake = FakeTransport(lambda request: chat('{"value": "many"}'))
    client = llmport.Client(transport=fake, clock=FakeClock(), api_key="sk-test")
    assert client.completion("gpt-4o", USER).choices[0].message.parsed is None
    response = client.completion("gpt-4o", USER, response_format=Answer)
    assert response.choices[0].message.parsed is None
    assert response.choices[0].message.content == '{"value": "many"}'


def test_anthropic_stream_error_event_is_mapped() -> None:
    events = (
        b'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"m",'
        b'"content":[],"usage":{"input_tokens":1,"output_tokens":1}}}\n\n'
        b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
    )
    client, _ = anthropic_client(
        lambda request: HttpResponse(200, {"content-type": "text/event-stream"}, chunks=(events,))
    )
    received: list[Any] = []
    with pytest.raises(llmport.ServiceUnavailableError, match="Overloaded"):
        received.extend(client.completion("claude-3-haiku-20240307", USER, stream=True))
    assert len(received) == 1
    assert received[0].id == "msg_1"


def test_a_fanned_out_answer_is_priced_on_its_summed_usage_and_counts_every_attempt() -> None:
    from llmport.integrations.custom_logger import CustomLogger

    seen: list[int] = []

    class Attempts(CustomLogger):
        def log_success_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
            seen.append(kwargs["standard_logging_object"]["attempts"])

    fake = FakeTransport(lambda request: HttpResponse.from_json(MESSAGE))
    client = llmport.Client(transport=fake, clock=FakeClock(), api_key="sk-ant-test", callbacks=[Attempts()])
    response = client.completion("anthropic/claude-3-haiku-20240307", USER, n=3)
    # claude-3-haiku: $0.25/M input, $0.03/M cache read, $1.25/M output; each answer 5 in + 1 read, 2 out.
    expected = 3 * (5 * 0.25 + 1 * 0.03 + 2 * 1.25) / 1e6
    assert response._hidden_params["response_cost"] == pytest.approx(expected, rel=1e-9)
    assert seen == [3]

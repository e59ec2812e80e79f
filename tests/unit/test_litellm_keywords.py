"""litellm's client-side keywords are never forwarded: each is honoured or refused by name."""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.domain.models.litellm_keywords import CLIENT_PARAMS, LITELLM_KEYWORDS, NOT_IMPLEMENTED
from llmport.domain.models.params import BODY_PARAMS, CompletionParams
from llmport.domain.models.request import build_request
from llmport.testing import FakeTransport, MemoryLogger, StaticCredentials

from .conftest import USER, chat

CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}


def _client(transport: FakeTransport, logger: MemoryLogger | None = None) -> llmport.Client:
    return llmport.Client(
        transport=transport,
        logger=logger or MemoryLogger(),
        credentials=StaticCredentials({"OPENAI_API_KEY": "sk-test"}),
    )


# model_list is taken by completion() itself (a one-call Router); refused only inside fallback entries.
@pytest.mark.parametrize("name", sorted(set(NOT_IMPLEMENTED) - {"model_list"}))
def test_an_unimplemented_litellm_keyword_is_refused_by_name_before_any_request(name: str) -> None:
    fake = FakeTransport(lambda request: chat())
    with pytest.raises(llmport.UnsupportedParamsError) as caught:
        _client(fake).completion("gpt-4o", USER, **{name: "on"})
    assert caught.value.param == name
    assert name in str(caught.value)
    assert not fake.requests


def test_honoured_observability_keywords_stay_off_the_wire() -> None:
    fake = FakeTransport(lambda request: chat())
    handler = lambda kwargs, response, start, end: None  # noqa: E731
    _client(fake).completion(
        "gpt-4o",
        USER,
        metadata={"tenant": "acme"},
        litellm_call_id="call-123",
        callbacks=[handler],
        success_callback=[handler],
        failure_callback=[handler],
    )
    body = fake.last_request.json()
    assert not set(body) & set(LITELLM_KEYWORDS)


def test_metadata_and_callbacks_are_typed_options_on_the_request() -> None:
    handler = lambda kwargs, response, start, end: None  # noqa: E731
    request = build_request(
        "gpt-4o",
        USER,
        {"metadata": {"tenant": "acme"}, "litellm_call_id": "c-1", "success_callback": [handler],
         "failure_callback": [handler], "callbacks": (handler,)},
    )  # fmt: skip
    assert request.options.metadata == {"tenant": "acme"}
    assert request.options.call_id == "c-1"
    assert set(request.options.callbacks) == {("any", handler), ("success", handler), ("failure", handler)}
    assert not set(request.params) & set(LITELLM_KEYWORDS)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"metadata": "tenant=acme"}, "metadata"),
        ({"litellm_call_id": 7}, "litellm_call_id"),
        ({"callbacks": 3}, "callbacks"),
        ({"success_callback": ["langfuse"]}, "success_callback[0]"),
        ({"mock_tool_calls": {"function": {}}}, "mock_tool_calls"),
        ({"mock_tool_calls": [{"function": {"arguments": "{}"}}]}, "mock_tool_calls[0]"),
    ],
)
def test_bad_keyword_values_name_the_keyword(kwargs: dict[str, Any], param: str) -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        build_request("gpt-4o", USER, kwargs)
    assert caught.value.param == param


def test_mock_tool_calls_without_mock_response() -> None:
    reply = llmport.completion("gpt-4o", USER, mock_tool_calls=[CALL])
    message = reply.choices[0].message
    assert message.content is None
    assert message.tool_calls is not None
    assert message.tool_calls[0].function.name == "get_weather"
    assert message.tool_calls[0].id == "call_1"
    assert reply.choices[0].finish_reason == "tool_calls"


def test_mock_tool_calls_with_mock_response_keeps_both() -> None:
    calls = [{"function": {"name": "f", "arguments": {"x": 1}}}, CALL]
    reply = llmport.completion("gpt-4o", USER, mock_response="Let me check.", mock_tool_calls=calls)
    message = reply.choices[0].message
    assert message.content == "Let me check."
    assert [call.function.name for call in message.tool_calls or []] == ["f", "get_weather"]
    assert json.loads((message.tool_calls or [])[0].function.arguments) == {"x": 1}
    assert (message.tool_calls or [])[0].id == "call_mock_0"


def test_mock_tool_calls_stream_as_tool_call_deltas() -> None:
    chunks = list(llmport.completion("gpt-4o", USER, stream=True, mock_tool_calls=[CALL]))
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert (built.choices[0].message.tool_calls or [])[0].function.arguments == '{"city": "Paris"}'
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


async def test_mock_tool_calls_async() -> None:
    reply = await llmport.acompletion("gpt-4o", USER, mock_tool_calls=[CALL])
    assert (reply.choices[0].message.tool_calls or [])[0].function.name == "get_weather"


def test_mock_tool_calls_with_a_whole_mock_response_object_is_refused() -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        llmport.completion("gpt-4o", USER, mock_response={"choices": []}, mock_tool_calls=[CALL])
    assert caught.value.param == "mock_tool_calls"


def test_an_unknown_keyword_is_forwarded_and_logged_at_debug() -> None:
    fake = FakeTransport(lambda request: chat())
    logger = MemoryLogger(level="DEBUG")
    _client(fake, logger).completion("gpt-4o", USER, top_k=3, temperature=0.5)
    assert fake.last_request.json()["top_k"] == 3
    events = [event for event in logger.events if "provider-specific" in event.message]
    assert [event.fields["params"] for event in events] == [["top_k"]]


def test_no_provider_specific_event_when_every_keyword_is_known() -> None:
    fake = FakeTransport(lambda request: chat())
    logger = MemoryLogger(level="DEBUG")
    _client(fake, logger).completion("gpt-4o", USER, temperature=0.5, metadata={"a": 1})
    assert not [event for event in logger.events if "provider-specific" in event.message]


def test_the_typed_keywords_are_all_in_one_table_or_body_parameters() -> None:
    typed = set(CompletionParams.__annotations__)
    assert typed - BODY_PARAMS - set(LITELLM_KEYWORDS) == set()
    assert CLIENT_PARAMS.isdisjoint(NOT_IMPLEMENTED)
    assert not set(LITELLM_KEYWORDS) & BODY_PARAMS

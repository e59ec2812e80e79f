from collections.abc import Callable
from typing import Any

import pytest

import llmport
from llmport.testing import FakeStream, FakeTransport, HttpRequest, HttpResponse, StaticCredentials

from .conftest import USER, Harness, chat

MakeHarness = Callable[[Callable[[HttpRequest], Any]], Harness]


def test_bare_gpt_names_route_to_openai_with_the_env_key(harness: MakeHarness) -> None:
    h = harness(lambda request: chat())
    response = h.client.completion("gpt-4o", USER)
    assert response.choices[0].message.content == "hello"
    request = h.transport.last_request
    assert request.url == "https://api.openai.com/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test-secret-key-123"
    assert request.json()["model"] == "gpt-4o"
    assert response._hidden_params["custom_llm_provider"] == "openai"
    assert response._hidden_params["cache_hit"] is False


def test_prefix_is_stripped_and_custom_provider_overrides(harness: MakeHarness) -> None:
    h = harness(lambda request: chat())
    h.client.completion("openai/my-model", USER)
    h.client.completion(
        "meta-llama/Llama-3", USER, custom_llm_provider="openai", api_base="http://127.0.0.1:1/v1"
    )
    assert [r.json()["model"] for r in h.transport.requests] == ["my-model", "meta-llama/Llama-3"]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("mystery-model", "prefix it with the provider"),
        ("future_ai/m1", "not available in llmport yet"),
    ],
)
def test_unroutable_models_fail_before_the_network(
    harness: MakeHarness, model: str, message: str, planned: None
) -> None:
    h = harness(lambda request: chat())
    with pytest.raises(llmport.BadRequestError, match=message):
        h.client.completion(model, USER)
    assert h.transport.requests == []


def test_missing_key_raises_authentication_error_naming_the_variable() -> None:
    fake = FakeTransport(lambda request: chat())
    client = llmport.Client(transport=fake, credentials=StaticCredentials({}))
    with pytest.raises(llmport.AuthenticationError, match="OPENAI_API_KEY"):
        client.completion("gpt-4o", USER)
    assert fake.requests == []


def test_a_custom_base_needs_no_key() -> None:
    fake = FakeTransport(lambda request: chat())
    client = llmport.Client(
        transport=fake, credentials=StaticCredentials({"OPENAI_BASE_URL": "http://127.0.0.1:8000/v1"})
    )
    client.completion("gpt-4o", USER)
    assert fake.last_request.url == "http://127.0.0.1:8000/v1/chat/completions"
    assert "authorization" not in fake.last_request.headers


def failing(*answers: HttpResponse | Exception) -> Callable[[HttpRequest], HttpResponse]:
    queue = list(answers)

    def handler(request: HttpRequest) -> HttpResponse:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler


def error(status: int, **headers: str) -> HttpResponse:
    return HttpResponse.from_json({"error": {"message": f"status {status}", "type": "x"}}, status, headers)


def test_retryable_failures_back_off_then_succeed(harness: MakeHarness) -> None:
    h = harness(failing(error(500), llmport.APIConnectionError("reset"), chat("finally")))
    assert h.client.completion("gpt-4o", USER).choices[0].message.content == "finally"
    first, second = h.clock.sleeps
    assert 0.375 <= first <= 0.5
    assert 0.75 <= second <= 1.0
    assert [event.message.split(" ")[:2] for event in h.logger.events].count(["llmport", "retry"]) == 2


def test_retry_after_header_is_honoured(harness: MakeHarness) -> None:
    h = harness(failing(error(429, **{"retry-after": "3"}), error(429, **{"retry-after-ms": "1500"}), chat()))
    h.client.completion("gpt-4o", USER)
    assert h.clock.sleeps == [3.0, 1.5]


@pytest.mark.parametrize(
    ("status", "cls"), [(400, llmport.BadRequestError), (401, llmport.AuthenticationError)]
)
def test_client_errors_are_not_retried(harness: MakeHarness, status: int, cls: type[Exception]) -> None:
    h = harness(failing(error(status), chat()))
    with pytest.raises(cls):
        h.client.completion("gpt-4o", USER)
    assert len(h.transport.requests) == 1
    assert h.clock.sleeps == []


def test_retries_give_up_after_num_retries(harness: MakeHarness) -> None:
    h = harness(lambda request: error(503))
    with pytest.raises(llmport.ServiceUnavailableError):
        h.client.completion("gpt-4o", USER, num_retries=1)
    assert len(h.transport.requests) == 2


async def test_async_retries_use_the_clock(harness: MakeHarness) -> None:
    h = harness(failing(error(502), chat("async")))
    response = await h.client.acompletion("gpt-4o", USER)
    assert response.choices[0].message.content == "async"
    assert len(h.clock.sleeps) == 1


def sse(*events: dict[str, Any], done: bool = True) -> HttpResponse:
    return HttpResponse.from_sse(events, done=done)


def delta(content: str | None = None, finish: str | None = None, **extra: Any) -> dict[str, Any]:
    choice = {
        "index": 0,
        "delta": {"content": content} if content is not None else {},
        "finish_reason": finish,
    }
    return {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [choice],
        **extra,
    }


USAGE = {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4}


def test_usage_rides_on_the_finish_chunk(harness: MakeHarness) -> None:
    body = sse(
        {**delta(), "choices": [], "prompt_filter_results": []},
        delta("a"),
        delta("b"),
        delta(finish="stop"),
        {**delta(), "choices": [], "usage": USAGE},
    )
    h = harness(lambda request: body)
    chunks = list(h.client.completion("gpt-4o", USER, stream=True, stream_options={"include_usage": True}))
    assert [c.choices[0].delta.content for c in chunks] == ["a", "b", None]
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 4
    assert all(c.choices for c in chunks)


def test_stream_errors_are_raised_at_call_time(harness: MakeHarness) -> None:
    h = harness(lambda request: error(401))
    with pytest.raises(llmport.AuthenticationError):
        h.client.completion("gpt-4o", USER, stream=True)


def test_a_cut_stream_raises_after_the_chunks_it_delivered(harness: MakeHarness) -> None:
    h = harness(lambda request: sse(delta("a"), delta("b"), done=False))
    stream = h.client.completion("gpt-4o", USER, stream=True)
    received = [next(stream).choices[0].delta.content, next(stream).choices[0].delta.content]
    with pytest.raises(llmport.APIConnectionError, match="ended before"):
        next(stream)
    assert received == ["a", "b"]


def test_a_dropped_connection_mid_stream_raises(harness: MakeHarness) -> None:
    frame = b'data: {"choices": [{"index": 0, "delta": {"content": "x"}}]}\n\n'
    h = harness(lambda request: FakeStream(parts=(frame, llmport.APIConnectionError("connection reset"))))
    stream = h.client.completion("gpt-4o", USER, stream=True)
    assert next(stream).choices[0].delta.content == "x"
    with pytest.raises(llmport.APIConnectionError, match="reset"):
        next(stream)


def test_an_error_event_mid_stream_raises_the_mapped_error(harness: MakeHarness) -> None:
    body = sse(delta("a"), {"error": {"message": "overloaded", "type": "server_error"}})
    h = harness(lambda request: body)
    with pytest.raises(llmport.InternalServerError, match="overloaded"):
        list(h.client.completion("gpt-4o", USER, stream=True))


async def test_async_stream_and_sync_stream_agree(harness: MakeHarness) -> None:
    h = harness(lambda request: sse(delta("x"), delta("y"), delta(finish="stop")))
    sync_text = [c.choices[0].delta.content for c in h.client.completion("gpt-4o", USER, stream=True)]
    stream = await h.client.acompletion("gpt-4o", USER, stream=True)
    async_text = [c.choices[0].delta.content async for c in stream]
    assert sync_text == async_text == ["x", "y", None]
    async_stream = await h.client.acompletion("gpt-4o", USER, stream=True)
    with pytest.raises(TypeError, match="async for"):
        next(async_stream)


async def test_a_sync_stream_can_be_consumed_with_async_for(harness: MakeHarness) -> None:
    h = harness(lambda request: sse(delta("x"), delta(finish="stop")))
    stream = h.client.completion("gpt-4o", USER, stream=True)
    assert [c.choices[0].delta.content async for c in stream] == ["x", None]


def test_mock_response_needs_no_provider() -> None:
    client = llmport.Client(
        transport=FakeTransport(lambda request: chat()), credentials=StaticCredentials({})
    )
    response = client.completion("anything/at-all", USER, mock_response="It's simple.", n=2)
    assert [c.message.content for c in response.choices] == ["It's simple.", "It's simple."]
    chunks = list(client.completion("gpt-4o", USER, mock_response="a b c", stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "a b c"
    with pytest.raises(llmport.RateLimitError):
        client.completion("gpt-4o", USER, mock_response=llmport.RateLimitError("mocked", "openai", "gpt-4o"))


def test_use_client_scopes_module_level_calls(harness: MakeHarness) -> None:
    h = harness(lambda request: chat("scoped"))
    with llmport.use_client(h.client):
        assert llmport.completion("gpt-4o", USER).choices[0].message.content == "scoped"
        assert llmport.current_client() is h.client
    assert llmport.current_client() is not h.client


def test_logs_never_carry_the_key(harness: MakeHarness) -> None:
    h = harness(failing(error(500), chat()))
    h.client.completion("gpt-4o", USER)
    assert h.logger.events
    assert "sk-test-secret-key-123" not in repr(h.logger.events)


def test_an_unavailable_provider_is_reported_before_unimplemented_params(
    harness: MakeHarness, planned: None
) -> None:
    h = harness(lambda request: chat())
    with pytest.raises(llmport.BadRequestError, match=r"future_ai.*not available") as caught:
        h.client.completion("future_ai/m1", USER, fallbacks=["gpt-4o"])
    assert not isinstance(caught.value, llmport.UnsupportedParamsError)
    with pytest.raises(llmport.UnsupportedParamsError, match="thinking_budget"):
        h.client.completion("gpt-4o", USER, thinking_budget=2000)
    assert h.transport.requests == []

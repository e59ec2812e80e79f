"""Callbacks: litellm's CustomLogger protocol and plain functions, fired exactly once per call."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import datetime
from typing import Any

import pytest

import llmport
import llmport as litellm
from llmport.integrations.custom_logger import CustomLogger
from llmport.testing import (
    FakeClock,
    FakeStream,
    FakeTransport,
    HttpRequest,
    HttpResponse,
    MemoryCache,
    MemoryLogger,
    StaticCredentials,
)

from .conftest import USER, chat

KEY = "sk-test-secret-key-123"


def sse(*events: dict[str, Any], done: bool = True) -> FakeStream:
    parts = [f"data: {json.dumps(event)}\n\n".encode() for event in events]
    return FakeStream(parts=(*parts, b"data: [DONE]\n\n") if done else tuple(parts))


def delta(content: str, finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}],
    }


USAGE_CHUNK = {
    "id": "c1",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "gpt-4o",
    "choices": [],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
}


def error(status: int) -> HttpResponse:
    return HttpResponse.from_json({"error": {"message": f"status {status}", "type": "x"}}, status)


class Recorder(CustomLogger):
    """Written as for litellm: litellm's method names and signatures only."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, Any, Any]] = []
        self.threads: list[str] = []

    def log_pre_api_call(self, model, messages, kwargs):  # type: ignore[no-untyped-def]
        self.events.append(("pre", model, messages))

    def log_success_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        self.threads.append(threading.current_thread().name)
        self.events.append(("success", kwargs, response_obj))

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        self.events.append(("failure", kwargs, response_obj))

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.events]

    def final(self) -> dict[str, Any]:
        kwargs = self.events[-1][1]
        assert isinstance(kwargs, dict)
        return kwargs


class AsyncRecorder(CustomLogger):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    async def async_log_pre_api_call(self, model, messages, kwargs):  # type: ignore[no-untyped-def]
        self.events.append("pre")

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0)
        self.events.append("success")

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        self.events.append("failure")


def client(handler: Any, *callbacks: Any, **options: Any) -> llmport.Client:
    return llmport.Client(
        transport=FakeTransport(handler),
        clock=FakeClock(),
        logger=MemoryLogger(),
        credentials=StaticCredentials({"OPENAI_API_KEY": KEY, "ANTHROPIC_API_KEY": "sk-ant-test-key-456"}),
        callbacks=list(callbacks),
        **options,
    )


def answers(*items: HttpResponse | FakeStream | Exception) -> Any:
    queue = list(items)

    def handler(request: HttpRequest) -> HttpResponse | FakeStream:
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler


def test_sync_success_fires_pre_and_success_once_with_the_standard_payload() -> None:
    recorder = Recorder()
    response = client(answers(chat()), recorder).completion(
        "gpt-4o", [{"role": "user", "content": f"my key is {KEY}"}], temperature=0.2, metadata={"team": "a"}
    )
    assert recorder.kinds() == ["pre", "success"]
    kwargs = recorder.final()
    payload = kwargs["standard_logging_object"]
    assert recorder.events[-1][2] is response
    assert payload["status"] == "success"
    assert payload["model"] == "gpt-4o"
    assert payload["custom_llm_provider"] == "openai"
    assert payload["api_base"] == "https://api.openai.com/v1"
    assert payload["metadata"] == {"team": "a"}
    assert payload["model_parameters"] == {"temperature": 0.2}
    assert KEY not in json.dumps(payload["messages"])
    assert (payload["prompt_tokens"], payload["completion_tokens"], payload["total_tokens"]) == (3, 1, 4)
    assert payload["attempts"] == 1
    assert payload["fallbacks_tried"] == 0
    assert payload["request_id"] == "req_1"
    assert payload["cache_hit"] is False
    assert payload["error_str"] is None
    assert payload["error_class"] is None
    assert payload["startTime"] <= payload["endTime"]
    assert "response_cost" in kwargs
    assert isinstance(kwargs["start_time"], datetime)


def test_final_failure_fires_once_after_retries_with_the_error() -> None:
    recorder = Recorder()
    with pytest.raises(llmport.InternalServerError):
        client(answers(error(500), error(500), error(500)), recorder).completion("gpt-4o", USER)
    assert recorder.kinds() == ["pre", "failure"]
    kwargs = recorder.final()
    payload = kwargs["standard_logging_object"]
    assert payload["status"] == "failure"
    assert payload["error_class"] == "InternalServerError"
    assert payload["attempts"] == 3
    assert "status 500" in payload["error_str"]
    assert isinstance(kwargs["exception"], llmport.InternalServerError)
    assert recorder.events[-1][2] is None


def test_retry_then_success_fires_success_once_counting_attempts() -> None:
    recorder = Recorder()
    client(answers(error(503), chat()), recorder).completion("gpt-4o", USER)
    assert recorder.kinds() == ["pre", "success"]
    assert recorder.final()["standard_logging_object"]["attempts"] == 2


def test_fallback_fires_once_naming_the_model_that_answered() -> None:
    recorder = Recorder()
    handler = answers(error(500), error(500), error(500), chat("from fallback"))
    client(handler, recorder).completion("gpt-4o", USER, fallbacks=["openai/gpt-4o-mini"])
    assert recorder.kinds() == ["pre", "success"]
    payload = recorder.final()["standard_logging_object"]
    assert payload["fallbacks_tried"] == 1
    assert payload["attempts"] == 4


def test_cache_hit_fires_once_per_call_and_says_so() -> None:
    recorder = Recorder()
    c = client(answers(chat()), recorder, cache=MemoryCache())
    c.completion("gpt-4o", USER, caching=True)
    c.completion("gpt-4o", USER, caching=True)
    assert recorder.kinds() == ["pre", "success", "pre", "success"]
    second = recorder.final()["standard_logging_object"]
    assert second["cache_hit"] is True
    assert second["attempts"] == 0


def test_stream_fires_success_after_the_last_chunk_with_the_folded_response() -> None:
    recorder = Recorder()
    stream = client(answers(sse(delta("he"), delta("llo", "stop"), USAGE_CHUNK)), recorder).completion(
        "gpt-4o", USER, stream=True
    )
    assert recorder.kinds() == ["pre"]
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream)
    assert text == "hello"
    assert recorder.kinds() == ["pre", "success"]
    kwargs = recorder.final()
    assert kwargs["complete_streaming_response"].choices[0].message.content == "hello"
    payload = kwargs["standard_logging_object"]
    assert payload["stream"] is True
    assert payload["completion_tokens"] == 2
    assert payload["completionStartTime"] is not None
    stream.close()
    assert recorder.kinds() == ["pre", "success"]


def test_stream_error_fires_failure_once() -> None:
    recorder = Recorder()
    cut = sse(delta("he"), delta("l"), done=False)
    stream = client(answers(cut), recorder).completion("gpt-4o", USER, stream=True)
    with pytest.raises(llmport.APIConnectionError):
        list(stream)
    assert recorder.kinds() == ["pre", "failure"]
    assert recorder.final()["standard_logging_object"]["error_class"] == "APIConnectionError"


@pytest.mark.parametrize("read", [0, 1])
def test_stream_stopped_early_fires_success_once_on_close(read: int) -> None:
    recorder = Recorder()
    stream = client(answers(sse(delta("a"), delta("b"), delta("c", "stop"))), recorder).completion(
        "gpt-4o", USER, stream=True
    )
    for _ in range(read):
        next(stream)
    stream.close()
    stream.close()
    assert recorder.kinds() == ["pre", "success"]


async def test_async_success_awaits_async_twins_once() -> None:
    recorder = AsyncRecorder()
    await client(answers(chat()), recorder).acompletion("gpt-4o", USER)
    assert recorder.events == ["pre", "success"]


async def test_async_failure_awaits_the_failure_twin_once() -> None:
    recorder = AsyncRecorder()
    with pytest.raises(llmport.BadRequestError):
        await client(answers(error(400)), recorder).acompletion("gpt-4o", USER)
    assert recorder.events == ["pre", "failure"]


async def test_sync_handlers_run_in_a_worker_thread_on_async_calls() -> None:
    recorder = Recorder()
    await client(answers(chat()), recorder).acompletion("gpt-4o", USER)
    assert recorder.kinds() == ["pre", "success"]
    assert recorder.threads != [threading.current_thread().name]


async def test_async_stream_fires_success_after_the_last_chunk() -> None:
    recorder = AsyncRecorder()
    stream = await client(answers(sse(delta("a"), delta("b", "stop"), USAGE_CHUNK)), recorder).acompletion(
        "gpt-4o", USER, stream=True
    )
    assert recorder.events == ["pre"]
    chunks = [chunk async for chunk in stream]
    assert len(chunks) == 2
    assert recorder.events == ["pre", "success"]


async def test_async_stream_closed_early_fires_once() -> None:
    recorder = AsyncRecorder()
    stream = await client(answers(sse(delta("a"), delta("b", "stop"))), recorder).acompletion(
        "gpt-4o", USER, stream=True
    )
    await stream.aclose()
    await stream.aclose()
    assert recorder.events == ["pre", "success"]


def test_plain_functions_are_success_and_failure_handlers() -> None:
    seen: list[tuple[str, Any]] = []

    def on_success(kwargs, completion_response, start_time, end_time):  # type: ignore[no-untyped-def]
        seen.append(("ok", completion_response.choices[0].message.content))

    def on_failure(kwargs, completion_response, start_time, end_time):  # type: ignore[no-untyped-def]
        seen.append(("failed", kwargs["standard_logging_object"]["error_class"]))

    c = client(answers(chat(), error(401)), success_callback=[on_success], failure_callback=[on_failure])
    c.completion("gpt-4o", USER)
    with pytest.raises(llmport.AuthenticationError):
        c.completion("gpt-4o", USER)
    assert seen == [("ok", "hello"), ("failed", "AuthenticationError")]


def test_per_call_callbacks_add_to_the_clients() -> None:
    mine, theirs = Recorder(), Recorder()
    c = client(answers(chat(), chat()), theirs)
    c.completion("gpt-4o", USER, callbacks=[mine])
    c.completion("gpt-4o", USER)
    assert mine.kinds() == ["pre", "success"]
    assert theirs.kinds() == ["pre", "success", "pre", "success"]


def test_a_failing_callback_is_logged_and_swallowed_and_others_still_run() -> None:
    def broken(kwargs, completion_response, start_time, end_time):  # type: ignore[no-untyped-def]
        raise ValueError("callback bug")

    recorder = Recorder()
    c = client(answers(chat()), recorder, success_callback=[broken])
    assert c.completion("gpt-4o", USER).choices[0].message.content == "hello"
    assert recorder.kinds() == ["pre", "success"]
    logger = c.dispatcher.logger
    assert isinstance(logger, MemoryLogger)
    warnings = [event for event in logger.events if event.level == "WARNING"]
    assert len(warnings) == 1
    assert "observer failed" in warnings[0].message
    assert "callback bug" in str(warnings[0].fields["detail"])


def test_async_function_handlers_run_on_sync_calls() -> None:
    seen: list[str] = []

    async def on_success(kwargs, completion_response, start_time, end_time):  # type: ignore[no-untyped-def]
        seen.append(kwargs["standard_logging_object"]["status"])

    client(answers(chat()), success_callback=[on_success]).completion("gpt-4o", USER)
    assert seen == ["success"]


def test_integration_names_are_refused_naming_the_argument() -> None:
    with pytest.raises(TypeError, match=r"success_callback\[0\].*langfuse"):
        client(answers(chat()), success_callback=["langfuse"])
    with pytest.raises(llmport.BadRequestError, match=r"callbacks\[0\]"):
        client(answers(chat())).completion("gpt-4o", USER, callbacks=["langfuse"])


def test_module_level_lists_configure_the_default_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmport.app import default

    monkeypatch.setattr(default, "_default", default._DefaultClient())
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    recorder = Recorder()
    seen: list[str] = []
    litellm.callbacks = [recorder]
    litellm.success_callback.append(lambda kwargs, response, start, end: seen.append("fn"))
    assert litellm.callbacks == [recorder]
    litellm.completion("gpt-4o", USER, mock_response="hi")
    assert recorder.kinds() == ["pre", "success"]
    assert seen == ["fn"]
    litellm.callbacks = []
    litellm.completion("gpt-4o", USER, mock_response="hi")
    assert recorder.kinds() == ["pre", "success"]
    assert seen == ["fn", "fn"]


async def test_a_failing_async_callback_is_swallowed_on_async_calls() -> None:
    class Broken(CustomLogger):
        async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
            raise RuntimeError("async callback bug")

    recorder = AsyncRecorder()
    c = client(answers(chat()), Broken(), recorder)
    response = await c.acompletion("gpt-4o", USER)
    assert response.choices[0].message.content == "hello"
    assert recorder.events == ["pre", "success"]
    logger = c.dispatcher.logger
    assert isinstance(logger, MemoryLogger)
    assert any("async callback bug" in str(event.fields.get("detail")) for event in logger.events)


async def test_a_sync_stream_read_with_async_for_reports_once() -> None:
    recorder = Recorder()
    stream = client(answers(sse(delta("a"), delta("b", "stop"))), recorder).completion(
        "gpt-4o", USER, stream=True
    )
    chunks = [chunk async for chunk in stream]
    assert len(chunks) == 2
    assert recorder.kinds() == ["pre", "success"]

"""Acceptance: a litellm CustomLogger, the log line and costs, over loopback HTTP on both transports."""

from __future__ import annotations

from typing import Any

import pytest

import llmport
import llmport as litellm
from llmport.integrations.custom_logger import CustomLogger
from llmport.testing import FakeOpenAIServer, MemoryLogger

from .conftest import FAKE_OPENAI_KEY

pytestmark = pytest.mark.acceptance

POEM = [{"role": "user", "content": "Write a short poem."}]


class Handler(CustomLogger):
    """As written for litellm (only the import line differs)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, dict[str, Any]]] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        self.events.append(("success", kwargs))

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        self.events.append(("failure", kwargs))

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        self.events.append(("async success", kwargs))

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        self.events.append(("async failure", kwargs))


@pytest.fixture
def handler(openai_env: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> Handler:
    from llmport.app import default

    monkeypatch.setattr(default, "_default", default._DefaultClient())
    made = Handler()
    litellm.callbacks = [made]
    return made


def test_sync_stream_and_early_stop_each_report_once(handler: Handler) -> None:
    for chunk in litellm.completion(model="gpt-4", messages=POEM, stream=True):
        assert chunk.choices
    stream = litellm.completion(model="gpt-4", messages=POEM, stream=True)
    next(iter(stream))
    stream.close()
    assert [kind for kind, _ in handler.events] == ["success", "success"]
    assert all(kwargs["standard_logging_object"]["stream"] for _, kwargs in handler.events)


async def test_async_streams_over_the_default_async_transport_report_once(handler: Handler) -> None:
    stream = await litellm.acompletion(model="gpt-4", messages=POEM, stream=True)
    text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
    early = await litellm.acompletion(model="gpt-4", messages=POEM, stream=True)
    async for _ in early:
        break
    await early.aclose()
    with pytest.raises(litellm.RateLimitError):
        await litellm.acompletion(model="openai/fake-error-429", messages=POEM, num_retries=0)
    assert [kind for kind, _ in handler.events] == ["async success", "async success", "async failure"]
    first = handler.events[0][1]
    assert first["complete_streaming_response"].choices[0].message.content == text
    assert handler.events[2][1]["standard_logging_object"]["error_class"] == "RateLimitError"


@pytest.mark.parametrize("async_transport", ["aiohttp", "httpx"])
async def test_the_log_line_and_cost_over_both_async_transports(
    server: FakeOpenAIServer, async_transport: str
) -> None:
    logger = MemoryLogger("INFO")
    async with llmport.Client(
        api_base=server.base_url,
        api_key=FAKE_OPENAI_KEY,
        logger=logger,
        async_transport=async_transport,  # type: ignore[arg-type]
    ) as client:
        response = await client.acompletion("gpt-4o", POEM)
    (event,) = [e for e in logger.events if e.message.startswith("llmport call ")]
    assert event.fields["status"] == "ok"
    assert event.fields["prompt_tokens"] == response.usage.prompt_tokens
    assert event.fields["cost"] == response._hidden_params["response_cost"]
    assert FAKE_OPENAI_KEY not in event.message

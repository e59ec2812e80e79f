"""OpenTelemetry GenAI spans, checked with the SDK's in-memory exporter."""

from __future__ import annotations

import json
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import llmport
from llmport.testing import FakeClock, FakeTransport, MemoryLogger, StaticCredentials

from .conftest import USER, chat
from .test_callbacks import USAGE_CHUNK, answers, delta, error, sse

KEY = "sk-test-secret-key-123"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


def client(handler: Any, exporter: InMemorySpanExporter, **options: Any) -> llmport.Client:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return llmport.Client(
        transport=FakeTransport(handler),
        clock=FakeClock(),
        logger=MemoryLogger("ERROR"),
        credentials=StaticCredentials({"OPENAI_API_KEY": KEY}),
        tracer_provider=provider,
        **options,
    )


def spans(exporter: InMemorySpanExporter) -> tuple[ReadableSpan, list[ReadableSpan]]:
    finished = list(exporter.get_finished_spans())
    (call,) = [span for span in finished if span.parent is None]
    children = [span for span in finished if span.parent is not None]
    assert all(
        child.parent is not None and child.parent.span_id == call.context.span_id for child in children
    )
    return call, children


def test_a_call_is_one_chat_span_with_genai_attributes(exporter: InMemorySpanExporter) -> None:
    client(answers(chat()), exporter).completion("gpt-4o", USER, temperature=0.3, max_tokens=20)
    call, attempts = spans(exporter)
    assert call.name == "chat gpt-4o"
    assert call.kind == SpanKind.CLIENT
    attributes = dict(call.attributes or {})
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.provider.name"] == "openai"
    assert attributes["gen_ai.request.model"] == "gpt-4o"
    assert attributes["gen_ai.response.model"] == "gpt-4o-2024-08-06"
    assert attributes["gen_ai.request.temperature"] == 0.3
    assert attributes["gen_ai.request.max_tokens"] == 20
    assert attributes["gen_ai.usage.input_tokens"] == 3
    assert attributes["gen_ai.usage.output_tokens"] == 1
    assert attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert attributes["gen_ai.response.id"] == "chatcmpl-1"
    assert attributes["server.address"] == "api.openai.com"
    assert attributes["server.port"] == 443
    assert "gen_ai.input.messages" not in attributes
    assert len(attempts) == 1


def test_retries_are_child_spans_and_a_failure_records_its_error_type(exporter: InMemorySpanExporter) -> None:
    with pytest.raises(llmport.InternalServerError):
        client(answers(error(500), error(500), error(500)), exporter).completion("gpt-4o", USER)
    call, attempts = spans(exporter)
    assert len(attempts) == 3
    assert [dict(a.attributes or {})["llmport.attempt"] for a in attempts] == [1, 2, 3]
    assert all(dict(a.attributes or {})["error.type"] == "InternalServerError" for a in attempts)
    assert call.status.status_code == StatusCode.ERROR
    assert dict(call.attributes or {})["error.type"] == "InternalServerError"


def test_a_stream_span_ends_after_the_last_chunk(exporter: InMemorySpanExporter) -> None:
    stream = client(answers(sse(delta("a"), delta("b", "stop"), USAGE_CHUNK)), exporter).completion(
        "gpt-4o", USER, stream=True
    )
    assert [s for s in exporter.get_finished_spans() if s.parent is None] == []
    list(stream)
    call, _ = spans(exporter)
    assert dict(call.attributes or {})["gen_ai.usage.output_tokens"] == 2


async def test_async_calls_are_traced_too(exporter: InMemorySpanExporter) -> None:
    await client(answers(chat()), exporter).acompletion("gpt-4o", USER)
    call, _ = spans(exporter)
    assert call.name == "chat gpt-4o"


def test_content_only_on_request_and_scrubbed(exporter: InMemorySpanExporter) -> None:
    messages = [{"role": "user", "content": f"my key is {KEY}"}]
    client(answers(chat()), exporter, trace_content=True).completion("gpt-4o", messages)
    call, _ = spans(exporter)
    attributes = dict(call.attributes or {})
    sent = str(attributes["gen_ai.input.messages"])
    assert KEY not in sent
    assert "[REDACTED]" in sent
    assert json.loads(str(attributes["gen_ai.output.messages"]))[0]["content"] == "hello"


def test_off_without_a_tracer_provider_or_when_disabled(exporter: InMemorySpanExporter) -> None:
    plain = llmport.Client(
        transport=FakeTransport(answers(chat())), credentials=StaticCredentials({"OPENAI_API_KEY": KEY})
    )
    observers = plain.dispatcher.observers
    assert not any(observer.active(_request()) for observer in observers)
    client(answers(chat()), exporter, tracing=False).completion("gpt-4o", USER)
    assert exporter.get_finished_spans() == ()


def _request() -> Any:
    from llmport.domain.models.request import build_request

    return build_request("gpt-4o", USER, {})

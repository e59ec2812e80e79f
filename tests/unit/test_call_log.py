"""One structured log event per finished call, through the logger port and both logging adapters."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from loguru import logger as loguru

import llmport
from llmport.adapters.logging.loguru_logger import LoguruLogger
from llmport.adapters.logging.stdlib_logger import StdlibLogger
from llmport.testing import FakeClock, FakeTransport, HttpResponse, MemoryLogger, StaticCredentials

from .conftest import USER, chat
from .test_callbacks import USAGE_CHUNK, answers, delta, error, sse

KEY = "sk-test-secret-key-123"


def client(handler: Any, logger: Any, **options: Any) -> llmport.Client:
    return llmport.Client(
        transport=FakeTransport(handler),
        clock=FakeClock(),
        logger=logger,
        credentials=StaticCredentials({"OPENAI_API_KEY": KEY}),
        **options,
    )


def calls(logger: MemoryLogger) -> list[Any]:
    return [event for event in logger.events if event.message.startswith("llmport call ")]


def test_a_successful_call_leaves_one_info_line_with_its_fields_in_message_and_extra() -> None:
    memory = MemoryLogger("INFO")
    client(answers(chat()), memory).completion("gpt-4o", USER, metadata={"tenant": "acme", "model": "x"})
    assert [event.level for event in memory.events] == ["INFO"]
    (event,) = calls(memory)
    assert event.message == (
        "llmport call provider=openai model=gpt-4o status=ok latency_ms=0 ttft_ms=None prompt_tokens=3 "
        "completion_tokens=1 cost=0.0000175 cache_hit=False attempts=1 request_id=req_1"
    )
    assert event.fields["provider"] == "openai"
    assert event.fields["prompt_tokens"] == 3
    assert event.fields["attempts"] == 1
    assert event.fields["cost"] == pytest.approx((3 * 2.5 + 1 * 10) / 1e6)  # gpt-4o-2024-08-06
    assert event.fields["tenant"] == "acme"
    assert event.fields["model"] == "gpt-4o"  # a metadata key never overwrites a field


def test_a_final_failure_logs_a_warning_with_class_and_status() -> None:
    memory = MemoryLogger("INFO")
    with pytest.raises(llmport.AuthenticationError):
        client(answers(error(401)), memory).completion("gpt-4o", USER)
    (event,) = calls(memory)
    assert event.level == "WARNING"
    assert "status=AuthenticationError" in event.message
    assert "status_code=401" in event.message
    assert event.fields["status_code"] == 401


def test_a_5xx_after_retries_logs_an_error() -> None:
    memory = MemoryLogger("INFO")
    with pytest.raises(llmport.InternalServerError):
        client(answers(error(500), error(500), error(500)), memory).completion("gpt-4o", USER)
    (event,) = calls(memory)
    assert event.level == "ERROR"
    assert event.fields["attempts"] == 3


def test_debug_has_one_event_per_attempt_and_per_retry_sleep() -> None:
    memory = MemoryLogger("DEBUG")
    client(answers(error(503), chat()), memory).completion("gpt-4o", USER)
    kinds = [" ".join(event.message.split(" ")[:2]) for event in memory.events]
    assert kinds.count("llmport attempt") == 2
    assert kinds.count("llmport retry") == 1
    assert kinds.count("llmport call") == 1
    attempts = [event for event in memory.events if event.message.startswith("llmport attempt")]
    assert [event.fields["status"] for event in attempts] == ["ServiceUnavailableError", "ok"]


def test_a_stream_logs_latency_and_time_to_first_token_after_its_end() -> None:
    memory = MemoryLogger("INFO")
    stream = client(answers(sse(delta("a"), delta("b", "stop"), USAGE_CHUNK)), memory).completion(
        "gpt-4o", USER, stream=True
    )
    assert calls(memory) == []
    list(stream)
    (event,) = calls(memory)
    assert event.fields["latency_ms"] is not None
    assert event.fields["ttft_ms"] is not None
    assert event.fields["completion_tokens"] == 2


def test_a_silent_logger_means_no_watch_at_all() -> None:
    memory = MemoryLogger("ERROR")
    response = client(answers(chat()), memory).completion("gpt-4o", USER)
    assert response.choices[0].message.content == "hello"
    assert memory.events == []


@pytest.fixture
def loguru_records() -> Iterator[list[dict[str, Any]]]:
    records: list[dict[str, Any]] = []
    sink = loguru.add(lambda m: records.append(json.loads(m)["record"]), level="TRACE", serialize=True)
    yield records
    loguru.remove(sink)


def test_the_loguru_adapter_shows_the_line_and_keeps_fields_in_extra(loguru_records: list[Any]) -> None:
    client(answers(chat()), LoguruLogger("INFO")).completion("gpt-4o", USER, metadata={"tenant": "acme"})
    (record,) = loguru_records
    assert record["message"].startswith("llmport call provider=openai model=gpt-4o status=ok")
    assert record["extra"]["tenant"] == "acme"
    assert record["extra"]["completion_tokens"] == 1


def test_the_loguru_adapter_stays_silent_until_a_level_is_set(
    loguru_records: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLMPORT_LOG", raising=False)
    client(answers(chat()), LoguruLogger()).completion("gpt-4o", USER)
    assert loguru_records == []


def test_the_stdlib_adapter_emits_records_with_fields_as_attributes(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="llmport"):
        client(answers(chat()), StdlibLogger()).completion(
            "gpt-4o", USER, metadata={"tenant": "acme", "name": f"key {KEY}"}
        )
    (record,) = caplog.records
    assert record.name == "llmport"
    assert record.levelno == logging.INFO
    assert record.getMessage().startswith("llmport call provider=openai")
    assert record.__dict__["tenant"] == "acme"
    assert record.__dict__["llmport_name"] == "key [REDACTED]"  # `name` is a LogRecord attribute
    assert record.__dict__["prompt_tokens"] == 3


def test_the_stdlib_adapter_follows_the_hosts_configuration(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="llmport"):
        client(answers(chat()), StdlibLogger()).completion("gpt-4o", USER)
    assert caplog.records == []
    assert not StdlibLogger(level="ERROR").enabled("WARNING")
    with pytest.raises(ValueError, match="log level"):
        StdlibLogger(level="LOUD")


def test_the_stdlib_adapter_scrubs_messages_and_fields(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="llmport"):
        StdlibLogger().log("INFO", f"saw {KEY}", url=f"http://h/v1?key={KEY}", items=[KEY])
    (record,) = caplog.records
    text = record.getMessage() + repr(record.__dict__)
    assert KEY not in text
    assert "[REDACTED]" in text


def test_http_response_headers_name_the_request_id() -> None:
    memory = MemoryLogger("INFO")
    answer = HttpResponse.from_json(chat().json(), headers={"request-id": "anthropic-style"})
    client(answers(answer), memory).completion("gpt-4o", USER)
    assert calls(memory)[0].fields["request_id"] == "anthropic-style"

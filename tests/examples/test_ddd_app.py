"""The DDD host application of examples/ddd_app, run on fake transports and scoped overrides."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from dependency_injector import providers

import llmport
from llmport.testing import FakeTransport, anthropic_reply, openai_reply

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CONFIG = {
    "model": "openai/gpt-4o-mini",
    "llm": {"api_key": "sk-host-config", "num_retries": 0, "timeout": 20},
}


@pytest.fixture
def ddd(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    importlib.import_module("ddd_app.container")
    importlib.import_module("ddd_app.domain")
    return sys.modules["ddd_app"]


@pytest.fixture
def app(ddd: ModuleType) -> Iterator[Any]:
    application = ddd.container.Application()
    application.config.from_dict(CONFIG)
    yield application
    application.llm.shutdown_resources()


def test_the_service_triages_through_llmport_with_the_hosts_config(app: Any, ddd: ModuleType) -> None:
    fake = FakeTransport(lambda request: openai_reply("urgent: payment page returns an error"))
    with app.llm.transport.override(providers.Object(fake)):
        triage = app.triage_service().triage(ddd.domain.Ticket("T-1", "I cannot pay, the page crashes!"))
    assert triage.priority is ddd.domain.Priority.URGENT
    assert triage.summary == "payment page returns an error"
    request = fake.last_request
    assert request.headers["authorization"] == "Bearer sk-host-config"
    assert request.timeout.read == 20
    assert request.json()["messages"][-1]["content"] == "I cannot pay, the page crashes!"


def test_the_override_is_scoped_to_the_with_block(app: Any, ddd: ModuleType) -> None:
    first = FakeTransport(lambda request: openai_reply("low: a question about invoices"))
    second = FakeTransport(lambda request: "normal: a feature request")
    service = app.triage_service()
    with app.llm.transport.override(providers.Object(first)):
        service.triage(ddd.domain.Ticket("T-1", "Where is my invoice?"))
    with app.llm.transport.override(providers.Object(second)):
        triage = service.triage(ddd.domain.Ticket("T-2", "Please add dark mode"))
    assert triage.priority is ddd.domain.Priority.NORMAL
    assert (len(first.requests), len(second.requests)) == (1, 1)


def test_the_sub_container_has_its_own_cache(app: Any, ddd: ModuleType) -> None:
    fake = FakeTransport(lambda request: openai_reply("low: same question"))
    with app.llm.transport.override(providers.Object(fake)):
        model = app.model()
        for ticket_id in ("T-1", "T-2"):  # two tickets, the same text: one provider call
            model.triage(ddd.domain.Ticket(ticket_id, "How do I reset my password?"))
    assert len(fake.requests) == 1
    assert isinstance(app.llm_cache(), llmport.MemoryCache)
    assert len(app.llm_cache()) == 1


def test_llmport_logs_through_the_hosts_stdlib_logging(
    app: Any, ddd: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeTransport(lambda request: openai_reply("low: hello"))
    with (
        caplog.at_level(logging.DEBUG, logger="ddd_app.llm"),
        app.llm.transport.override(providers.Object(fake)),
    ):
        app.triage_service().triage(ddd.domain.Ticket("T-9", "hello"))
    records = [record for record in caplog.records if record.name == "ddd_app.llm"]
    assert records
    assert all("sk-host-config" not in record.getMessage() + repr(record.llmport) for record in records)


def test_another_provider_is_a_config_change(app: Any, ddd: ModuleType) -> None:
    app.config.model.from_value("anthropic/claude-3-5-haiku-latest")
    app.model.reset()
    fake = FakeTransport(lambda request: anthropic_reply("urgent: server is down"))
    with app.llm.transport.override(providers.Object(fake)):
        triage = app.triage_service().triage(ddd.domain.Ticket("T-3", "Everything is down"))
    assert triage.priority is ddd.domain.Priority.URGENT
    assert fake.last_request.headers["x-api-key"] == "sk-host-config"

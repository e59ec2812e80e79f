"""Shared fixtures: a client wired with fakes at every edge (the production wiring otherwise)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import llmport
from llmport.testing import (
    FakeClock,
    FakeTransport,
    HttpRequest,
    HttpResponse,
    MemoryLogger,
    StaticCredentials,
)

CHAT = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-2024-08-06",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}
USER = [{"role": "user", "content": "hi"}]


def chat(content: str = "hello", **extra: Any) -> HttpResponse:
    body = {
        **CHAT,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
    }
    return HttpResponse.from_json({**body, **extra}, headers={"x-request-id": "req_1"})


class Harness:
    """A client whose transport answers with `handler`, plus the fakes to inspect."""

    def __init__(self, handler: Callable[[HttpRequest], Any]) -> None:
        self.transport = FakeTransport(handler)
        self.clock = FakeClock()
        self.logger = MemoryLogger()
        self.client = llmport.Client(
            transport=self.transport,
            clock=self.clock,
            logger=self.logger,
            credentials=StaticCredentials({"OPENAI_API_KEY": "sk-test-secret-key-123"}),
        )


@pytest.fixture
def harness() -> Callable[[Callable[[HttpRequest], Any]], Harness]:
    return Harness


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> None:
    """A provider llmport names as planned ("not available yet"): every one once planned has arrived."""
    from llmport.adapters.providers import registry

    monkeypatch.setitem(registry.PLANNED, "future_ai", "the Future codec")

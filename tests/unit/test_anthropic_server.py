"""FakeAnthropicServer refuses what the Messages API refuses, and answers in its shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from llmport.testing import FakeAnthropicServer

HEADERS = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}
BODY: dict[str, Any] = {
    "model": "claude-3-haiku-20240307",
    "max_tokens": 50,
    "messages": [{"role": "user", "content": "hi"}],
}


@pytest.fixture
def server() -> Iterator[FakeAnthropicServer]:
    with FakeAnthropicServer() as srv:
        yield srv


def post(
    server: FakeAnthropicServer, body: Any, headers: dict[str, str] | None = None, path: str = "/v1/messages"
) -> httpx.Response:
    with httpx.Client(base_url=server.base_url) as client:
        return client.post(path, json=body, headers=HEADERS if headers is None else headers)


@pytest.mark.parametrize(
    ("body", "headers", "status", "kind"),
    [
        ({k: v for k, v in BODY.items() if k != "max_tokens"}, HEADERS, 400, "invalid_request_error"),
        ({**BODY, "messages": [{"role": "system", "content": "x"}]}, HEADERS, 400, "invalid_request_error"),
        (
            {**BODY, "thinking": {"type": "enabled", "budget_tokens": 100}},
            HEADERS,
            400,
            "invalid_request_error",
        ),
        (BODY, {"anthropic-version": "2023-06-01"}, 401, "authentication_error"),
        (BODY, {"x-api-key": "k"}, 400, "invalid_request_error"),
        ({**BODY, "model": "fake-error-529"}, HEADERS, 529, "overloaded_error"),
    ],
)
def test_refusals_have_anthropic_error_shape(
    server: FakeAnthropicServer, body: Any, headers: dict[str, str], status: int, kind: str
) -> None:
    response = post(server, body, headers)
    assert response.status_code == status
    assert response.json()["type"] == "error"
    assert response.json()["error"]["type"] == kind
    assert response.headers["request-id"].startswith("req_fake")


def test_unknown_path_is_not_found(server: FakeAnthropicServer) -> None:
    assert post(server, BODY, path="/v1/chat/completions").status_code == 404


def test_a_whole_message(server: FakeAnthropicServer) -> None:
    message = post(server, BODY).json()
    assert message["type"] == "message"
    assert message["content"] == [
        {
            "type": "text",
            "text": "This is a fake reply from llmport's loopback Anthropic server. You said: hi",
        }
    ]
    assert message["stop_reason"] == "end_turn"
    assert message["usage"]["input_tokens"] == 1
    assert server.requests[-1].body == BODY


def test_max_tokens_and_stop_sequences_cut_the_text(server: FakeAnthropicServer) -> None:
    assert post(server, {**BODY, "max_tokens": 3}).json()["stop_reason"] == "max_tokens"
    cut = post(server, {**BODY, "stop_sequences": ["loopback"]}).json()
    assert cut["stop_reason"] == "stop_sequence"
    assert cut["content"][0]["text"].endswith("llmport's ")


def test_a_stream_is_anthropic_events(server: FakeAnthropicServer) -> None:
    text = post(server, {**BODY, "stream": True}).text
    names = [line.removeprefix("event: ") for line in text.splitlines() if line.startswith("event: ")]
    assert names[:3] == ["message_start", "ping", "content_block_start"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]

"""Input that cannot be sent is refused before anything is: BadRequestError naming the field, never retried.

Before, each of these escaped as a foreign exception (RecursionError, TypeError, ValueError,
OverflowError, an h11 error), was sent as invalid JSON, or became a retried connection error.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

import llmport
from llmport import BadRequestError
from llmport.ports.transport import HttpResponse
from llmport.testing import FakeClock, FakeTransport

USER = [{"role": "user", "content": "hi"}]


def deep(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        value = {"type": "object", "properties": {"x": value}}
    return value


def tool(parameters: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": "f", "parameters": parameters}}


BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("deep-tool-schema", {"tools": [tool(deep(10_000))]}, "tools[0]"),
    (
        "deep-response-format",
        {"response_format": {"type": "json_schema", "json_schema": deep(5_000)}},
        "response_format",
    ),
    ("tuple-key", {"extra_body": {("a", "b"): 1}}, "extra_body"),
    ("set-in-extra-body", {"extra_body": {"tags": {"a", "b"}}}, "extra_body"),
    ("bytes-in-extra-body", {"extra_body": {"blob": b"\x00\x01"}}, "extra_body"),
    ("nan-temperature", {"temperature": math.nan}, "temperature"),
    ("inf-in-extra-body", {"extra_body": {"x": [1.0, math.inf]}}, "extra_body"),
    ("nan-in-tool", {"tools": [tool({"type": "number", "maximum": math.nan})]}, "tools[0]"),
    ("nan-timeout", {"timeout": math.nan}, "timeout"),
    ("inf-timeout", {"timeout": math.inf}, "timeout"),
    ("inf-timeout-text", {"timeout": "inf"}, "timeout"),
    ("nan-cache-ttl", {"cache": {"ttl": math.nan}}, "cache['ttl']"),
    ("inf-cache-ttl", {"cache": {"ttl": math.inf}}, "cache['ttl']"),
    ("content-length-header", {"extra_headers": {"Content-Length": "5"}}, "extra_headers['Content-Length']"),
    (
        "transfer-encoding-header",
        {"extra_headers": {"transfer-encoding": "chunked"}},
        "extra_headers['transfer-encoding']",
    ),
    (
        "crlf-in-header-value",
        {"extra_headers": {"x-tenant": "a\r\nx-injected: 1"}},
        "extra_headers['x-tenant']",
    ),
    ("crlf-in-header-name", {"extra_headers": {"x-a\r\nx-b": "1"}}, "extra_headers"),
    ("file-scheme", {"api_base": "file:///etc/passwd"}, "api_base"),
    ("gopher-scheme", {"api_base": "gopher://127.0.0.1:70/"}, "api_base"),
    ("no-scheme", {"api_base": "127.0.0.1:8000/v1"}, "api_base"),
    ("bad-port", {"api_base": "http://127.0.0.1:99999/v1"}, "api_base"),
    ("space-in-host", {"api_base": "http://exa mple.com/v1"}, "api_base"),
]


@pytest.mark.parametrize(
    ("kwargs", "param"), [(k, p) for _, k, p in BAD_INPUT], ids=[n for n, _, _ in BAD_INPUT]
)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_bad_input_is_a_bad_request_naming_the_field_before_any_request(
    kwargs: dict[str, Any], param: str, mode: str
) -> None:
    transport = FakeTransport(lambda request: HttpResponse(503))  # retried, were it ever sent
    client = llmport.Client(api_key="sk-bad-input", transport=transport, clock=FakeClock(), num_retries=3)
    with pytest.raises(BadRequestError) as caught:
        call_in(mode, client, {"api_base": "http://127.0.0.1:9/v1", **kwargs})
    assert caught.value.param == param
    assert transport.requests == []  # nothing sent, so nothing retried


def call_in(mode: str, client: llmport.Client, kwargs: dict[str, Any]) -> None:
    if mode == "sync":
        client.completion("openai/m", USER, **kwargs)
    else:
        asyncio.run(client.acompletion("openai/m", USER, **kwargs))


def test_ordinary_input_still_passes() -> None:
    message = {"role": "assistant", "content": "fine"}
    answer = {
        "id": "c1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }  # fmt: skip
    transport = FakeTransport(responses=[HttpResponse.from_json(answer)])
    client = llmport.Client(api_key="sk-ok", transport=transport, clock=FakeClock())
    response = client.completion(
        "openai/m",
        USER,
        tools=[tool(deep(20))],
        logit_bias={50256: -100},  # integer keys, as json sends them
        extra_body={"x": (1, 2.5, None, True)},
        extra_headers={"x-tenant": "acme", "Host": "gateway.internal"},
        timeout=30,
        cache={"ttl": 60},
        api_base="https://127.0.0.1:9/v1?code=abc",
    )
    assert response.choices[0].message.content == "fine"
    assert len(transport.requests) == 1


def test_the_message_gives_the_path_of_the_offending_value() -> None:
    client = llmport.Client(
        api_key="sk-bad-input", transport=FakeTransport(lambda request: HttpResponse(503))
    )
    with pytest.raises(BadRequestError, match=r"extra_body\['x'\]\[1\] is inf"):
        client.completion(
            "openai/m", USER, api_base="http://127.0.0.1:9/v1", extra_body={"x": [1.0, math.inf]}
        )

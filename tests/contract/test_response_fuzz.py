"""Property tests of whole (non-streamed) answers: hostile bodies give llmport errors, never a crash.

A provider may answer 200 with JSON of the wrong shape, invalid UTF-8, a truncated body or a
huge one, and error statuses with any body at all. Through the public ``completion()`` every
such answer is either a correct ``ModelResponse`` or an ``llmport.APIError`` — never a
``KeyError``, ``TypeError`` or ``JSONDecodeError`` — and an error keeps its status code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import llmport
from llmport.testing import HttpRequest, HttpResponse

from .fixtures_loader import exchange_names, load_exchange
from .replay import MESSAGES, make_client

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=80,
    suppress_health_check=[HealthCheck.too_slow],
)
PROVIDERS = ["openai", "anthropic"]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
FIELDS = [
    "id", "object", "created", "model", "choices", "usage", "message", "delta", "content",
    "role", "tool_calls", "finish_reason", "index", "type", "text", "stop_reason", "error",
]  # fmt: skip
# Bodies shaped like answers, with any value in any of the fields both formats use.
SHAPED = st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=8)


def _recorded_success(provider: str) -> bytes:
    for name in exchange_names(provider):
        exchange = load_exchange(provider, name)
        if exchange.status == 200 and not exchange.is_stream:
            return exchange.body
    raise AssertionError(f"no recorded non-streamed success for {provider}")


def _complete(provider: str, status: int, body: bytes) -> tuple[Any, BaseException | None]:
    def answer(request: HttpRequest) -> HttpResponse:
        return HttpResponse(status, {"content-type": "application/json"}, body)

    client, _ = make_client(answer)
    try:
        return client.completion(f"{provider}/m", MESSAGES), None
    except Exception as error:  # collected: the test asserts what kind it is
        return None, error


def _check(status: int, result: Any, error: BaseException | None) -> None:
    assert error is None or isinstance(error, llmport.APIError), repr(error)
    if status >= 400:
        assert isinstance(error, llmport.APIError)
        assert error.status_code == status
    elif error is None:
        assert isinstance(result, llmport.ModelResponse)


@pytest.mark.parametrize("provider", PROVIDERS)
@FUZZ
@given(body=SHAPED, status=st.sampled_from([200, 200, 400, 401, 404, 422, 429, 500, 503, 529]))
def test_any_json_answer_gives_a_response_or_an_llmport_error(
    provider: str, body: dict[str, Any], status: int
) -> None:
    result, error = _complete(provider, status, json.dumps(body).encode())
    _check(status, result, error)


@pytest.mark.parametrize("provider", PROVIDERS)
@FUZZ
@given(cut=st.integers(min_value=0, max_value=1 << 16), junk=st.binary(max_size=16))
def test_a_truncated_or_corrupted_recorded_answer_gives_an_llmport_error(
    provider: str, cut: int, junk: bytes
) -> None:
    body = _recorded_success(provider)
    broken = body[: cut % len(body)] + junk
    result, error = _complete(provider, 200, broken)
    _check(200, result, error)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    "body",
    [b"", b"\xff\xfe\xfd", b"null", b"[]", b"<html>502 Bad Gateway</html>", b'{"choices": [', b"\x00" * 64],
    ids=["empty", "invalid-utf8", "null", "list", "html", "cut", "nul-bytes"],
)
def test_broken_bodies_are_response_validation_errors(provider: str, body: bytes) -> None:
    _, error = _complete(provider, 200, body)
    assert isinstance(error, llmport.APIResponseValidationError), repr(error)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_huge_answer_is_parsed_whole(provider: str) -> None:
    text = "x" * (16 * 1024 * 1024)
    answer = json.loads(_recorded_success(provider))
    if provider == "anthropic":
        answer["content"] = [{"type": "text", "text": text}]
    else:
        answer["choices"][0]["message"] = {"role": "assistant", "content": text}
    result, error = _complete(provider, 200, json.dumps(answer).encode())
    assert error is None
    assert result.choices[0].message.content == text


def _missing_required(provider: str, body: dict[str, Any]) -> bool:
    if "error" in body:
        return False  # an error payload is mapped to its own exception
    if provider == "openai":
        return "choices" not in body
    return body.get("type") != "message" or not isinstance(body.get("content"), list)


@pytest.mark.parametrize("provider", PROVIDERS)
@FUZZ
@given(body=SHAPED)
def test_an_answer_without_its_formats_required_fields_is_a_validation_error(
    provider: str, body: dict[str, Any]
) -> None:
    result, error = _complete(provider, 200, json.dumps(body).encode())
    if _missing_required(provider, body):
        assert isinstance(error, llmport.APIResponseValidationError), repr(result or error)


@pytest.mark.parametrize(
    ("provider", "body"),
    [
        ("openai", {}),
        ("openai", {"id": "chatcmpl-1", "object": "chat.completion", "model": "m"}),
        ("anthropic", {}),
        ("anthropic", {"id": "msg_1", "type": "message", "role": "assistant"}),
        ("anthropic", {"id": "msg_1", "role": "assistant", "content": [{"type": "text", "text": "hi"}]}),
    ],
    ids=["openai-empty", "openai-no-choices", "anthropic-empty", "anthropic-no-content", "anthropic-no-type"],
)
def test_a_wrong_shaped_answer_names_the_problem_with_a_snippet(provider: str, body: dict[str, Any]) -> None:
    _, error = _complete(provider, 200, json.dumps(body).encode())
    assert isinstance(error, llmport.APIResponseValidationError), repr(error)
    assert "body starts with" in str(error)
    assert error.status_code == 200


def _stream(provider: str, events: list[str]) -> BaseException | None:
    def answer(request: HttpRequest) -> HttpResponse:
        body = "".join(f"data: {event}\n\n" for event in events).encode()
        return HttpResponse(200, {"content-type": "text/event-stream"}, body)

    client, _ = make_client(answer)
    try:
        for _ in client.completion(f"{provider}/m", MESSAGES, stream=True):
            pass
    except Exception as error:  # collected: the test asserts what kind it is
        return error
    return None


@pytest.mark.parametrize(
    ("provider", "events"),
    [
        ("openai", ['{"id": "c1", "object": "chat.completion.chunk", "model": "m"}', "[DONE]"]),
        ("openai", ["{}", "[DONE]"]),
        ("anthropic", ['{"index": 0, "delta": {"text": "hi"}}']),
    ],
    ids=["openai-chunk-without-choices", "openai-empty-chunk", "anthropic-event-without-type"],
)
def test_a_wrong_shaped_stream_event_is_a_validation_error_with_a_snippet(
    provider: str, events: list[str]
) -> None:
    error = _stream(provider, events)
    assert isinstance(error, llmport.APIResponseValidationError), repr(error)
    assert "body starts with" in str(error)

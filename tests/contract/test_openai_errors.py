"""Contract tests: OpenAI error answers, malformed bodies and cut streams.

The recorded error fixtures are replayed as they are. Cases the corpus has no recording of (429,
5xx, context_length_exceeded, errors echoing the key, garbage bodies, cut streams) are
SYNTHESIZED here from OpenAI's documented error shape and are labelled as such.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.testing import HttpResponse

from .fixtures_loader import exchange_names, load_exchange
from .replay import (
    MESSAGES,
    astream_chunks,
    dumps,
    event_spans,
    make_client,
    pieces_at,
    raw_payloads,
    replay,
    stream_chunks,
)

MODEL = "openai/gpt-4o"
RECORDED_ERRORS = [name for name in exchange_names("openai") if load_exchange("openai", name).status >= 400]
STREAMS = [name for name in exchange_names("openai") if load_exchange("openai", name).is_stream]
BY_STATUS: dict[int, type[llmport.APIError]] = {
    400: llmport.BadRequestError,
    401: llmport.AuthenticationError,
}
TEXT_STREAM = load_exchange("openai", "stream_text_usage_gpt4o")


def _error_body(message: str, type_: str, code: str | None, param: str | None = None) -> bytes:
    return json.dumps({"error": {"message": message, "type": type_, "param": param, "code": code}}).encode()


def _raise(
    status: int, body: bytes, headers: dict[str, str] | None = None, **settings: Any
) -> llmport.APIError:
    client, fake = make_client(lambda request: HttpResponse(status, headers or {}, body), **settings)
    with pytest.raises(llmport.APIError) as caught:
        client.completion(MODEL, MESSAGES)
    assert len(fake.requests) == 1  # num_retries=0
    return caught.value


# -- recorded error answers -----------------------------------------------------------------


@pytest.mark.parametrize("name", RECORDED_ERRORS)
@pytest.mark.parametrize("streaming", [False, True], ids=["plain", "stream"])
def test_recorded_error_maps_to_its_class(name: str, streaming: bool) -> None:
    exchange = load_exchange("openai", name)
    recorded = json.loads(exchange.body)["error"]
    client, _ = make_client(replay(exchange))
    with pytest.raises(BY_STATUS[exchange.status]) as caught:
        client.completion(MODEL, MESSAGES, stream=streaming)  # a stream fails on opening, before iteration
    error = caught.value
    assert error.status_code == exchange.status
    assert error.llm_provider == "openai"
    assert (error.code, error.type, error.param) == (recorded["code"], recorded["type"], recorded["param"])
    assert error.request_id == exchange.headers.get("x-request-id")
    if "sk-" in recorded["message"]:  # a key-shaped string is scrubbed even when it is not ours
        assert error.message.startswith(recorded["message"].split("sk-")[0])
        assert "sk-" not in error.message
    else:
        assert error.message == recorded["message"]
    assert isinstance(error.body, dict)
    assert error.body["error"]["code"] == recorded["code"]


async def test_recorded_401_through_acompletion() -> None:
    client, _ = make_client(replay(load_exchange("openai", "error_401_invalid_api_key")))
    with pytest.raises(llmport.AuthenticationError) as caught:
        await client.acompletion(MODEL, MESSAGES, stream=True)
    assert caught.value.code == "invalid_api_key"


def test_recorded_401_with_a_synthesized_request_id_header() -> None:
    exchange = load_exchange("openai", "error_401_invalid_api_key")
    error = _raise(401, exchange.body, {"X-Request-Id": "req_synthesized_123"})
    assert isinstance(error, llmport.AuthenticationError)
    assert error.request_id == "req_synthesized_123"
    assert "req_synthesized_123" in str(error)


# -- SYNTHESIZED error answers (no recording exists) ----------------------------------------


def test_synthesized_context_length_exceeded() -> None:
    body = _error_body(
        "This model's maximum context length is 128000 tokens. "
        "However, your messages resulted in 130512 tokens.",
        "invalid_request_error",
        "context_length_exceeded",
        "messages",
    )
    error = _raise(400, body)
    assert isinstance(error, llmport.ContextWindowExceededError)
    assert isinstance(error, llmport.BadRequestError)
    assert (error.status_code, error.param, error.code) == (400, "messages", "context_length_exceeded")


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [({"retry-after": "7"}, 7.0), ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5), ({}, None)],
)
def test_synthesized_rate_limit_with_retry_after(headers: dict[str, str], seconds: float | None) -> None:
    body = _error_body(
        "Rate limit reached for gpt-4o on requests per min (RPM).", "requests", "rate_limit_exceeded"
    )
    error = _raise(429, body, {**headers, "x-request-id": "req_429"})
    assert isinstance(error, llmport.RateLimitError)
    assert (error.status_code, error.retry_after, error.request_id) == (429, seconds, "req_429")


def test_synthesized_insufficient_quota_is_a_rate_limit() -> None:
    error = _raise(
        429, _error_body("You exceeded your current quota.", "insufficient_quota", "insufficient_quota")
    )
    assert isinstance(error, llmport.RateLimitError)
    assert error.code == "insufficient_quota"


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (
            503,
            _error_body("The engine is currently overloaded.", "server_error", None),
            llmport.ServiceUnavailableError,
        ),
        (503, b"Service Unavailable", llmport.ServiceUnavailableError),
        (500, _error_body("The server had an error.", "server_error", None), llmport.InternalServerError),
        (502, b"<html>502 Bad Gateway</html>", llmport.BadGatewayError),
    ],
)
def test_synthesized_server_errors(status: int, body: bytes, cls: type[llmport.APIError]) -> None:
    error = _raise(status, body)
    assert type(error) is cls
    assert error.status_code == status
    assert error.message


SECRET_KEYS = ["sk-test-key", "sk-proj-Abc123Def456Ghi789Jkl", "plainsecret0123456789abcdef0123"]


def _echoing_error(key: str) -> llmport.APIError:
    """SYNTHESIZED: a 401 whose body and headers echo the key that was sent."""
    body = _error_body(f"Incorrect API key provided: {key}.", "invalid_request_error", "invalid_api_key")
    return _raise(401, body, {"www-authenticate": f"Bearer {key}", "x-echo": key}, api_key=key)


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_the_key_never_appears_in_the_error(key: str) -> None:
    error = _echoing_error(key)
    assert isinstance(error, llmport.AuthenticationError)
    for text in (str(error), repr(error), error.message, json.dumps(error.body), json.dumps(error.headers)):
        assert key not in text


def test_the_key_never_appears_in_any_error_attribute() -> None:
    key = "plainsecret0123456789abcdef0123"
    body = _error_body("bad key", "invalid_request_error", key, param=key)  # SYNTHESIZED: echoed by a proxy
    error = _raise(401, body, api_key=key)
    assert key not in json.dumps(vars(error), default=str)


# -- malformed answers ----------------------------------------------------------------------

MALFORMED = {
    "invalid_json": b'{"id": "chatcmpl-1", "choices": [',
    "json_array": b'[{"choices": []}]',
    "json_string": b'"ok"',
    "json_null": b"null",
    "choices_not_a_list": b'{"choices": "x"}',
    "message_not_an_object": b'{"choices": [{"message": "x"}]}',
    "tool_call_without_function": b'{"choices": [{"message": {"tool_calls": [{"id": "c1"}]}}]}',
    "html_page": b"<html><body>upstream error</body></html>",
    "not_utf8": b'\xff\xfe{"choices": []}',
    "empty": b"",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_body_is_a_validation_error(body: bytes) -> None:
    client, _ = make_client(lambda request: HttpResponse(200, {"content-type": "application/json"}, body))
    with pytest.raises(llmport.APIResponseValidationError) as caught:
        client.completion(MODEL, MESSAGES)
    error = caught.value
    assert isinstance(error, llmport.APIError)
    assert error.llm_provider == "openai"
    assert isinstance(error.body, str)
    if body:
        assert error.body
        assert error.body[:10] in str(error)
        assert body.decode("utf-8", errors="replace").startswith(error.body)


GARBAGE_EVENTS = {
    "invalid_json": b"data: {not json\n\n",
    "json_array": b"data: [1, 2]\n\n",
    "choices_not_a_list": b'data: {"choices": "x"}\n\n',
}
ERROR_EVENT = (
    b'data: {"error": {"message": "The server had an error.", '
    b'"type": "server_error", "param": null, "code": null}}\n\n'
)


def _with_event_inserted(body: bytes, position: int, event: bytes) -> bytes:
    start = event_spans(body)[position][0]
    return body[:start] + event + body[start:]


def _one_read_per_event(body: bytes) -> tuple[bytes, ...]:
    return pieces_at(body, [start for start, _ in event_spans(body)])


def _read_until_error(
    body: bytes, pieces: tuple[bytes, ...]
) -> tuple[list[llmport.ModelResponseStream], Exception]:
    client, _ = make_client(replay(TEXT_STREAM, body, pieces))
    got: list[llmport.ModelResponseStream] = []
    stream = client.completion(MODEL, MESSAGES, stream=True)
    with pytest.raises(llmport.APIError) as caught:
        _drain(stream, got)
    return got, caught.value


def _drain(stream: llmport.CompletionStream, into: list[llmport.ModelResponseStream]) -> None:
    """Read chunks into ``into`` until the stream ends or raises (what was read stays in ``into``)."""
    for chunk in stream:
        into.append(chunk)


@pytest.mark.parametrize("event", GARBAGE_EVENTS.values(), ids=GARBAGE_EVENTS.keys())
def test_garbage_stream_event_is_a_validation_error_after_the_good_chunks(event: bytes) -> None:
    body = _with_event_inserted(TEXT_STREAM.body, 3, event)
    got, error = _read_until_error(body, _one_read_per_event(body))
    assert isinstance(error, llmport.APIResponseValidationError)
    assert len(got) == 3
    assert isinstance(error.body, str)
    assert error.body in event.decode()


def test_synthesized_error_event_inside_a_stream_raises_the_provider_error() -> None:
    body = _with_event_inserted(TEXT_STREAM.body, 2, ERROR_EVENT)
    got, error = _read_until_error(body, _one_read_per_event(body))
    assert isinstance(error, llmport.APIError)
    assert not isinstance(error, llmport.APIResponseValidationError)
    assert error.message == "The server had an error."
    assert error.llm_provider == "openai"
    assert len(got) == 2


@pytest.mark.parametrize(
    "event", [GARBAGE_EVENTS["invalid_json"], ERROR_EVENT], ids=["garbage", "error_event"]
)
def test_chunks_before_a_bad_event_do_not_depend_on_how_the_body_was_read(event: bytes) -> None:
    body = _with_event_inserted(TEXT_STREAM.body, 3, event)
    got, _ = _read_until_error(body, (body,))  # the whole body arrives in one network read
    assert len(got) == 3


# -- cut streams ----------------------------------------------------------------------------


def _cut_before_finish(body: bytes) -> tuple[int, int]:
    """An event boundary halfway to the first finish event, and the number of events before it."""
    payloads = raw_payloads(body)
    finishes = [
        i for i, p in enumerate(payloads) if any(c.get("finish_reason") for c in p.get("choices") or ())
    ]
    first_finish = finishes[0] if finishes else len(payloads)
    events = max(1, first_finish // 2)
    return event_spans(body)[events][0], events


@pytest.mark.parametrize("name", STREAMS)
def test_stream_cut_before_finish_raises_a_connection_error(name: str) -> None:
    exchange = load_exchange("openai", name)
    cut, events = _cut_before_finish(exchange.body)
    expected = [p for p in raw_payloads(exchange.body)[:events] if p.get("choices")]
    client, _ = make_client(replay(exchange))
    full = dumps(stream_chunks(client, MODEL))
    client, _ = make_client(replay(exchange, exchange.body[:cut]))
    got: list[llmport.ModelResponseStream] = []
    stream = client.completion(MODEL, MESSAGES, stream=True, stream_options={"include_usage": True})
    with pytest.raises(llmport.APIConnectionError):
        _drain(stream, got)
    assert dumps(got) == full[: len(expected)]


@pytest.mark.parametrize("name", STREAMS)
async def test_async_stream_cut_before_finish_raises_a_connection_error(name: str) -> None:
    exchange = load_exchange("openai", name)
    cut, _ = _cut_before_finish(exchange.body)
    client, _ = make_client(replay(exchange, exchange.body[:cut]))
    with pytest.raises(llmport.APIConnectionError):
        await astream_chunks(client, MODEL)


def test_stream_cut_inside_an_event_raises_a_connection_error() -> None:
    for name in ("stream_text_usage_gpt4o", "stream_parallel_tool_calls"):
        exchange = load_exchange("openai", name)
        cut, _ = _cut_before_finish(exchange.body)
        mid_event = exchange.body[: cut + 40]  # "data: {..." without the rest of its JSON
        client, _ = make_client(replay(exchange, mid_event))
        with pytest.raises(llmport.APIConnectionError):
            stream_chunks(client, MODEL)

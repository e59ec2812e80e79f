"""Acceptance: the exceptions a litellm tutorial's ``try/except`` chain relies on."""

from __future__ import annotations

import asyncio

import pytest

import llmport as litellm
from llmport.testing import FakeOpenAIServer

pytestmark = pytest.mark.acceptance

HELLO = [{"role": "user", "content": "Hello!"}]
RATE_LIMIT_BODY = {
    "error": {
        "message": "Rate limit reached for gpt-4.",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
}


def classify(call_model: str, **params: object) -> str:
    """Run one call through the tutorial's except-chain order and name the branch taken."""
    try:
        litellm.completion(model=call_model, messages=HELLO, **params)
    except litellm.RateLimitError:
        return "rate-limit"
    except litellm.AuthenticationError:
        return "auth"
    except litellm.APIError:
        return "api"
    return "ok"


# --- the hierarchy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "RateLimitError",
        "AuthenticationError",
        "BadRequestError",
        "Timeout",
        "APIConnectionError",
        "InternalServerError",
        "ServiceUnavailableError",
        "NotFoundError",
        "ContextWindowExceededError",
    ],
)
def test_every_error_is_an_api_error(name: str) -> None:
    assert issubclass(getattr(litellm, name), litellm.APIError)
    assert issubclass(getattr(litellm, name), Exception)


def test_bad_request_error_is_also_a_value_error() -> None:
    assert issubclass(litellm.BadRequestError, ValueError)


# --- errors from the server -------------------------------------------------------------------


def test_429_is_a_rate_limit_error(openai_env: FakeOpenAIServer) -> None:
    with pytest.raises(litellm.RateLimitError) as caught:
        litellm.completion(model="openai/fake-error-429", messages=HELLO, num_retries=0)

    assert caught.value.status_code == 429
    assert isinstance(caught.value, litellm.APIError)
    assert len(openai_env.requests) == 1


def test_scripted_429_on_gpt4_is_a_rate_limit_error(openai_env: FakeOpenAIServer) -> None:
    openai_env.enqueue(429, RATE_LIMIT_BODY, {"retry-after": "0"})

    assert classify("gpt-4", num_retries=0) == "rate-limit"


def test_rate_limit_is_retried_then_succeeds(openai_env: FakeOpenAIServer) -> None:
    openai_env.enqueue(429, RATE_LIMIT_BODY, {"retry-after": "0"})

    response = litellm.completion(model="gpt-4", messages=HELLO, num_retries=1)

    assert response.choices[0].message.content.endswith("Hello!")
    assert len(openai_env.requests) == 2


def test_invalid_key_is_an_authentication_error(
    openai_env: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-invalid")

    with pytest.raises(litellm.AuthenticationError) as caught:
        litellm.completion(model="gpt-4", messages=HELLO)

    assert caught.value.status_code == 401
    assert len(openai_env.requests) == 1  # a 401 is not retried
    assert "sk-invalid" not in str(caught.value)
    assert classify("gpt-4") == "auth"


def test_missing_key_against_a_key_checking_server_is_an_authentication_error(
    openai_env: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")

    with pytest.raises(litellm.AuthenticationError):
        litellm.completion(model="gpt-4", messages=HELLO)

    # With a custom base URL llmport sends keyless requests (local servers need none); this one wants a key.
    assert all("authorization" not in r.headers for r in openai_env.requests)


@pytest.mark.parametrize(
    ("model", "error"),
    [
        ("openai/fake-error-500", "InternalServerError"),
        ("openai/fake-error-503", "ServiceUnavailableError"),
        ("openai/fake-error-404", "NotFoundError"),
        ("openai/fake-error-context", "ContextWindowExceededError"),
    ],
)
def test_other_server_errors_are_caught_as_api_error(
    openai_env: FakeOpenAIServer, model: str, error: str
) -> None:
    with pytest.raises(litellm.APIError) as caught:
        litellm.completion(model=model, messages=HELLO, num_retries=0)

    assert isinstance(caught.value, getattr(litellm, error))
    assert classify(model, num_retries=0) == "api"


def test_api_error_str_is_printable(openai_env: FakeOpenAIServer) -> None:
    with pytest.raises(litellm.APIError) as caught:
        litellm.completion(model="openai/fake-error-500", messages=HELLO, num_retries=0)

    text = f"API error: {caught.value}"
    assert "500" in text
    assert caught.value.message


def test_async_errors_are_the_same_classes(openai_env: FakeOpenAIServer) -> None:
    async def main() -> None:
        await litellm.acompletion(model="openai/fake-error-429", messages=HELLO, num_retries=0)

    with pytest.raises(litellm.RateLimitError):
        asyncio.run(main())


# --- timeouts ---------------------------------------------------------------------------------


def test_slow_server_raises_timeout(openai_env: FakeOpenAIServer) -> None:
    with pytest.raises(litellm.Timeout) as caught:
        litellm.completion(model="openai/fake-delay-1000", messages=HELLO, timeout=0.1, num_retries=0)

    assert isinstance(caught.value, litellm.APIError)
    assert isinstance(caught.value, litellm.APIConnectionError)


def test_fast_enough_server_within_timeout(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="openai/fake-delay-10", messages=HELLO, timeout=30)

    assert response.choices[0].message.content.endswith("Hello!")


def test_stream_dropped_mid_way_is_an_api_error(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="openai/fake-stream-drop", messages=HELLO, stream=True, num_retries=0)

    with pytest.raises(litellm.APIError):
        for _chunk in response:
            pass
    response.close()


def test_stream_error_event_is_an_api_error(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(
        model="openai/fake-stream-error", messages=HELLO, stream=True, num_retries=0
    )

    with pytest.raises(litellm.APIError):
        for _chunk in response:
            pass
    response.close()


# --- bad input, rejected before any request ---------------------------------------------------


@pytest.mark.parametrize(
    "messages",
    [
        "Hello!",
        {"role": "user", "content": "Hello!"},
        [{"content": "no role here"}],
        [{"role": "wizard", "content": "bad role"}],
        ["not a dict"],
        [{"role": "user", "content": 42}],
    ],
    ids=["str", "dict", "no-role", "unknown-role", "not-a-dict", "content-not-text"],
)
def test_bad_messages_raise_bad_request_before_sending(
    openai_env: FakeOpenAIServer, messages: object
) -> None:
    with pytest.raises(litellm.BadRequestError) as caught:
        litellm.completion(model="gpt-4", messages=messages)  # type: ignore[arg-type]

    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, litellm.APIError)
    assert openai_env.requests == []


def test_bad_messages_are_caught_by_except_value_error(openai_env: FakeOpenAIServer) -> None:
    caught: list[str] = []
    try:
        litellm.completion(model="gpt-4", messages=[{"content": "no role"}])
    except ValueError as err:
        caught.append(str(err))

    assert len(caught) == 1
    assert "role" in caught[0]
    assert openai_env.requests == []


def test_unknown_bare_model_is_a_bad_request(openai_env: FakeOpenAIServer) -> None:
    with pytest.raises(litellm.BadRequestError, match="openai/"):
        litellm.completion(model="my-mystery-model", messages=HELLO)

    assert openai_env.requests == []


@pytest.mark.parametrize("value", [-1, "soon", 0])
def test_bad_timeout_is_a_bad_request(openai_env: FakeOpenAIServer, value: object) -> None:
    with pytest.raises(litellm.BadRequestError):
        litellm.completion(model="gpt-4", messages=HELLO, timeout=value)  # type: ignore[arg-type]

    assert openai_env.requests == []

"""Acceptance: fallback chains across providers, against the loopback OpenAI and Anthropic fakes.

Sync and async, whole and streamed, called as litellm users call them. The magic model names of
the fakes (``fake-error-<status>``, ``fake-error-context``) script the failures; the servers'
request logs show who was asked, and with which key.
"""

from __future__ import annotations

import pytest

import llmport
import llmport as litellm
from llmport.testing import FakeAnthropicServer, FakeClock, FakeOpenAIServer

from .conftest import FAKE_ANTHROPIC_KEY, FAKE_OPENAI_KEY

pytestmark = pytest.mark.acceptance

HELLO = [{"role": "user", "content": "Hello!"}]
CLAUDE = "anthropic/claude-3-5-haiku-latest"


def keys_seen(server: FakeAnthropicServer) -> set[str | None]:
    return {request.headers.get("x-api-key") for request in server.requests}


def test_openai_failing_falls_back_to_anthropic(
    openai_env: FakeOpenAIServer, anthropic_env: FakeAnthropicServer
) -> None:
    response = litellm.completion(
        model="openai/fake-error-500", messages=HELLO, num_retries=0, fallbacks=[CLAUDE]
    )
    assert response.choices[0].message.content.endswith("Hello!")
    assert response._hidden_params["model"] == CLAUDE
    assert response._hidden_params["attempted_fallbacks"] == 1
    assert response._hidden_params["custom_llm_provider"] == "anthropic"
    assert (len(openai_env.requests), len(anthropic_env.requests)) == (1, 1)
    assert keys_seen(anthropic_env) == {FAKE_ANTHROPIC_KEY}  # never the OpenAI key


def test_a_call_key_for_openai_is_not_sent_to_anthropic(
    server: FakeOpenAIServer, anthropic_env: FakeAnthropicServer
) -> None:
    call_key = "sk-call-key-for-openai-only"
    response = litellm.completion(
        model="openai/fake-error-503", messages=HELLO, api_key=call_key, api_base=server.base_url,
        num_retries=0, fallbacks=[CLAUDE],
    )  # fmt: skip
    assert response._hidden_params["model"] == CLAUDE
    assert server.requests[0].headers["authorization"] == f"Bearer {call_key}"
    assert keys_seen(anthropic_env) == {FAKE_ANTHROPIC_KEY}


def test_a_dict_entry_brings_its_own_key_and_base(
    server: FakeOpenAIServer, anthropic_env: FakeAnthropicServer
) -> None:
    entry = {"model": "openai/gpt-4o-mini", "api_key": "sk-entry", "api_base": server.base_url}
    response = litellm.completion(
        model="anthropic/fake-error-529", messages=HELLO, num_retries=0, fallbacks=[entry]
    )
    assert response._hidden_params["model"] == "openai/gpt-4o-mini"
    assert response._hidden_params["custom_llm_provider"] == "openai"
    assert server.requests[-1].headers["authorization"] == "Bearer sk-entry"
    assert len(anthropic_env.requests) == 1


def test_a_streamed_call_falls_back_before_its_first_chunk(
    openai_env: FakeOpenAIServer, anthropic_env: FakeAnthropicServer
) -> None:
    stream = litellm.completion(
        model="openai/fake-error-502", messages=HELLO, stream=True, num_retries=0, fallbacks=[CLAUDE]
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream)
    assert text.endswith("Hello!")
    assert stream._hidden_params["model"] == CLAUDE
    assert anthropic_env.requests[0].body["stream"] is True


async def test_async_calls_fall_back_whole_and_streamed(
    openai_env: FakeOpenAIServer, anthropic_env: FakeAnthropicServer
) -> None:
    response = await litellm.acompletion(
        model="anthropic/fake-error-500", messages=HELLO, num_retries=0, fallbacks=["openai/gpt-4o-mini"]
    )
    assert response._hidden_params["model"] == "openai/gpt-4o-mini"
    stream = await litellm.acompletion(
        model="openai/fake-error-500", messages=HELLO, stream=True, num_retries=0, fallbacks=[CLAUDE]
    )
    text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
    assert text.endswith("Hello!")
    assert stream._hidden_params["attempted_fallbacks"] == 1
    assert (len(openai_env.requests), len(anthropic_env.requests)) == (2, 2)


def test_a_context_window_error_goes_to_the_context_window_fallback(
    openai_env: FakeOpenAIServer, anthropic_env: FakeAnthropicServer
) -> None:
    response = litellm.completion(
        model="openai/fake-error-context", messages=HELLO, fallbacks=["openai/gpt-4o-mini"],
        context_window_fallbacks=[CLAUDE],
    )  # fmt: skip
    assert response._hidden_params["model"] == CLAUDE
    assert len(openai_env.requests) == 1  # a context-window error is not retried


def test_when_the_whole_chain_fails_the_last_error_is_raised_with_the_chain(
    openai_env: FakeOpenAIServer, anthropic_env: FakeAnthropicServer
) -> None:
    with pytest.raises(litellm.RateLimitError) as caught:
        litellm.completion(
            model="openai/fake-error-503", messages=HELLO, num_retries=0,
            fallbacks=["anthropic/fake-error-529", "openai/fake-error-429"],
        )  # fmt: skip
    assert (caught.value.status_code, caught.value.model) == (429, "openai/fake-error-429")  # the last one
    notes = "\n".join(caught.value.__notes__)
    assert "primary: openai/fake-error-503 -> ServiceUnavailableError (status 503)" in notes
    assert "fallbacks[0]: anthropic/fake-error-529 -> ServiceUnavailableError (status 529)" in notes
    assert "fallbacks[1]: openai/fake-error-429 -> RateLimitError (status 429)" in notes
    assert FAKE_OPENAI_KEY not in notes
    assert FAKE_ANTHROPIC_KEY not in notes
    assert (len(openai_env.requests), len(anthropic_env.requests)) == (2, 1)


def test_each_model_gets_its_own_retries(
    server: FakeOpenAIServer, anthropic_env: FakeAnthropicServer
) -> None:
    clock = FakeClock()
    with llmport.Client(clock=clock, api_base=None) as client:
        response = client.completion(
            "openai/fake-error-429", HELLO, api_key="sk-x", api_base=server.base_url, num_retries=2,
            fallbacks=[{"model": "anthropic/fake-error-529", "num_retries": 1}, CLAUDE],
        )  # fmt: skip
    assert response._hidden_params["model"] == CLAUDE
    assert response._hidden_params["attempted_fallbacks"] == 2
    assert len(server.requests) == 3  # the primary and its two retries
    assert [r.body["model"] for r in anthropic_env.requests] == ["fake-error-529"] * 2 + [
        "claude-3-5-haiku-latest"
    ]
    assert clock.sleeps[:2] == [1.0, 1.0]  # OpenAI's retry-after: 1, on the fake clock


def test_a_retry_after_past_the_deadline_moves_on_without_waiting(
    server: FakeOpenAIServer, anthropic_env: FakeAnthropicServer
) -> None:
    clock = FakeClock()
    with llmport.Client(clock=clock) as client:
        response = client.completion(
            "openai/fake-error-429", HELLO, api_key="sk-x", api_base=server.base_url, deadline=0.5,
            fallbacks=[CLAUDE],
        )  # fmt: skip
    # OpenAI's retry-after: 1 would end past the 0.5 s deadline: no sleep, Claude is asked at once.
    assert response._hidden_params["model"] == CLAUDE
    assert (len(server.requests), len(anthropic_env.requests)) == (1, 1)
    assert clock.sleeps == []
    assert anthropic_env.requests[0].headers.get("x-api-key") == FAKE_ANTHROPIC_KEY


def test_without_fallbacks_a_retry_after_past_the_deadline_raises_at_once(server: FakeOpenAIServer) -> None:
    clock = FakeClock()
    with llmport.Client(clock=clock) as client, pytest.raises(litellm.RateLimitError) as caught:
        client.completion(
            "openai/fake-error-429", HELLO, api_key="sk-x", api_base=server.base_url, deadline=0.5
        )
    assert caught.value.status_code == 429
    assert len(server.requests) == 1
    assert clock.sleeps == []

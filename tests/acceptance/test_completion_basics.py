"""Acceptance: the non-streamed ``completion()`` behaviours litellm's docs and tutorials rely on.

Every test calls llmport as a litellm user would (``import llmport as litellm``, bare ``gpt-4``,
key and base URL from ``OPENAI_API_KEY``/``OPENAI_BASE_URL``) against the loopback fake server.
"""

from __future__ import annotations

import json

import pytest

import llmport as litellm
from llmport.testing import FakeOpenAIServer

from .conftest import FAKE_OPENAI_KEY

pytestmark = pytest.mark.acceptance

REPLY_PREFIX = "This is a fake reply from llmport's loopback server. You said: "


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


# --- the basic call ---------------------------------------------------------------------------


def test_bare_gpt4_goes_to_openai_base_url_with_env_key(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(
        model="gpt-4", messages=user("What is machine learning?"), temperature=0.7, max_tokens=256
    )

    assert response.choices[0].message.content == REPLY_PREFIX + "What is machine learning?"
    sent = openai_env.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/v1/chat/completions")
    assert sent.headers["authorization"] == f"Bearer {FAKE_OPENAI_KEY}"
    assert sent.body == {
        "model": "gpt-4",
        "messages": [{"role": "user", "content": "What is machine learning?"}],
        "temperature": 0.7,
        "max_tokens": 256,
    }


def test_bare_gpt35_turbo_is_routed_to_openai_too(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="gpt-3.5-turbo", messages=user("hi"), temperature=0.1, max_tokens=10)

    assert response.choices[0].message.content.startswith("This is a fake")
    assert openai_env.requests[-1].body["model"] == "gpt-3.5-turbo"
    assert response.model == "gpt-3.5-turbo"


def test_from_import_names_work(openai_env: FakeOpenAIServer) -> None:
    from llmport import acompletion, completion

    assert completion is litellm.completion
    assert acompletion is litellm.acompletion
    assert completion("gpt-4", user("positional")).choices[0].message.content.endswith("positional")


def test_system_and_user_messages_reach_the_server_in_order(openai_env: FakeOpenAIServer) -> None:
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Explain quantum computing in simple terms."},
    ]

    response = litellm.completion(model="gpt-4", messages=messages)

    assert openai_env.requests[-1].body["messages"] == messages
    assert response.choices[0].message.role == "assistant"
    assert response.choices[0].message.content.endswith("Explain quantum computing in simple terms.")
    assert messages[0] == {"role": "system", "content": "You are a helpful assistant."}  # not mutated


def test_content_is_a_str_that_strips(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="gpt-3.5-turbo", messages=user("  Sentiment:  "), max_tokens=10)

    content = response.choices[0].message.content
    assert isinstance(content, str)
    assert content.strip() == "This is a fake reply from llmport's loopback server. You"


def test_env_vars_are_read_at_call_time(server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-first-key")
    litellm.completion(model="gpt-4", messages=user("one"))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-second-key")
    litellm.completion(model="gpt-4", messages=user("two"))

    assert [r.headers["authorization"] for r in server.requests] == [
        "Bearer sk-first-key",
        "Bearer sk-second-key",
    ]


# --- advanced parameters ------------------------------------------------------------------------


def test_advanced_parameters_reach_the_body_as_given(openai_env: FakeOpenAIServer) -> None:
    messages = [
        {"role": "system", "content": "You are an expert Python programmer."},
        {"role": "user", "content": "Write a function to calculate fibonacci numbers recursively."},
    ]

    response = litellm.completion(
        model="gpt-4",
        messages=messages,
        max_tokens=500,
        temperature=0.7,
        top_p=0.9,
        frequency_penalty=0.0,
        presence_penalty=0.0,
        stop=["\n\n", "###"],
        n=1,
        logit_bias={},
    )

    body = openai_env.requests[-1].body
    assert body["max_tokens"] == 500
    assert body["temperature"] == 0.7
    assert body["top_p"] == 0.9
    assert body["frequency_penalty"] == 0.0
    assert body["presence_penalty"] == 0.0
    assert body["stop"] == ["\n\n", "###"]
    assert body["n"] == 1
    assert body["logit_bias"] == {}
    assert len(response.choices) == 1
    assert response.choices[0].finish_reason == "stop"


def test_timeout_is_accepted_and_not_sent_to_the_provider(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(
        model="gpt-4", messages=user("Hello!"), max_tokens=1000, temperature=0.7, timeout=30
    )

    assert response.choices[0].message.content.strip()
    assert "timeout" not in openai_env.requests[-1].body


def test_max_tokens_truncates_with_finish_reason_length(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="gpt-3.5-turbo", messages=user("classify this"), max_tokens=3)

    choice = response.choices[0]
    assert choice.finish_reason == "length"
    assert choice.message.content == "This is a"
    assert response.usage.completion_tokens == 3


def test_stop_sequence_cuts_the_reply(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(
        model="gpt-4", messages=user("write code"), temperature=0.2, stop=["loopback"]
    )

    assert openai_env.requests[-1].body["stop"] == ["loopback"]
    assert response.choices[0].message.content == "This is a fake reply from llmport's "


# --- several choices -----------------------------------------------------------------------------


def test_n_choices_are_all_returned(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(
        model="gpt-4", messages=user("Write a creative slogan"), n=3, temperature=0.8, max_tokens=200
    )

    contents = [choice.message.content for choice in response.choices]
    assert len(contents) == 3
    assert len(set(contents)) == 3
    assert [choice.index for choice in response.choices] == [0, 1, 2]
    assert all(isinstance(text, str) and text for text in contents)
    assert openai_env.requests[-1].body["n"] == 3


# --- multi-turn conversations -------------------------------------------------------------------


def test_multi_turn_appending_assistant_content_as_a_dict(openai_env: FakeOpenAIServer) -> None:
    conversation = [
        {"role": "system", "content": "You are a helpful coding tutor."},
        {"role": "user", "content": "How do I reverse a string in Python?"},
    ]
    first = litellm.completion(model="gpt-4", messages=conversation)
    conversation.append({"role": "assistant", "content": first.choices[0].message.content})
    conversation.append({"role": "user", "content": "Can you show me a more efficient way using slicing?"})

    second = litellm.completion(model="gpt-4", messages=conversation)

    sent = openai_env.requests[-1].body["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[2]["content"] == first.choices[0].message.content
    assert second.choices[0].message.content.endswith("using slicing?")


def test_multi_turn_appending_the_response_message_object(openai_env: FakeOpenAIServer) -> None:
    messages: list[object] = [{"role": "user", "content": "Tell me about the Roman Empire"}]
    first = litellm.completion(model="gpt-4", messages=messages)
    messages.append(first.choices[0].message)
    messages.append({"role": "user", "content": "What were their biggest achievements?"})

    second = litellm.completion(model="gpt-4", messages=messages)

    sent = openai_env.requests[-1].body["messages"]
    assert sent[1] == {"role": "assistant", "content": first.choices[0].message.content}
    assert sent[2] == {"role": "user", "content": "What were their biggest achievements?"}
    assert second.choices[0].message.content.endswith("biggest achievements?")


def test_many_turns_keep_the_whole_history(openai_env: FakeOpenAIServer) -> None:
    history = [{"role": "system", "content": "You are a knowledgeable history teacher."}]
    for question in ("first?", "second?", "third?"):
        history.append({"role": "user", "content": question})
        answer = litellm.completion(model="gpt-4", messages=history).choices[0].message.content
        history.append({"role": "assistant", "content": answer})

    assert len(openai_env.requests) == 3
    assert len(openai_env.requests[-1].body["messages"]) == 6
    assert history[-1]["content"].endswith("third?")


# --- structured output -----------------------------------------------------------------------


def test_json_prompt_content_parses_with_json_loads(openai_env: FakeOpenAIServer) -> None:
    prompt = (
        "Extract the following information from the text and return as JSON:\n- Name\n- Age\n"
        "Text: John Smith is a 35-year-old software engineer.\nReturn only valid JSON."
    )

    response = litellm.completion(model="gpt-4", messages=user(prompt), temperature=0.1)

    data = json.loads(response.choices[0].message.content)
    assert isinstance(data, dict)
    assert openai_env.requests[-1].body["temperature"] == 0.1


def test_response_format_json_object_is_forwarded(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(
        model="gpt-4", messages=user("list three colours"), response_format={"type": "json_object"}
    )

    assert openai_env.requests[-1].body["response_format"] == {"type": "json_object"}
    assert isinstance(json.loads(response.choices[0].message.content), dict)


# --- the response object --------------------------------------------------------------------


def test_dict_style_access_matches_attribute_access(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="gpt-4", messages=user("dict access"))

    assert response["choices"][0]["message"]["content"] == response.choices[0].message.content
    assert response["choices"][0]["message"]["role"] == "assistant"
    assert response["choices"][0]["finish_reason"] == "stop"
    assert response["model"] == "gpt-4"
    assert response.get("usage") is response.usage
    assert response.get("no_such_field") is None
    assert response.get("no_such_field", "fallback") == "fallback"


def test_usage_counts_are_consistent(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="gpt-4", messages=user("count my tokens please"))

    usage = response.usage
    assert usage.prompt_tokens == 4
    assert usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert response.get("usage")["total_tokens"] == usage.total_tokens
    assert response["usage"]["prompt_tokens"] == 4


def test_response_envelope_fields(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="gpt-4", messages=user("envelope"))

    assert isinstance(response, litellm.ModelResponse)
    assert response.id.startswith("chatcmpl-")
    assert response.object == "chat.completion"
    assert isinstance(response.created, int)
    assert isinstance(response.choices[0], litellm.Choices)
    assert isinstance(response.choices[0].message, litellm.Message)
    dumped = response.model_dump()
    assert dumped["choices"][0]["message"]["content"] == response.choices[0].message.content


def test_per_call_api_key_and_base_url_override_the_environment(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # discard port: must not be used
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key")

    litellm.completion(
        model="gpt-4", messages=user("override"), api_key="sk-call-key", base_url=server.base_url
    )

    assert server.requests[-1].headers["authorization"] == "Bearer sk-call-key"


def test_timeout_as_string_or_httpx_timeout(openai_env: FakeOpenAIServer) -> None:
    import httpx

    for timeout in ("30", httpx.Timeout(30)):
        response = litellm.completion(model="gpt-4", messages=user("timeouts"), timeout=timeout)
        assert response.choices[0].message.content.endswith("timeouts")


def test_hidden_params_name_the_provider(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="gpt-4", messages=user("hidden"))

    assert response._hidden_params["custom_llm_provider"] == "openai"
    assert response._hidden_params["api_base"] == openai_env.base_url


def test_response_headers_carry_the_provider_request_id(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="gpt-4", messages=user("headers"))

    assert response.response_headers["x-request-id"].startswith("req_")

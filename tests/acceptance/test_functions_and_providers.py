"""Acceptance: function calling, Azure deployments, Anthropic beside them, and the cross-provider loop."""

from __future__ import annotations

import asyncio
import json

import pytest

import llmport as litellm
from llmport.testing import FakeAnthropicServer, FakeOpenAIServer

from .conftest import AZURE_VERSION, FAKE_AZURE_KEY

pytestmark = pytest.mark.acceptance

WEATHER_FUNCTION = {
    "name": "get_weather",
    "description": "Get weather for a location",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
}
TOKYO = [{"role": "user", "content": "What's the weather in Tokyo?"}]
HELLO = [{"role": "user", "content": "Hello!"}]


# --- legacy functions / function_call -------------------------------------------------------------


def test_legacy_function_call_is_present_with_name_and_arguments(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(
        model="gpt-4", messages=TOKYO, functions=[WEATHER_FUNCTION], function_call="auto"
    )

    message = response.choices[0].message
    assert hasattr(message, "function_call")
    func_call = message.function_call
    assert func_call.name == "get_weather"
    assert json.loads(func_call.arguments) == {"location": "example"}
    assert response.choices[0].finish_reason == "function_call"
    body = openai_env.requests[-1].body
    assert body["functions"] == [WEATHER_FUNCTION]
    assert body["function_call"] == "auto"


def test_plain_reply_has_no_function_call_attribute(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="gpt-4", messages=TOKYO)

    message = response.choices[0].message
    assert not hasattr(message, "function_call")  # litellm deletes the attribute when None
    assert message.get("function_call") is None
    assert message["content"].endswith("Tokyo?")
    assert message.tool_calls is None


def test_function_call_result_can_be_sent_back(openai_env: FakeOpenAIServer) -> None:
    messages: list[object] = list(TOKYO)
    first = litellm.completion(model="gpt-4", messages=messages, functions=[WEATHER_FUNCTION])
    messages.append(first.choices[0].message)
    messages.append({"role": "function", "name": "get_weather", "content": "22C and sunny"})

    second = litellm.completion(model="gpt-4", messages=messages, functions=[WEATHER_FUNCTION])

    sent = openai_env.requests[-1].body["messages"]
    assert sent[1]["function_call"]["name"] == "get_weather"
    assert second.choices[0].message.content == "The function returned: 22C and sunny"
    assert not hasattr(second.choices[0].message, "function_call")


def test_tools_and_tool_choice_give_tool_calls(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(
        model="gpt-4",
        messages=TOKYO,
        tools=[{"type": "function", "function": WEATHER_FUNCTION}],
        tool_choice="auto",
    )

    calls = response.choices[0].message.tool_calls
    assert calls is not None
    assert calls[0].function.name == "get_weather"
    assert json.loads(calls[0].function.arguments) == {"location": "example"}
    assert response.choices[0].finish_reason == "tool_calls"
    assert openai_env.requests[-1].body["tool_choice"] == "auto"


# --- Azure ---------------------------------------------------------------------------------------


def test_azure_deployment_uses_azure_env_vars(azure_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="azure/my-gpt4-deployment", messages=HELLO)

    assert response.choices[0].message.content.endswith("Hello!")
    sent = azure_env.requests[-1]
    assert sent.path == "/openai/deployments/my-gpt4-deployment/chat/completions"
    assert sent.query == {"api-version": AZURE_VERSION}
    assert sent.headers["api-key"] == FAKE_AZURE_KEY
    assert "authorization" not in sent.headers
    assert sent.body["messages"] == HELLO


def test_azure_without_a_version_uses_a_default_one(
    azure_env: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AZURE_API_VERSION")

    litellm.completion(model="azure/my-gpt4-deployment", messages=HELLO)

    assert azure_env.requests[-1].query["api-version"]


def test_azure_parameters_and_streaming(azure_env: FakeOpenAIServer) -> None:
    chunks = list(
        litellm.completion(
            model="azure/my-gpt4-deployment", messages=HELLO, stream=True, temperature=0.5, max_tokens=50
        )
    )

    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text.endswith("Hello!")
    assert azure_env.requests[-1].body["temperature"] == 0.5


def test_azure_wrong_key_is_an_authentication_error(
    azure_env: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_API_KEY", "sk-invalid")

    with pytest.raises(litellm.AuthenticationError) as caught:
        litellm.completion(model="azure/my-gpt4-deployment", messages=HELLO, num_retries=0)

    assert caught.value.status_code == 401
    assert "sk-invalid" not in str(caught.value)


# --- Anthropic beside OpenAI, and the cross-provider loop ------------------------------------------


@pytest.mark.parametrize("model", ["anthropic/claude-3-opus-20240229", "claude-3-sonnet-20240229"])
def test_anthropic_models_reach_the_anthropic_server(
    openai_env: FakeOpenAIServer, anthropic_env: FakeAnthropicServer, model: str
) -> None:
    response = litellm.completion(model=model, messages=HELLO)

    assert response.choices[0].message.content.endswith("You said: Hello!")
    assert openai_env.requests == []
    assert anthropic_env.requests[-1].body["model"] == model.removeprefix("anthropic/")


def test_anthropic_acompletion(anthropic_env: FakeAnthropicServer) -> None:
    async def main() -> litellm.ModelResponse:
        return await litellm.acompletion(
            model="anthropic/claude-3-opus-20240229",
            messages=[{"role": "user", "content": "Explain quantum computing."}],
        )

    response = asyncio.run(main())
    assert response.choices[0].message.content.endswith("You said: Explain quantum computing.")
    assert response._hidden_params["custom_llm_provider"] == "anthropic"


def test_cross_provider_loop(azure_env: FakeOpenAIServer, anthropic_env: FakeAnthropicServer) -> None:
    answers: dict[str, str | None] = {}
    for model in ["gpt-4", "anthropic/claude-3-opus-20240229", "azure/my-gpt4-deployment"]:
        response = litellm.completion(model=model, messages=HELLO)
        answers[model] = response.choices[0].message.content

    assert list(answers) == ["gpt-4", "anthropic/claude-3-opus-20240229", "azure/my-gpt4-deployment"]
    assert all(text and text.endswith("Hello!") for text in answers.values())
    assert [r.path for r in azure_env.requests] == [
        "/v1/chat/completions",
        "/openai/deployments/my-gpt4-deployment/chat/completions",
    ]
    assert [r.path for r in anthropic_env.requests] == ["/v1/messages"]


def test_openai_prefix_serves_any_model_name(openai_env: FakeOpenAIServer) -> None:
    response = litellm.completion(model="openai/my-local-model", messages=HELLO)

    assert openai_env.requests[-1].body["model"] == "my-local-model"
    assert response.choices[0].message.content.endswith("Hello!")


def test_use_client_scopes_module_calls_to_another_client(server: FakeOpenAIServer) -> None:
    with (
        litellm.Client(api_key="sk-scoped", base_url=server.base_url, num_retries=0) as client,
        litellm.use_client(client),
    ):
        assert litellm.current_client() is client
        response = litellm.completion(model="gpt-4", messages=HELLO)

    assert response.choices[0].message.content.endswith("Hello!")
    assert server.requests[-1].headers["authorization"] == "Bearer sk-scoped"
    assert litellm.current_client() is not client


def test_tool_call_round_trip_with_the_message_object(openai_env: FakeOpenAIServer) -> None:
    tools = [{"type": "function", "function": WEATHER_FUNCTION}]
    messages: list[object] = list(TOKYO)
    first = litellm.completion(model="gpt-4", messages=messages, tools=tools)
    call = first.choices[0].message.tool_calls[0]
    messages.append(first.choices[0].message)
    messages.append({"role": "tool", "tool_call_id": call.id, "content": "22C and sunny"})

    second = litellm.completion(model="gpt-4", messages=messages, tools=tools)

    sent = openai_env.requests[-1].body["messages"]
    assert sent[1]["tool_calls"][0]["id"] == call.id
    assert second.choices[0].message.content == "The tool returned: 22C and sunny"


def test_claude_with_thinking_budget_sends_a_thinking_budget(anthropic_env: FakeAnthropicServer) -> None:
    response = litellm.completion(
        model="claude-3-opus-20240229", messages=HELLO, max_tokens=4000, thinking_budget=2000
    )

    body = anthropic_env.requests[-1].body
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2000}
    assert body["max_tokens"] == 4000
    message = response.choices[0].message
    assert message.reasoning_content
    assert message.thinking_blocks[0]["signature"]


def test_thinking_budget_on_openai_is_an_unsupported_param(openai_env: FakeOpenAIServer) -> None:
    with pytest.raises(litellm.UnsupportedParamsError, match="thinking_budget"):
        litellm.completion(model="gpt-4", messages=HELLO, thinking_budget=2000)
    assert openai_env.requests == []

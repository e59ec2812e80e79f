"""Per-host and per-model parameter rules, as sent on the wire (renames, value maps, refusals)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.adapters.providers.hosts import REASONING_MODELS
from llmport.testing import FakeClock, FakeTransport, HttpRequest, HttpResponse

from .test_host_rows import OK_BODY

MESSAGES = [{"role": "user", "content": "Hello"}]
TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, {"content-type": "application/json"}, OK_BODY)


def _body(model: str, client_args: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    fake = FakeTransport(_ok)
    client = llmport.Client(
        transport=fake, clock=FakeClock(), num_retries=0, api_key="k", **(client_args or {})
    )
    client.completion(model, MESSAGES, **params)
    body: dict[str, Any] = json.loads(fake.last_request.body)
    return body


def _refused(model: str, **params: Any) -> llmport.UnsupportedParamsError:
    fake = FakeTransport(_ok)
    client = llmport.Client(transport=fake, clock=FakeClock(), num_retries=0, api_key="k")
    with pytest.raises(llmport.UnsupportedParamsError) as caught:
        client.completion(model, MESSAGES, **params)
    assert fake.requests == [], "refused before any network call"
    return caught.value


REASONING = ["o1", "o1-mini", "o3-mini", "o4-mini-2025-04-16", "gpt-5", "gpt-5-mini", "azure/o3-deploy"]


@pytest.mark.parametrize("model", REASONING)
def test_reasoning_models_send_max_completion_tokens(model: str) -> None:
    extra = {"api_base": "https://r.openai.azure.com"} if model.startswith("azure/") else {}
    body = _body(model, max_tokens=100, temperature=1, **extra)
    assert body["max_completion_tokens"] == 100
    assert "max_tokens" not in body
    assert body["temperature"] == 1


def test_an_explicit_max_completion_tokens_wins_over_the_translated_max_tokens() -> None:
    body = _body("o3-mini", max_tokens=100, max_completion_tokens=50)
    assert body["max_completion_tokens"] == 50
    assert "max_tokens" not in body


@pytest.mark.parametrize("model", ["o1", "gpt-5-nano", "openai/o4-mini"])
def test_reasoning_models_refuse_temperature_other_than_one(model: str) -> None:
    error = _refused(model, temperature=0.2)
    assert error.param == "temperature"
    assert "only 1" in str(error)
    assert "drop_params=True" in str(error)
    assert error.llm_provider == "openai"


@pytest.mark.parametrize("where", ["call", "client"])
def test_drop_params_drops_what_reasoning_models_refuse(where: str) -> None:
    params: dict[str, Any] = {"temperature": 0.2, "top_p": 0.5, "max_tokens": 10}
    client_args = {"drop_params": True} if where == "client" else None
    if where == "call":
        params["drop_params"] = True
    body = _body("o1", client_args, **params)
    assert "temperature" not in body
    assert "top_p" not in body
    assert body["max_completion_tokens"] == 10


@pytest.mark.parametrize("model", ["gpt-5-chat-latest", "gpt-4o", "gpt-4.1-mini"])
def test_other_openai_models_keep_max_tokens_and_temperature(model: str) -> None:
    body = _body(model, max_tokens=100, temperature=0.2, top_p=0.9)
    assert body["max_tokens"] == 100
    assert body["temperature"] == 0.2
    assert body["top_p"] == 0.9
    assert not REASONING_MODELS.matches(model)


def test_additional_drop_params_drops_named_params_everywhere() -> None:
    body = _body("groq/llama-3.1-8b-instant", temperature=0.3, additional_drop_params=["temperature"])
    assert "temperature" not in body


def test_mistral_maps_tool_choice_required_and_renames_seed() -> None:
    body = _body(
        "mistral/mistral-large-latest", tools=TOOLS, tool_choice="required", seed=7, safe_prompt=True
    )
    assert body["tool_choice"] == "any"
    assert body["random_seed"] == 7
    assert "seed" not in body
    assert body["safe_prompt"] is True
    named = {"type": "function", "function": {"name": "f"}}
    assert _body("mistral/mistral-small", tools=TOOLS, tool_choice=named)["tool_choice"] == named
    assert _body("mistral/mistral-small", tools=TOOLS, tool_choice="auto")["tool_choice"] == "auto"


def test_mistral_random_seed_given_directly_wins() -> None:
    body = _body("mistral/mistral-small", seed=1, random_seed=2)
    assert body["random_seed"] == 2


@pytest.mark.parametrize(
    ("model", "param", "value"),
    [
        ("mistral/mistral-small", "logit_bias", {"1": 2}),
        ("groq/llama-3.1-8b-instant", "logprobs", True),
        ("groq/llama-3.1-8b-instant", "n", 2),
        ("perplexity/sonar", "tools", TOOLS),
        ("cerebras/llama3.1-8b", "presence_penalty", 0.5),
        ("deepseek/deepseek-reasoner", "logprobs", True),
        ("xai/grok-4", "stop", ["x"]),
    ],
)
def test_host_rules_refuse_or_drop(model: str, param: str, value: Any) -> None:
    error = _refused(model, **{param: value})
    assert error.param == param
    assert model.split("/")[1] in str(error)
    assert param not in _body(model, drop_params=True, **{param: value})


def test_groq_takes_n_of_one() -> None:
    assert _body("groq/llama-3.1-8b-instant", n=1)["n"] == 1


def test_xai_older_models_keep_stop() -> None:
    assert _body("xai/grok-2-1212", stop=["x"])["stop"] == ["x"]

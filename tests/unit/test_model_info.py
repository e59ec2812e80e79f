"""Model knowledge: litellm's get_model_info and supports_* on one versioned table, overridable per client."""

from __future__ import annotations

import pytest

import llmport
from llmport.adapters.knowledge.table import MODELS, TABLE_VERSION
from llmport.adapters.providers.hosts import HOSTS
from llmport.domain.models.params import BODY_PARAMS

USER = [{"role": "user", "content": "hi"}]
LITELLM_KEYS = {
    "max_input_tokens", "max_output_tokens", "max_tokens", "input_cost_per_token", "output_cost_per_token",
    "litellm_provider", "mode", "supports_function_calling", "supports_parallel_function_calling",
    "supports_vision", "supports_response_schema", "supports_reasoning", "supports_prompt_caching",
}  # fmt: skip


def test_get_model_info_has_litellms_keys_for_a_dated_model() -> None:
    info = llmport.get_model_info("gpt-4o-mini-2024-07-18")
    assert info.keys() >= LITELLM_KEYS
    assert info["litellm_provider"] == "openai"
    assert info["key"] == "gpt-4o-mini"  # the longest matching row, not gpt-4o
    assert (info["max_input_tokens"], info["max_output_tokens"]) == (128_000, 16_384)
    assert info["input_cost_per_token"] == pytest.approx(0.15e-6)  # from genai-prices
    assert info["mode"] == "chat"


def test_unknown_models_raise_as_litellm_does_and_supports_say_false() -> None:
    with pytest.raises(Exception, match="isn't mapped yet") as caught:
        llmport.get_model_info("openai/no-such-model")
    assert isinstance(caught.value, llmport.ModelNotMappedError)
    assert llmport.supports_vision("openai/no-such-model") is False
    assert llmport.get_max_tokens("openai/no-such-model") is None


def test_capability_flags() -> None:
    assert llmport.supports_function_calling("anthropic/claude-3-5-haiku-20241022")
    assert llmport.supports_vision("gpt-4o")
    assert not llmport.supports_vision("o3-mini")
    assert llmport.supports_reasoning("anthropic/claude-sonnet-4-5-20250929")
    assert not llmport.supports_reasoning("gpt-4o")
    assert llmport.supports_response_schema("gpt-4.1-nano")
    assert llmport.supports_prompt_caching("deepseek/deepseek-chat")
    assert not llmport.supports_parallel_function_calling("o3")
    assert llmport.get_max_tokens("anthropic/claude-3-7-sonnet-20250219") == 64_000


def test_azure_deployments_named_after_models_use_openais_rows() -> None:
    assert llmport.get_model_info("azure/gpt-4o")["litellm_provider"] == "azure"


def test_supported_params_come_from_the_same_rules_completion_applies() -> None:
    anthropic = llmport.get_supported_openai_params("anthropic/claude-3-7-sonnet")
    assert anthropic is not None
    assert "temperature" in anthropic
    assert "logit_bias" not in anthropic
    reasoning = llmport.get_supported_openai_params("o3-mini")
    assert reasoning is not None
    assert "top_p" not in reasoning
    openai = llmport.get_supported_openai_params("gpt-4o")
    assert openai is not None
    assert {"temperature", "top_p", "logprobs", "tools", "stream"} <= set(openai) <= BODY_PARAMS | {"stream"}
    assert "thinking" not in openai
    assert llmport.get_supported_openai_params("mystery-model") is None
    # A parameter left out is one completion() refuses.
    with pytest.raises(llmport.UnsupportedParamsError):
        llmport.completion("anthropic/claude-3-7-sonnet", USER, logit_bias={"1": 1}, api_key="k-1234")
    with pytest.raises(llmport.UnsupportedParamsError):
        llmport.completion("gpt-4o", USER, thinking={"type": "enabled"}, api_key="sk-1234")


def test_overrides_per_client_and_register_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmport.app import default

    client = llmport.Client(
        model_prices={"openai/my-model": {"max_input_tokens": 1000, "supports_vision": True}}
    )
    with llmport.use_client(client):
        info = llmport.get_model_info("openai/my-model")
        assert info["max_input_tokens"] == 1000
        assert info["supports_vision"] is True
        assert info["input_cost_per_token"] is None
        assert llmport.get_model_info("gpt-4o")["max_input_tokens"] == 128_000
    monkeypatch.setattr(default, "_default", default._DefaultClient())
    llmport.register_model(
        {"gpt-4o": {"max_tokens": 99, "input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6}}
    )
    assert llmport.get_max_tokens("gpt-4o") == 99
    assert llmport.get_model_info("gpt-4o")["input_cost_per_token"] == 1e-6


def test_every_row_names_its_source_and_date_and_a_known_provider() -> None:
    prefixes = {host.prefix for host in HOSTS}
    assert TABLE_VERSION
    for row in MODELS:
        assert row.source.startswith("https://"), row
        assert len(row.as_of) == 10, row
        assert row.provider in prefixes, row
    assert len({(row.provider, row.name) for row in MODELS}) == len(MODELS)


def test_model_cost_is_get_model_info_by_name_as_litellms_dict_reads() -> None:
    client = llmport.Client(model_prices={"openai/my-model": {"max_input_tokens": 1000}})
    with llmport.use_client(client):
        cost = llmport.model_cost
        assert cost["gpt-4o-mini-2024-07-18"] == llmport.get_model_info("gpt-4o-mini-2024-07-18")
        assert cost["gpt-4o-mini"]["max_input_tokens"] == 128_000
        assert "claude-sonnet-4-5" in cost
        assert "nonsense-model" not in cost
        assert cost.get("nonsense-model") is None
        with pytest.raises(KeyError):
            cost["nonsense-model"]
        names = list(cost)
        assert names[: len(MODELS)] == [row.name for row in MODELS]
        assert "openai/my-model" in names
        assert len(cost) == len(names)
        assert all(cost[name]["mode"] == "chat" for name in names)  # every name it lists resolves

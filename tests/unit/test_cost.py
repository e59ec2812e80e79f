"""Cost from genai-prices on recorded usage blocks, checked against figures computed by hand.

Each expected figure is worked out in the test from the provider's published per-million rates
in force at the recording's ``created`` time (as genai-prices has them): cache reads and writes
are parts of the prompt tokens, priced at their own rate, never added again; reasoning tokens
are part of the output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import llmport
from llmport.adapters.pricing.genai import GenaiPricing, ModelPrice
from llmport.domain.models.response import Usage
from llmport.domain.models.usage_breakdown import TokenBreakdown, breakdown
from llmport.testing import FakeStream, FakeTransport, HttpResponse, StaticCredentials

FIXTURES = Path(__file__).parents[1] / "contract" / "fixtures"
M = 1e-6  # the rates below are USD per million tokens
USER = [{"role": "user", "content": "hi"}]


def client(answer: HttpResponse | FakeStream, **options: Any) -> llmport.Client:
    return llmport.Client(
        transport=FakeTransport(lambda request: answer),
        credentials=StaticCredentials({}),
        api_key="sk-test-key-000",
        num_retries=0,
        **options,
    )


def recorded(family: str, name: str) -> HttpResponse:
    body = (FIXTURES / family / f"{name}.body.json").read_bytes()
    return HttpResponse(200, {"content-type": "application/json"}, body)


def recorded_stream(family: str, name: str) -> FakeStream:
    return FakeStream(parts=((FIXTURES / family / f"{name}.body.sse").read_bytes(),))


CASES = [
    # OpenAI gpt-4o-mini, 1370 prompt of which 1280 cached, 155 out: $0.15 in, $0.075 cached, $0.6 out.
    ("openai", "nonstream_cached_tokens", "openai/gpt-4o-mini", (90 * 0.15 + 1280 * 0.075 + 155 * 0.6) * M),
    # Anthropic claude-3-7-sonnet, 21 in + 1733 cache write, 561 out: $3 in, $3.75 write, $15 out.
    (
        "anthropic",
        "oi_test_anthropic_instrumentation_messages_token_counts_0",
        "anthropic/claude-3-7-sonnet-20250219",
        (21 * 3 + 1733 * 3.75 + 561 * 15) * M,
    ),
    # The same prompt read back from the cache: 21 in + 1733 cache read at $0.3, 568 out.
    (
        "anthropic",
        "oi_test_anthropic_instrumentation_messages_token_counts_1",
        "anthropic/claude-3-7-sonnet-20250219",
        (21 * 3 + 1733 * 0.3 + 568 * 15) * M,
    ),
    # claude-3-5-haiku: 9 in, 2 read, 1 written, 21 out: $0.8 in, $0.08 read, $1 write, $4 out.
    (
        "anthropic",
        "oi_testtokencounts_test_anthropic",
        "anthropic/claude-3-5-haiku-20241022",
        (9 * 0.8 + 2 * 0.08 + 1 * 1 + 21 * 4) * M,
    ),
    # xAI grok-3-mini reports reasoning beside the completion (12 + 2 + 320 = 334 total): 10 in,
    # 2 cached, 322 out at $0.3/$0.075/$0.5; xAI's own figure says 1641500 ticks of 1e-10 USD.
    ("xai", "compat_nonstream_text_reasoning", "xai/grok-3-mini", (10 * 0.3 + 2 * 0.075 + 322 * 0.5) * M),
    ("xai", "compat_nonstream_tool_call", "xai/grok-3-mini", (63 * 0.3 + 244 * 0.075 + 281 * 0.5) * M),
    # DeepSeek reasoner (rates of Dec 2025 in genai-prices: $0.55 miss, $0.14 hit, $2.19 out),
    # 175 missed + 320 hit, 144 out of which 118 reasoning (inside the completion).
    (
        "deepseek",
        "nonstream_json_reasoner",
        "deepseek/deepseek-reasoner",
        (175 * 0.55 + 320 * 0.14 + 144 * 2.19) * M,
    ),
    # Moonshot kimi-k2.6 puts cached_tokens at the top level: 10 in, 10 cached, 30 out ($0.95/$0.16/$4).
    ("moonshot", "nonstream_reasoning", "moonshot/kimi-k2.6", (10 * 0.95 + 10 * 0.16 + 30 * 4) * M),
    # Groq qwen3-32b, reasoning inside the 649 completion tokens: $0.29 in, $0.59 out.
    ("groq", "nonstream_reasoning", "groq/qwen/qwen3-32b", (17 * 0.29 + 649 * 0.59) * M),
    # Mistral small at its Jan 2026 rate ($0.1 in, $0.3 out).
    ("mistral", "nonstream_text", "mistral/mistral-small-latest", (13 * 0.1 + 434 * 0.3) * M),
    # Together Llama 3.3 70B Turbo: $0.88 in and out.
    (
        "together_ai",
        "sdk_nonstream_text",
        "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
        (46 * 0.88 + 45 * 0.88) * M,
    ),
    # Gemini 2.5 Flash: thoughts (190) are output tokens; $0.30 in, $2.50 out.
    ("gemini", "lc_gemini_token_counts", "gemini/gemini-2.5-flash", (11 * 0.3 + (17 + 190) * 2.5) * M),
    ("gemini", "oi_generate_content", "gemini/gemini-2.0-flash", (45 * 0.1 + 23 * 0.4) * M),
    # The Responses API: gpt-5.5 ($5 in, $30 out, 98 of the 118 output tokens reasoning) and gpt-4.1 ($2/$8).
    (
        "responses",
        "simonw_responses_interleaved_reasoning_between_tool_calls_1",
        "responses/gpt-5.5",
        (171 * 5 + 118 * 30) * M,
    ),
    ("responses", "oi_responses_simple_input", "responses/gpt-4.1", (19 * 2 + 253 * 8) * M),
    # Perplexity sonar: $1 in and out, plus $12 per thousand requests.
    ("perplexity", "nonstream_text", "perplexity/sonar", (11 * 1 + 392 * 1) * M + 12 / 1000),
]


@pytest.mark.parametrize(
    ("family", "name", "model", "expected"), CASES, ids=[c[0] + "-" + c[1] for c in CASES]
)
def test_recorded_usage_is_priced_by_hand_computed_rates(
    family: str, name: str, model: str, expected: float
) -> None:
    response = client(recorded(family, name)).completion(model, USER)
    assert response._hidden_params["response_cost"] == pytest.approx(expected, rel=1e-9)
    assert llmport.completion_cost(response) == pytest.approx(expected, rel=1e-9)


def test_a_provider_genai_prices_does_not_know_costs_none() -> None:
    response = client(recorded("dashscope", "nonstream_text")).completion("dashscope/qwen3-max", USER)
    assert response._hidden_params["response_cost"] is None


def test_an_unknown_model_costs_none_never_a_guess() -> None:
    answer = HttpResponse.from_json(
        {
            "model": "my-finetune-xyz",
            "choices": [{"message": {"content": "hi"}}],
            "usage": {"prompt_tokens": 5},
        }
    )
    response = client(answer).completion("openai/my-finetune-xyz", USER)
    assert response._hidden_params["response_cost"] is None
    assert (
        llmport.completion_cost(model="openai/no-such-model", prompt_tokens=10, completion_tokens=5) is None
    )


def test_a_stream_carries_the_cost_on_its_usage_chunk_and_in_the_folded_response() -> None:
    stream = client(recorded_stream("openai", "stream_text_usage_gpt4o")).completion(
        "gpt-4o", USER, stream=True
    )
    chunks = list(stream)
    expected = (14 * 2.5 + 30 * 10) * M  # gpt-4o-2024-08-06: $2.5 in, $10 out
    priced = [chunk for chunk in chunks if chunk.usage is not None]
    assert len(priced) == 1
    assert priced[0].choices[0].finish_reason == "stop"
    assert priced[0]._hidden_params["response_cost"] == pytest.approx(expected, rel=1e-9)
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert built._hidden_params["response_cost"] == pytest.approx(expected, rel=1e-9)


async def test_an_anthropic_stream_is_priced_on_its_finish_chunk() -> None:
    answer = recorded_stream("anthropic", "oi_test_anthropic_instrumentation_messages_streaming")
    stream = await client(answer).acompletion("anthropic/claude-sonnet-4-6", USER, stream=True)
    chunks = [chunk async for chunk in stream]
    final = chunks[-1]
    assert final.choices[0].finish_reason is not None
    assert final._hidden_params["response_cost"] == pytest.approx((21 * 3 + 13 * 15) * M, rel=1e-9)


def test_client_overrides_win_and_price_cache_and_reasoning_at_their_own_rates() -> None:
    prices = {
        "openai/gpt-4o-mini": {
            "input_cost_per_token": 1e-6,
            "output_cost_per_token": 4e-6,
            "cache_read_input_token_cost": 0.1e-6,
            "output_cost_per_reasoning_token": 8e-6,
        }
    }
    answer = HttpResponse.from_json(
        {
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"message": {"content": "hi"}}],
            "usage": {
                "prompt_tokens": 100,
                "completion_tokens": 50,
                "total_tokens": 150,
                "prompt_tokens_details": {"cached_tokens": 40},
                "completion_tokens_details": {"reasoning_tokens": 30},
            },
        }
    )
    response = client(answer, model_prices=prices).completion("openai/gpt-4o-mini", USER)
    expected = (60 * 1 + 40 * 0.1 + 20 * 4 + 30 * 8) * M
    assert response._hidden_params["response_cost"] == pytest.approx(expected, rel=1e-9)


def test_bad_overrides_are_refused_naming_the_model() -> None:
    with pytest.raises(ValueError, match=r"model_prices\['m'\]"):
        GenaiPricing({"m": {"input_cost_per_token": "cheap", "output_cost_per_token": 1}})
    with pytest.raises(ValueError, match="output_cost_per_token"):
        ModelPrice.parse("m", {"input_cost_per_token": 1})


def test_completion_cost_from_token_counts_and_cost_per_token() -> None:
    cost = llmport.completion_cost(model="gpt-4o-2024-08-06", prompt_tokens=1000, completion_tokens=100)
    assert cost == pytest.approx((1000 * 2.5 + 100 * 10) * M, rel=1e-9)
    prompt_cost, output_cost = llmport.cost_per_token(
        model="anthropic/claude-3-5-haiku-20241022", prompt_tokens=1000, completion_tokens=100
    )
    assert (prompt_cost, output_cost) == (pytest.approx(1000 * 0.8 * M), pytest.approx(100 * 4 * M))
    assert llmport.cost_per_token(model="openai/no-such-model", prompt_tokens=1) == (0.0, 0.0)
    with pytest.raises(llmport.BadRequestError, match="completion_response"):
        llmport.completion_cost()


def test_register_model_prices_the_default_client(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmport.app import default

    monkeypatch.setattr(default, "_default", default._DefaultClient())
    llmport.register_model({"my-model": {"input_cost_per_token": 2e-6, "output_cost_per_token": 3e-6}})
    assert llmport.completion_cost(
        model="openai/my-model", prompt_tokens=10, completion_tokens=10
    ) == pytest.approx(50 * M)
    response = llmport.completion("openai/my-model", USER, mock_response="hi")
    assert llmport.completion_cost(response, model="openai/my-model") is not None
    with pytest.raises(TypeError, match="dict"):
        llmport.register_model("https://example.invalid/prices.json")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        # OpenAI: cached tokens are part of the prompt, reasoning part of the completion.
        (
            {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150,
             "prompt_tokens_details": {"cached_tokens": 40},
             "completion_tokens_details": {"reasoning_tokens": 30}},
            TokenBreakdown(100, 50, cache_read_tokens=40, reasoning_tokens=30),
        ),
        # xAI / Gemini: reasoning beside the completion (the total says so).
        (
            {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 334,
             "completion_tokens_details": {"reasoning_tokens": 320}},
            TokenBreakdown(12, 322, reasoning_tokens=320),
        ),
        # DeepSeek's own field, and a cache count larger than the prompt is capped.
        (
            {"prompt_tokens": 10, "completion_tokens": 1, "prompt_cache_hit_tokens": 50},
            TokenBreakdown(10, 1, cache_read_tokens=10),
        ),
        # Anthropic through llmport's codec: reads and writes inside prompt_tokens.
        (
            {"prompt_tokens": 30, "completion_tokens": 5, "cache_read_input_tokens": 10,
             "cache_creation_input_tokens": 15},
            TokenBreakdown(30, 5, cache_read_tokens=10, cache_write_tokens=15),
        ),
    ],
)  # fmt: skip
def test_breakdown_follows_one_convention_for_every_provider(
    usage: dict[str, Any], expected: TokenBreakdown
) -> None:
    assert breakdown(Usage.model_validate(usage)) == expected


def test_recorded_usage_blocks_are_the_fixtures_bytes() -> None:
    # Guards the table above against a fixture edited under it.
    body = json.loads((FIXTURES / "xai" / "compat_nonstream_text_reasoning.body.json").read_text())
    assert body["usage"]["cost_in_usd_ticks"] * 1e-10 == pytest.approx((10 * 0.3 + 2 * 0.075 + 322 * 0.5) * M)


class CountingPricing:
    def __init__(self) -> None:
        self.calls = 0

    def cost(self, provider: str | None, models: Any, usage: Usage, at: float | None = None) -> float | None:
        self.calls += 1
        return 0.5


def test_an_answer_is_priced_only_when_its_cost_is_read_and_only_once() -> None:
    import copy

    pricing = CountingPricing()
    response = client(recorded("openai", "nonstream_cached_tokens"), pricing=pricing).completion(
        "gpt-4o-mini", USER
    )
    assert pricing.calls == 0
    assert response._hidden_params["response_cost"] == 0.5
    assert response._hidden_params.get("response_cost") == 0.5
    assert pricing.calls == 1
    duplicate = copy.deepcopy(response)
    assert type(duplicate._hidden_params) is dict
    assert duplicate._hidden_params["response_cost"] == 0.5


def test_a_cost_set_by_hand_is_kept() -> None:
    pricing = CountingPricing()
    response = client(recorded("openai", "nonstream_cached_tokens"), pricing=pricing).completion(
        "gpt-4o-mini", USER
    )
    response._hidden_params["response_cost"] = 1.0
    assert dict(response._hidden_params)["response_cost"] == 1.0
    assert pricing.calls == 0


def test_every_chunk_has_hidden_params_and_only_the_usage_chunk_a_cost() -> None:
    stream = client(recorded_stream("openai", "stream_text_usage_gpt4o")).completion(
        "gpt-4o", USER, stream=True
    )
    chunks = list(stream)
    assert chunks[0]._hidden_params == {}
    assert "response_cost" in chunks[-1]._hidden_params


def test_a_priced_answer_is_freed_by_reference_counting_alone() -> None:
    # A cycle through the lazily priced _hidden_params left every answer, and its request, to
    # the garbage collector: under concurrent async calls, collections cost a fifth of a call.
    import gc
    import weakref

    pricing = CountingPricing()
    answer = client(recorded("openai", "nonstream_cached_tokens"), pricing=pricing)
    gc.disable()
    try:
        response = answer.completion("gpt-4o-mini", USER)
        hidden = response._hidden_params
        gone = weakref.ref(response)
        del response
        assert gone() is None
        assert hidden["response_cost"] == 0.5  # priced from the usage the answer had
    finally:
        gc.enable()

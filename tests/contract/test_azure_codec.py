"""Contract tests: the Azure route of the OpenAI codec, replaying the recorded bytes in fixtures/azure.

No Azure request was ever recorded (see fixtures/azure/CATALOG.md): URL, headers and error
answers below are SYNTHESIZED from Azure's documented shapes; the response bodies are recorded.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.testing import HttpRequest, HttpResponse, StaticCredentials

from .fixtures_loader import Exchange, exchange_names, load_exchange
from .replay import (
    MESSAGES,
    answer,
    assert_built,
    assert_response,
    assert_stream_chunks,
    astream_chunks,
    dumps,
    expected_stream,
    make_client,
    random_pieces,
    raw_payloads,
    replay,
    seeded_rng,
    stream_chunks,
)

MODEL = "azure/my-deployment"
BASE = "https://myres.openai.azure.com"
KEY = "0123456789abcdef0123456789abcdef"  # Azure keys are 32 hex characters: no well-known key shape
URL = f"{BASE}/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21"
AZURE: dict[str, Any] = {"api_base": BASE, "api_key": KEY, "api_version": "2024-10-21"}
ALL = exchange_names("azure")
STREAMS = [name for name in ALL if load_exchange("azure", name).is_stream]
PLAIN = [name for name in ALL if not load_exchange("azure", name).is_stream]


def _exchange(name: str) -> Exchange:
    return load_exchange("azure", name)


def _chunks(exchange: Exchange, pieces: tuple[bytes, ...] | None = None) -> list[llmport.ModelResponseStream]:
    client, _ = make_client(replay(exchange, pieces=pieces))
    return stream_chunks(client, MODEL, **AZURE)


def _sent(env: dict[str, str], **params: Any) -> HttpRequest:
    client, fake = make_client(
        replay(_exchange("nonstream_deepseek_reasoning")), api_key=None, credentials=StaticCredentials(env)
    )
    client.completion(MODEL, MESSAGES, **params)
    return fake.requests[-1]


# -- request --------------------------------------------------------------------------------


def test_azure_request_url_and_api_key_header() -> None:
    sent = _sent({}, temperature=0.3, **AZURE)
    assert sent.url == URL
    assert sent.headers["api-key"] == KEY
    assert "authorization" not in sent.headers
    assert KEY not in sent.url
    body = sent.json()
    assert body["messages"] == MESSAGES
    assert body["temperature"] == 0.3
    assert not {"api_key", "api_base", "api_version", "stream"} & set(body)


def test_azure_settings_come_from_the_environment_when_not_given() -> None:
    env = {"AZURE_API_KEY": KEY, "AZURE_API_BASE": BASE, "AZURE_API_VERSION": "2025-01-01-preview"}
    sent = _sent(env)
    assert (
        sent.url == f"{BASE}/openai/deployments/my-deployment/chat/completions?api-version=2025-01-01-preview"
    )
    assert sent.headers["api-key"] == KEY


@pytest.mark.parametrize(
    "env",
    [
        {"AZURE_OPENAI_API_KEY": KEY, "AZURE_OPENAI_ENDPOINT": BASE},
        {"AZURE_API_KEY": KEY, "AZURE_API_BASE": BASE + "/"},
    ],
    ids=["openai-sdk-names", "trailing-slash"],
)
def test_azure_default_api_version_and_other_variable_names(env: dict[str, str]) -> None:
    sent = _sent(env)
    assert sent.url == URL
    assert sent.headers["api-key"] == KEY


def test_azure_arguments_win_over_the_environment() -> None:
    env = {
        "AZURE_API_KEY": "env-key-xxxxxxxx",
        "AZURE_API_BASE": "https://other.openai.azure.com",
        "AZURE_API_VERSION": "1999-01-01",
    }
    sent = _sent(env, **AZURE)
    assert (sent.url, sent.headers["api-key"]) == (URL, KEY)


@pytest.mark.parametrize(
    ("api_base", "url"),
    [
        (
            f"{BASE}/openai/deployments/other/chat/completions?api-version=2024-06-01",
            f"{BASE}/openai/deployments/other/chat/completions?api-version=2024-06-01",
        ),
        (
            f"{BASE}/openai/deployments/other",
            f"{BASE}/openai/deployments/other/chat/completions?api-version=2024-10-21",
        ),
    ],
    ids=["full-url", "deployment-url"],
)
def test_azure_api_base_already_naming_a_deployment(api_base: str, url: str) -> None:
    assert _sent({}, api_base=api_base, api_key=KEY).url == url


def test_azure_without_a_base_fails_before_sending() -> None:
    client, fake = make_client(
        replay(_exchange("nonstream_deepseek_reasoning")), api_key=None, credentials=StaticCredentials({})
    )
    with pytest.raises(llmport.BadRequestError) as caught:
        client.completion(MODEL, MESSAGES, api_key=KEY)
    assert caught.value.param == "api_base"
    assert fake.requests == []


def test_azure_streaming_request() -> None:
    client, fake = make_client(replay(_exchange("stream_model_router_gpt5_nano")))
    stream_chunks(client, MODEL, **AZURE)
    body = fake.requests[-1].json()
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert fake.requests[-1].url == URL


# -- recorded answers -----------------------------------------------------------------------


@pytest.mark.parametrize("name", PLAIN)
def test_azure_non_streamed_answer_keeps_the_recorded_completion(name: str) -> None:
    exchange = _exchange(name)
    client, _ = make_client(replay(exchange))
    assert_response(client.completion(MODEL, MESSAGES, **AZURE), json.loads(exchange.body))


@pytest.mark.parametrize("name", STREAMS)
def test_azure_stream_chunks_follow_the_recorded_events(name: str) -> None:
    exchange = _exchange(name)
    chunks = _chunks(exchange)
    assert_stream_chunks(chunks, raw_payloads(exchange.body))
    assert_built(llmport.stream_chunk_builder(chunks), expected_stream(raw_payloads(exchange.body)))


@pytest.mark.parametrize("name", STREAMS)
def test_azure_stream_split_at_random_offsets_gives_the_same_chunks(name: str) -> None:
    exchange = _exchange(name)
    whole = dumps(_chunks(exchange, (exchange.body,)))
    rng = seeded_rng("azure", name)
    for _ in range(6):
        assert dumps(_chunks(exchange, random_pieces(exchange.body, rng, max_cuts=400))) == whole


@pytest.mark.parametrize("name", STREAMS)
async def test_azure_async_stream_gives_the_same_chunks(name: str) -> None:
    exchange = _exchange(name)
    client, _ = make_client(
        replay(exchange, pieces=random_pieces(exchange.body, seeded_rng("azure-async", name)))
    )
    chunks = await astream_chunks(client, MODEL, **AZURE)
    assert dumps(chunks) == dumps(_chunks(exchange))
    assert_built(llmport.stream_chunk_builder(chunks), expected_stream(raw_payloads(exchange.body)))


def test_model_router_stream_split_in_two_at_every_byte_boundary() -> None:
    exchange = _exchange("stream_model_router_gpt5_nano")
    body = exchange.body
    current: list[tuple[bytes, ...]] = [(body,)]

    def handler(request: HttpRequest) -> HttpResponse:
        return answer(exchange, pieces=current[0])

    client, _ = make_client(handler)
    whole = dumps(stream_chunks(client, MODEL, **AZURE))
    for cut in range(1, len(body)):
        current[0] = (body[:cut], body[cut:])
        assert dumps(stream_chunks(client, MODEL, **AZURE)) == whole, f"split at byte {cut}"


def test_model_router_prompt_filter_chunk_is_dropped_and_filter_results_kept() -> None:
    exchange = _exchange("stream_model_router_gpt5_nano")
    payloads = raw_payloads(exchange.body)
    assert payloads[0]["choices"] == []
    assert "prompt_filter_results" in payloads[0]
    chunks = _chunks(exchange)
    assert all(chunk.id and chunk.model == "gpt-5-nano-2025-08-07" for chunk in chunks)
    for chunk, payload in zip(chunks, payloads[1:], strict=False):
        extra = chunk.choices[0].model_extra or {}
        assert extra["content_filter_results"] == payload["choices"][0]["content_filter_results"]
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.usage is not None
    assert last.usage.completion_tokens_details is not None
    assert last.usage.completion_tokens_details.reasoning_tokens == 64
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert built.choices[0].message.content == "Capital of Denmark."


def test_deepseek_stream_reasoning_content() -> None:
    exchange = _exchange("stream_deepseek_reasoning")
    chunks = _chunks(exchange)
    expected = expected_stream(raw_payloads(exchange.body)).choices[0]
    assert expected.reasoning
    assert expected.content
    streamed = "".join(chunk.choices[0].delta.reasoning_content or "" for chunk in chunks)
    assert streamed == expected.reasoning
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    assert built.choices[0].message.get("reasoning_content") == expected.reasoning
    assert built.choices[0].message.content == expected.content
    assert built.usage.total_tokens == 1739
    assert (built.usage.model_extra or {})["reasoning_tokens"] == 0


def test_deepseek_non_streamed_reasoning_content_is_not_sent_back() -> None:
    exchange = _exchange("nonstream_deepseek_reasoning")
    recorded = json.loads(exchange.body)["choices"][0]["message"]
    client, fake = make_client(replay(exchange))
    message = client.completion(MODEL, MESSAGES, **AZURE).choices[0].message
    assert message.reasoning_content == recorded["reasoning_content"]
    assert message.content == recorded["content"]
    client.completion(MODEL, [*MESSAGES, message, {"role": "user", "content": "More!"}], **AZURE)
    assistant = fake.requests[-1].json()["messages"][1]
    assert assistant == {"role": "assistant", "content": recorded["content"]}


# -- SYNTHESIZED Azure error answers --------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error", "cls"),
    [
        (
            401,
            {
                "code": "401",
                "message": "Access denied due to invalid subscription key or wrong API endpoint.",
            },
            llmport.AuthenticationError,
        ),
        (
            404,
            {"code": "DeploymentNotFound", "message": "The API deployment for this resource does not exist."},
            llmport.NotFoundError,
        ),
        (
            400,
            {
                "code": "content_filter",
                "message": "The response was filtered.",
                "param": "prompt",
                "status": 400,
                "innererror": {"code": "ResponsibleAIPolicyViolation"},
            },
            llmport.ContentPolicyViolationError,
        ),
        (
            429,
            {
                "code": "429",
                "message": "Requests to the ChatCompletions_Create Operation have exceeded call rate limit.",
            },
            llmport.RateLimitError,
        ),
    ],
    ids=["401", "404-deployment", "400-content-filter", "429"],
)
def test_azure_errors(status: int, error: dict[str, Any], cls: type[llmport.APIError]) -> None:
    headers = {"apim-request-id": "b3c1-azure", "retry-after": "2", "x-echo": KEY}
    client, _ = make_client(
        lambda request: HttpResponse(status, headers, json.dumps({"error": error}).encode())
    )
    with pytest.raises(cls) as caught:
        client.completion(MODEL, MESSAGES, **AZURE)
    raised = caught.value
    assert (raised.status_code, raised.llm_provider, raised.request_id) == (status, "azure", "b3c1-azure")
    assert raised.retry_after == 2.0
    for text in (str(raised), repr(raised), json.dumps(raised.body), json.dumps(raised.headers)):
        assert KEY not in text

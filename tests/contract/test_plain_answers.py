"""The OpenAI codec's plain-answer shortcut makes exactly the answers of the general path.

The shortcut (``parse_plain_response``) validates a whole answer's JSON text in one pydantic pass;
the general path (``_validated``) parses with ``json``, normalises compatible hosts' dialects and
validates. Every recorded OpenAI-format answer, and every dialect, null or failure the general
path treats in a way of its own, must come out the same: values, set fields and errors alike.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from llmport.adapters.providers.openai import OpenAICodec, _prepare_answer, _validated
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.domain.models.errors import APIError
from llmport.domain.models.request import TimeoutConfig, build_request
from llmport.domain.models.response import ModelResponse, parse_plain_response
from llmport.ports.codec import ProviderCall
from llmport.ports.transport import HttpResponse

from .fixtures_loader import exchange_names, load_exchange

REGISTRY = ProviderRegistry()
OPENAI_FORMAT = (
    "openai",
    "azure",
    "deepseek",
    "groq",
    "mistral",
    "moonshot",
    "perplexity",
    "together_ai",
    "xai",
)
RECORDED = [
    (provider, name)
    for provider in OPENAI_FORMAT
    for name in exchange_names(provider)
    if not load_exchange(provider, name).is_stream and load_exchange(provider, name).status == 200
]
PLAIN: dict[str, Any] = {"id": "c1", "object": "chat.completion", "created": 5, "model": "m"}
ANSWER: dict[str, Any] = {
    "index": 0,
    "message": {"role": "assistant", "content": "hi"},
    "finish_reason": "stop",
}


def _call(provider: str = "openai") -> ProviderCall:
    host = REGISTRY.host(provider)
    assert host is not None
    request = build_request(f"{provider}/m", [{"role": "user", "content": "hi"}], {})
    return ProviderCall(
        request=request, host=host, model="m", api_base="http://127.0.0.1:9", api_key=None,
        api_version=None, timeout=TimeoutConfig(),
    )  # fmt: skip


def _fields(model: BaseModel) -> Any:
    """Every nested model's set fields and values: what ``model_dump(exclude_unset=True)`` shows."""
    return model.model_dump(exclude_unset=True)


def _both(body: bytes, provider: str = "openai") -> tuple[Any, Any]:
    """The codec's result (shortcut where it applies) and the general path's, as values or errors."""
    call = _call(provider)
    results: list[Any] = []
    for parse in (
        lambda: OpenAICodec().parse_response(HttpResponse(200, {}, body), call),
        lambda: _validated(body, ModelResponse, call, 200, _prepare_answer),
    ):
        try:
            answer = parse()
        except APIError as error:
            results.append((type(error).__name__, error.message))
        else:
            # A defaulted id or created is made afresh on each parse: compared only when given.
            fresh = {"id", "created"} - answer.model_fields_set
            results.append((answer.model_dump(exclude=fresh), _fields(answer)))
    return results[0], results[1]


@pytest.mark.parametrize(("provider", "name"), RECORDED, ids=[f"{p}/{n}" for p, n in RECORDED])
def test_recorded_answers_come_out_as_the_general_path_makes_them(provider: str, name: str) -> None:
    body = load_exchange(provider, name).body
    shortcut, general = _both(body, provider)
    assert shortcut == general


def test_the_recordings_include_answers_the_shortcut_takes() -> None:
    plain = [name for provider, name in RECORDED if parse_plain_response(load_exchange(provider, name).body)]
    assert len(plain) >= 10


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({**PLAIN, "choices": [ANSWER]}, id="plain"),
        pytest.param({**PLAIN, "choices": [{**ANSWER, "finish_reason": "eos"}]}, id="together-eos"),
        pytest.param({**PLAIN, "choices": [{**ANSWER, "finish_reason": None}]}, id="null-finish"),
        pytest.param({**PLAIN, "choices": [{**ANSWER, "message": None}]}, id="null-message"),
        pytest.param(
            {
                **PLAIN,
                "choices": [{**ANSWER, "message": {"role": "assistant", "content": "a", "reasoning": "r"}}],
            },
            id="reasoning-named-reasoning",
        ),
        pytest.param(
            {
                **PLAIN,
                "choices": [
                    {
                        **ANSWER,
                        "message": {
                            "role": "assistant",
                            "content": [{"type": "thinking", "thinking": "t"}, {"type": "text", "text": "x"}],
                        },
                    }
                ],
            },
            id="mistral-parts",
        ),
        pytest.param({**PLAIN, "choices": [ANSWER], "usage": None}, id="null-usage"),
        pytest.param({**PLAIN, "id": None, "created": None, "choices": [ANSWER]}, id="null-envelope"),
        pytest.param({**PLAIN, "choices": []}, id="no-choices"),
        pytest.param({**PLAIN, "choices": [ANSWER], "parsed": 1, "x_extra": {"a": 1}}, id="extras"),
        pytest.param({}, id="empty-object"),
        pytest.param({"error": {"message": "bad", "type": "invalid_request_error"}}, id="error-payload"),
        pytest.param({**PLAIN, "choices": "no"}, id="wrong-shape"),
        pytest.param([ANSWER], id="not-an-object"),
    ],
)
def test_dialects_nulls_and_failures_come_out_as_the_general_path_makes_them(payload: Any) -> None:
    shortcut, general = _both(json.dumps(payload).encode())
    assert shortcut == general


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"choices": [' + b"1" * 30 + b"]}", b'{"id": "\\ud800", "choices": []}', b"NaN"],
    ids=["not-json", "long-integer", "lone-surrogate", "nan"],
)
def test_text_the_shortcut_reads_otherwise_goes_the_general_way(body: bytes) -> None:
    shortcut, general = _both(body)
    assert shortcut == general

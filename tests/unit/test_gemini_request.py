"""The Gemini codec's request mapping, error mapping and stream edge cases (wire notes §2-§6)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest

import llmport
from llmport.testing import FakeClock, FakeTransport, HttpRequest, HttpResponse

BASE = "http://127.0.0.1:9/v1beta"
HI = [{"role": "user", "content": "hi"}]
OK = {
    "candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}],
    "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2},
}
TOOL = {
    "type": "function",
    "function": {"name": "f", "parameters": {"type": "object", "properties": {"a": {}}}},
}


def _client(reply: Any = None, **settings: Any) -> tuple[llmport.Client, list[HttpRequest]]:
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return reply if isinstance(reply, HttpResponse) else HttpResponse.from_json(reply or OK)

    settings.setdefault("api_key", "gm-test-key")
    client = llmport.Client(transport=FakeTransport(handler), clock=FakeClock(), num_retries=0, **settings)
    return client, seen


def body(model: str = "gemini/gemini-2.5-flash", messages: Any = HI, **params: Any) -> dict[str, Any]:
    client, seen = _client(api_base=BASE)
    with client:
        client.completion(model, messages, **params)
    result: dict[str, Any] = json.loads(seen[0].body)
    return result


def test_generation_parameters() -> None:
    config = body(
        temperature=0.2, top_p=0.9, top_k=40, max_tokens=50, stop="END", seed=7, presence_penalty=0.1,
        frequency_penalty=0.2, n=2, logprobs=True, top_logprobs=3,
    )["generationConfig"]  # fmt: skip
    assert config == {
        "temperature": 0.2, "topP": 0.9, "topK": 40, "maxOutputTokens": 50, "stopSequences": ["END"],
        "seed": 7, "presencePenalty": 0.1, "frequencyPenalty": 0.2, "candidateCount": 2,
        "responseLogprobs": True, "logprobs": 3,
    }  # fmt: skip


def test_messages_map_to_system_instruction_and_model_turns() -> None:
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [
            {"type": "text", "text": "look"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
            {"type": "image_url", "image_url": "https://example.com/a.webp"},
        ]},
        {"role": "assistant", "content": "seen"},
        {"role": "user", "content": "and?"},
    ]  # fmt: skip
    sent = body(messages=messages)
    assert sent["systemInstruction"] == {"parts": [{"text": "be brief"}]}
    assert sent["contents"] == [
        {"role": "user", "parts": [
            {"text": "look"},
            {"inlineData": {"mimeType": "image/png", "data": "AAAA"}},
            {"fileData": {"mimeType": "image/webp", "fileUri": "https://example.com/a.webp"}},
        ]},
        {"role": "model", "parts": [{"text": "seen"}]},
        {"role": "user", "parts": [{"text": "and?"}]},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("choice", "wire"),
    [
        ("auto", {"mode": "AUTO"}),
        ("none", {"mode": "NONE"}),
        ("required", {"mode": "ANY"}),
        ({"type": "function", "function": {"name": "f"}}, {"mode": "ANY", "allowedFunctionNames": ["f"]}),
    ],
)
def test_tool_choice(choice: Any, wire: dict[str, Any]) -> None:
    sent = body(tools=[TOOL], tool_choice=choice)
    assert sent["toolConfig"] == {"functionCallingConfig": wire}
    assert sent["tools"] == [
        {"functionDeclarations": [{"name": "f", "parameters": {"type": "object", "properties": {"a": {}}}}]}
    ]


SCHEMA = {
    "type": "object",
    "properties": {"a": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
    "additionalProperties": False,
}


def test_structured_output_on_older_models_uses_the_translated_schema() -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": SCHEMA, "strict": True}}
    config = body("gemini/gemini-2.0-flash", response_format=fmt)["generationConfig"]
    assert config == {
        "responseMimeType": "application/json",
        "responseSchema": {"type": "object", "properties": {"a": {"type": "string", "nullable": True}}},
    }


def test_structured_output_on_modern_models_sends_json_schema() -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": {**SCHEMA, "strict": True}}}
    config = body("gemini/gemini-2.5-pro", response_format=fmt)["generationConfig"]
    assert config == {"responseMimeType": "application/json", "responseJsonSchema": SCHEMA}
    assert body(response_format={"type": "json_object"})["generationConfig"] == {
        "responseMimeType": "application/json"
    }


@pytest.mark.parametrize(
    ("model", "effort", "thinking"),
    [
        ("gemini/gemini-2.5-flash", "low", {"thinkingBudget": 1024, "includeThoughts": True}),
        ("gemini/gemini-2.5-flash", "none", {"thinkingBudget": 0, "includeThoughts": False}),
        ("gemini/gemini-3-pro-preview", "high", {"thinkingLevel": "HIGH", "includeThoughts": True}),
        ("gemini/gemini-3-flash-preview", "minimal", {"thinkingLevel": "MINIMAL", "includeThoughts": True}),
    ],
)
def test_reasoning_effort(model: str, effort: str, thinking: dict[str, Any]) -> None:
    assert body(model, reasoning_effort=effort)["generationConfig"]["thinkingConfig"] == thinking


def test_anthropic_style_thinking_sets_the_budget() -> None:
    config = body(thinking={"type": "enabled", "budget_tokens": 2000})["generationConfig"]
    assert config["thinkingConfig"] == {"includeThoughts": True, "thinkingBudget": 2000}


def test_safety_settings_and_cached_content_pass_through() -> None:
    safety = [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]
    sent = body(safety_settings=safety, cached_content="cachedContents/abc")
    assert sent["safetySettings"] == safety
    assert sent["cachedContent"] == "cachedContents/abc"


def test_unsupported_parameters_are_refused_or_dropped() -> None:
    with pytest.raises(llmport.UnsupportedParamsError, match="logit_bias"):
        body(logit_bias={"1": 1})
    assert "logit_bias" not in json.dumps(body(logit_bias={"1": 1}, drop_params=True))


def test_a_tool_result_needs_a_known_call() -> None:
    messages = [*HI, {"role": "tool", "tool_call_id": "nowhere", "content": "x"}]
    with pytest.raises(llmport.BadRequestError) as caught:
        body(messages=messages)
    assert caught.value.param == "messages[1].tool_call_id"


def test_the_key_goes_in_a_header_never_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.setenv("GOOGLE_API_KEY", "from-google-env")
    client, seen = _client(api_key=None, api_base=BASE)
    with client:
        client.completion("gemini/gemini-2.5-flash", HI, stream=False)
    assert seen[0].headers["x-goog-api-key"] == "from-google-env"
    assert "from-google-env" not in seen[0].url
    monkeypatch.setenv("GEMINI_API_KEY", "from-gemini-env")
    client, seen = _client(api_key=None, api_base=BASE)
    with client:
        client.completion("gemini/gemini-2.5-flash", HI)
    assert seen[0].headers["x-goog-api-key"] == "from-gemini-env"
    assert seen[0].url == f"{BASE}/models/gemini-2.5-flash:generateContent"


TOO_LONG = "The input token count (2000000) exceeds the maximum number of tokens allowed (1048576)."


def _error(status: int, google_status: str, message: str) -> HttpResponse:
    return HttpResponse.from_json(
        {"error": {"code": status, "message": message, "status": google_status}}, status
    )


@pytest.mark.parametrize(
    ("status", "google_status", "message", "cls"),
    [
        (400, "INVALID_ARGUMENT", "Unknown name \"x\"", llmport.BadRequestError),
        (400, "INVALID_ARGUMENT", TOO_LONG, llmport.ContextWindowExceededError),
        (401, "UNAUTHENTICATED", "no", llmport.AuthenticationError),
        (403, "PERMISSION_DENIED", "no", llmport.PermissionDeniedError),
        (404, "NOT_FOUND", "no model", llmport.NotFoundError),
        (429, "RESOURCE_EXHAUSTED", "quota", llmport.RateLimitError),
        (503, "UNAVAILABLE", "The model is overloaded.", llmport.ServiceUnavailableError),
    ],
)  # fmt: skip
def test_errors_are_classified_by_status(status: int, google_status: str, message: str, cls: type) -> None:
    client, _ = _client(_error(status, google_status, message), api_base=BASE)
    with client, pytest.raises(cls) as caught:
        client.completion("gemini/gemini-2.5-flash", HI)
    assert type(caught.value) is cls
    assert caught.value.status_code == status
    assert caught.value.message == message


def test_an_error_wrapped_in_an_array_is_read() -> None:
    wrapped = [{"error": {"code": 429, "message": "slow down", "status": "RESOURCE_EXHAUSTED"}}]
    client, _ = _client(HttpResponse.from_json(wrapped, 429), api_base=BASE)
    with client, pytest.raises(llmport.RateLimitError, match="slow down"):
        client.completion("gemini/gemini-2.5-flash", HI)


def test_a_blocked_prompt_is_a_content_policy_violation() -> None:
    blocked = {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 3}}
    client, _ = _client(blocked, api_base=BASE)
    with client, pytest.raises(llmport.ContentPolicyViolationError) as caught:
        client.completion("gemini/gemini-2.5-flash", HI)
    assert caught.value.llm_provider == "gemini"


def test_a_safety_finish_is_content_filter() -> None:
    answer = {"candidates": [{"content": {"parts": []}, "finishReason": "SAFETY"}]}
    client, _ = _client(answer, api_base=BASE)
    with client:
        response = client.completion("gemini/gemini-2.5-flash", HI)
    assert response.choices[0].finish_reason == "content_filter"
    assert response.choices[0].message.content is None


def _sse(*frames: dict[str, Any]) -> bytes:
    return b"".join(b"data: " + json.dumps(frame).encode() + b"\n\n" for frame in frames)


def test_an_error_frame_after_chunks_raises_after_them() -> None:
    text = {"candidates": [{"content": {"role": "model", "parts": [{"text": "par"}]}}]}
    error = {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}}
    reply = HttpResponse(200, {"content-type": "text/event-stream"}, chunks=(_sse(text, error),))
    client, _ = _client(reply, api_base=BASE)
    received = []
    with client, pytest.raises(llmport.RateLimitError, match="quota"):
        received.extend(client.completion("gemini/gemini-2.5-flash", HI, stream=True))
    assert [chunk.choices[0].delta.content for chunk in received] == ["par"]


@pytest.mark.parametrize("tail", [b" garbage", b"]x"])
def test_garbage_in_a_json_array_stream_is_a_validation_error(tail: bytes) -> None:
    frame = {"candidates": [{"content": {"role": "model", "parts": [{"text": "a"}]}}]}
    reply = HttpResponse(200, {}, chunks=(b"[" + json.dumps(frame).encode() + b"," + tail,))
    client, _ = _client(reply, api_base=BASE)
    with client, pytest.raises(llmport.APIResponseValidationError):
        list(client.completion("gemini/gemini-2.5-flash", HI, stream=True))


def test_n_candidates_come_back_as_choices() -> None:
    answer = {
        "candidates": [
            {"index": 0, "content": {"parts": [{"text": "a"}]}, "finishReason": "STOP"},
            {"index": 1, "content": {"parts": [{"text": "b"}]}, "finishReason": "MAX_TOKENS"},
        ]
    }
    client, _ = _client(answer, api_base=BASE)
    with client:
        response = client.completion("gemini/gemini-2.5-flash", HI, n=2)
    assert [(c.message.content, c.finish_reason) for c in response.choices] == [
        ("a", "stop"),
        ("b", "length"),
    ]


def test_logprobs_come_back_in_openais_shape() -> None:
    chosen = [{"token": "Hi", "logProbability": -0.1}, {"token": "!", "logProbability": -0.5}]
    top = [{"candidates": [chosen[0], {"token": "Hey", "logProbability": -2.0}]}, {"candidates": [chosen[1]]}]
    candidate = {
        "content": {"parts": [{"text": "Hi!"}]},
        "finishReason": "STOP",
        "logprobsResult": {"chosenCandidates": chosen, "topCandidates": top},
    }
    client, _ = _client({"candidates": [candidate]}, api_base=BASE)
    with client:
        response = client.completion("gemini/gemini-2.5-flash", HI, logprobs=True, top_logprobs=2)
    logprobs = response.choices[0].logprobs
    assert logprobs is not None
    assert logprobs.content is not None
    assert [(t["token"], t["logprob"]) for t in logprobs.content] == [("Hi", -0.1), ("!", -0.5)]
    assert [t["token"] for t in logprobs.content[0]["top_logprobs"]] == ["Hi", "Hey"]
    assert response.choices[0].message.content == "Hi!"


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("http://127.0.0.1:9", "http://127.0.0.1:9/v1beta/models/m:generateContent"),  # litellm's bare host
        ("http://127.0.0.1:9/", "http://127.0.0.1:9/v1beta/models/m:generateContent"),
        ("http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1/models/m:generateContent"),
        ("http://127.0.0.1:9/proxy/v1beta", "http://127.0.0.1:9/proxy/v1beta/models/m:generateContent"),
    ],
)
def test_the_base_may_omit_the_version(base: str, url: str) -> None:
    client, seen = _client(api_base=base)
    with client:
        client.completion("gemini/m", HI)
    assert seen[0].url == url


@pytest.mark.parametrize(
    ("stream", "url"),
    [
        (False, "http://127.0.0.1:9/gw/v1beta/models/m:generateContent?code=fn-key"),
        (True, "http://127.0.0.1:9/gw/v1beta/models/m:streamGenerateContent?code=fn-key&alt=sse"),
    ],
)
def test_a_query_on_the_base_stays_after_the_path(stream: bool, url: str) -> None:
    client, seen = _client(api_base="http://127.0.0.1:9/gw/v1beta?code=fn-key")
    with client, contextlib.suppress(llmport.APIError):
        answer = client.completion("gemini/m", HI, stream=stream)
        if stream:
            list(answer)  # type: ignore[call-overload]
    assert seen[0].url == url

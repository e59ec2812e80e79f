"""Fallbacks in the dispatcher: which failures move on, what each entry inherits, and what is reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import llmport
from llmport.testing import (
    FakeClock,
    FakeStream,
    FakeTransport,
    HttpRequest,
    HttpResponse,
    MemoryLogger,
    StaticCredentials,
)

from .conftest import USER, chat
from .test_dispatch import delta, error, sse
from .test_fanout import MESSAGE

OPENAI_KEY = "sk-openai-env-key-123"
ANTHROPIC_KEY = "sk-ant-env-key-456"
CALL_KEY = "sk-call-key-789"
CLAUDE = "anthropic/claude-3-haiku-20240307"
Handler = Callable[[HttpRequest], Any]


class Setup:
    """A client over a FakeTransport that answers per provider, with env keys for OpenAI and Anthropic."""

    def __init__(self, openai: Handler, anthropic: Handler | None = None) -> None:
        def handler(request: HttpRequest) -> Any:
            if request.url.startswith("https://api.anthropic.com"):
                assert anthropic is not None, "no Anthropic answer scripted"
                return anthropic(request)
            return openai(request)

        self.transport = FakeTransport(handler)
        self.clock = FakeClock()
        self.logger = MemoryLogger()
        keys = {"OPENAI_API_KEY": OPENAI_KEY, "ANTHROPIC_API_KEY": ANTHROPIC_KEY}
        self.client = llmport.Client(
            transport=self.transport,
            clock=self.clock,
            logger=self.logger,
            credentials=StaticCredentials(keys),
        )

    def sent_to(self, host: str) -> list[HttpRequest]:
        return [r for r in self.transport.requests if host in r.url]

    def fallback_events(self) -> list[Any]:
        return [e for e in self.logger.events if e.message == "llmport fallback"]


def queue(*answers: Any) -> Handler:
    items = list(answers)
    return lambda request: items.pop(0) if len(items) > 1 else items[0]


def claude(text: str = "from claude") -> HttpResponse:
    return HttpResponse.from_json({**MESSAGE, "content": [{"type": "text", "text": text}]})


def context_error() -> HttpResponse:
    body = {
        "error": {"message": "too long", "type": "invalid_request_error", "code": "context_length_exceeded"}
    }
    return HttpResponse.from_json(body, 400)


def test_after_the_primarys_retries_a_fallback_on_another_provider_answers() -> None:
    overloaded = HttpResponse.from_json({"type": "error", "error": {"type": "overloaded_error"}}, 529)
    s = Setup(lambda request: error(500), queue(overloaded, claude()))
    response = s.client.completion("gpt-4o", USER, api_key=CALL_KEY, num_retries=1, fallbacks=[CLAUDE])

    assert response.choices[0].message.content == "from claude"
    assert response._hidden_params["model"] == CLAUDE
    assert response._hidden_params["attempted_fallbacks"] == 1
    assert response._hidden_params["custom_llm_provider"] == "anthropic"
    assert len(s.sent_to("api.openai.com")) == 2  # the primary and its one retry
    assert len(s.sent_to("api.anthropic.com")) == 2  # the fallback gets its own retries
    assert len(s.clock.sleeps) == 2
    # The call's api_key belongs to OpenAI: Anthropic gets its own key from the environment.
    assert {r.headers["x-api-key"] for r in s.sent_to("anthropic")} == {ANTHROPIC_KEY}
    assert CALL_KEY not in repr([dict(r.headers) for r in s.sent_to("anthropic")])
    (event,) = s.fallback_events()
    assert event.fields["to_model"] == CLAUDE
    assert event.fields["error"] == "InternalServerError"


def test_the_primary_answering_says_so() -> None:
    s = Setup(lambda request: chat())
    response = s.client.completion("gpt-4o", USER, fallbacks=[CLAUDE])
    assert response._hidden_params["model"] == "gpt-4o"
    assert response._hidden_params["attempted_fallbacks"] == 0
    assert s.fallback_events() == []


def test_a_fallback_on_the_same_provider_inherits_key_and_base() -> None:
    s = Setup(lambda request: error(503) if request.json()["model"] == "big" else chat("small"))
    base = "http://127.0.0.1:9/v1"
    response = s.client.completion(
        "openai/big", USER, api_key=CALL_KEY, api_base=base, num_retries=0, fallbacks=["openai/small"]
    )
    assert response.choices[0].message.content == "small"
    assert [r.url for r in s.transport.requests] == [f"{base}/chat/completions"] * 2
    assert {r.headers["authorization"] for r in s.transport.requests} == {f"Bearer {CALL_KEY}"}


def test_a_dict_entry_overrides_the_calls_params_for_its_attempt() -> None:
    s = Setup(lambda request: error(429), lambda request: error(500))
    entry = {"model": CLAUDE, "api_key": "sk-ant-entry", "temperature": 0.1, "num_retries": 0}
    with pytest.raises(llmport.InternalServerError):
        s.client.completion("gpt-4o", USER, temperature=0.9, num_retries=0, fallbacks=[entry])
    (sent,) = s.sent_to("anthropic")  # num_retries=0 in the entry: one attempt
    assert sent.headers["x-api-key"] == "sk-ant-entry"
    assert sent.json()["temperature"] == 0.1
    assert s.sent_to("openai")[0].json()["temperature"] == 0.9


@pytest.mark.parametrize(
    ("answer", "cls"),
    [
        (error(401), llmport.AuthenticationError),
        (error(400), llmport.BadRequestError),
        (error(404), llmport.NotFoundError),
    ],
)
def test_other_errors_raise_at_once(answer: HttpResponse, cls: type[Exception]) -> None:
    s = Setup(lambda request: answer, lambda request: claude())
    with pytest.raises(cls) as caught:
        s.client.completion("gpt-4o", USER, fallbacks=[CLAUDE])
    assert len(s.transport.requests) == 1
    assert not isinstance(caught.value, llmport.ContextWindowExceededError)
    assert s.fallback_events() == []


def test_unsupported_params_raise_before_any_fallback() -> None:
    s = Setup(lambda request: chat(), lambda request: claude())
    with pytest.raises(llmport.UnsupportedParamsError):
        s.client.completion("gpt-4o", USER, thinking={"type": "enabled"}, fallbacks=[CLAUDE])
    assert s.transport.requests == []


def test_a_context_window_error_goes_to_context_window_fallbacks_first() -> None:
    s = Setup(lambda request: context_error() if request.json()["model"] == "gpt-4o" else chat("big"))
    response = s.client.completion(
        "gpt-4o", USER, fallbacks=["openai/other"], context_window_fallbacks=["openai/gpt-4o-128k"]
    )
    assert response.choices[0].message.content == "big"
    assert response._hidden_params["model"] == "openai/gpt-4o-128k"
    assert [r.json()["model"] for r in s.transport.requests] == ["gpt-4o", "gpt-4o-128k"]
    assert s.clock.sleeps == []  # a context-window error is not retried


def test_a_context_window_error_also_goes_to_plain_fallbacks() -> None:
    s = Setup(lambda request: context_error(), lambda request: claude())
    response = s.client.completion("gpt-4o", USER, fallbacks=[CLAUDE])
    assert response._hidden_params["model"] == CLAUDE


def test_context_window_fallbacks_ignore_other_failures() -> None:
    s = Setup(lambda request: error(500), lambda request: claude())
    with pytest.raises(llmport.InternalServerError):
        s.client.completion("gpt-4o", USER, num_retries=0, context_window_fallbacks=[CLAUDE])
    assert s.sent_to("anthropic") == []


def test_when_every_model_fails_the_last_error_carries_the_chain() -> None:
    s = Setup(lambda request: error(503), lambda request: error(429))
    with pytest.raises(llmport.ServiceUnavailableError) as caught:
        s.client.completion(
            "gpt-4o", USER, api_key=CALL_KEY, num_retries=0, fallbacks=[CLAUDE, "openai/gpt-4o-mini"]
        )
    final = caught.value
    assert (final.status_code, final.model) == (503, "openai/gpt-4o-mini")  # the last model tried
    notes = "\n".join(final.__notes__)
    for line in ("primary: gpt-4o -> ServiceUnavailableError", f"fallbacks[0]: {CLAUDE} -> RateLimitError"):
        assert line in notes
    assert "fallbacks[1]: openai/gpt-4o-mini -> ServiceUnavailableError (status 503)" in notes
    chain = []
    cause: BaseException | None = final
    while cause is not None:
        chain.append(type(cause).__name__)
        cause = cause.__context__
    assert chain == ["ServiceUnavailableError", "RateLimitError", "ServiceUnavailableError"]
    assert CALL_KEY not in notes
    assert OPENAI_KEY not in notes
    assert len(s.transport.requests) == 3
    assert len(s.fallback_events()) == 2


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        ({"fallbacks": "gpt-4o-mini"}, "fallbacks", "must be a list"),
        ({"fallbacks": [3]}, "fallbacks[0]", "model name or a dict"),
        ({"fallbacks": [CLAUDE, {"api_key": "x"}]}, "fallbacks[1]", "needs a non-empty 'model'"),
        ({"fallbacks": ["mystery-model"]}, "fallbacks[0]", "prefix it with the provider"),
        ({"fallbacks": ["future_ai/m1"]}, "fallbacks[0]", "not available in llmport yet"),
        ({"fallbacks": [{"model": CLAUDE, "stream": True}]}, "fallbacks[0]", "cannot set stream"),
        ({"fallbacks": [{"model": CLAUDE, "n": 0}]}, "fallbacks[0]", "n must be a positive integer"),
        ({"fallbacks": [{"model": CLAUDE, "model_list": [1]}]}, "fallbacks[0]", "model_list"),
        ({"context_window_fallbacks": [""]}, "context_window_fallbacks[0]", "model name"),
    ],
)
def test_bad_entries_fail_before_any_network_call(
    kwargs: dict[str, Any], param: str, message: str, planned: None
) -> None:
    s = Setup(lambda request: chat(), lambda request: claude())
    with pytest.raises(llmport.BadRequestError, match=message) as caught:
        s.client.completion("gpt-4o", USER, **kwargs)
    assert caught.value.param == param
    assert param in str(caught.value)
    assert s.transport.requests == []


def test_a_stream_falls_back_before_its_first_chunk() -> None:
    stream_body = sse(delta("a"), delta("b"), delta(finish="stop"))
    s = Setup(lambda request: error(502) if request.json()["model"] == "gpt-4o" else stream_body)
    stream = s.client.completion("gpt-4o", USER, stream=True, num_retries=0, fallbacks=["openai/gpt-4o-mini"])
    assert [c.choices[0].delta.content for c in stream] == ["a", "b", None]
    assert stream._hidden_params["model"] == "openai/gpt-4o-mini"
    assert stream._hidden_params["attempted_fallbacks"] == 1
    assert stream.model == "openai/gpt-4o-mini"


def test_a_stream_that_broke_after_a_chunk_does_not_fall_back() -> None:
    frame = b'data: {"choices": [{"index": 0, "delta": {"content": "x"}}]}\n\n'
    s = Setup(lambda request: FakeStream(parts=(frame, llmport.APIConnectionError("reset"))))
    stream = s.client.completion("gpt-4o", USER, stream=True, fallbacks=["openai/gpt-4o-mini"])
    assert next(stream).choices[0].delta.content == "x"
    with pytest.raises(llmport.APIConnectionError, match="reset"):
        next(stream)
    assert len(s.transport.requests) == 1


async def test_async_calls_and_streams_fall_back() -> None:
    stream_body = sse(delta("s"), delta(finish="stop"))

    def openai(request: HttpRequest) -> HttpResponse:
        return stream_body if request.json().get("stream") else error(500)

    s = Setup(openai, lambda request: claude("async claude"))
    response = await s.client.acompletion("openai/a", USER, num_retries=0, fallbacks=[CLAUDE])
    assert response.choices[0].message.content == "async claude"
    assert response._hidden_params["attempted_fallbacks"] == 1

    s2 = Setup(lambda request: error(500) if request.json()["model"] == "a" else stream_body)
    stream = await s2.client.acompletion("openai/a", USER, stream=True, num_retries=0, fallbacks=["openai/b"])
    assert [c.choices[0].delta.content async for c in stream] == ["s", None]
    assert stream._hidden_params["model"] == "openai/b"


def test_n_fans_out_on_the_fallback_that_needs_it() -> None:
    s = Setup(lambda request: error(500), lambda request: claude())
    response = s.client.completion("gpt-4o", USER, n=2, num_retries=0, fallbacks=[CLAUDE])
    assert len(response.choices) == 2
    assert len(s.sent_to("openai")) == 1  # OpenAI answers n itself
    assert len(s.sent_to("anthropic")) == 2  # Anthropic has no n: one request per choice
    assert response._hidden_params["model"] == CLAUDE


def test_the_fallbacks_answer_is_cached_under_its_own_request() -> None:
    s = Setup(lambda request: error(500), lambda request: claude("cached"))
    first = s.client.completion("gpt-4o", USER, caching=True, num_retries=0, fallbacks=[CLAUDE])
    again = s.client.completion("gpt-4o", USER, caching=True, num_retries=0, fallbacks=[CLAUDE])
    assert (first._hidden_params["cache_hit"], again._hidden_params["cache_hit"]) == (False, True)
    assert again.choices[0].message.content == "cached"
    assert again._hidden_params["model"] == CLAUDE
    assert len(s.sent_to("openai")) == 2  # the primary is asked each time (its failure is not cached)
    assert len(s.sent_to("anthropic")) == 1


def test_mocked_entries_need_no_network() -> None:
    client = llmport.Client(transport=FakeTransport(lambda r: chat()), credentials=StaticCredentials({}))
    limited = llmport.RateLimitError("mocked", "openai", "gpt-4o")
    response = client.completion(
        "gpt-4o", USER, mock_response=limited, fallbacks=[{"model": "any/model", "mock_response": "saved"}]
    )
    assert response.choices[0].message.content == "saved"
    assert response._hidden_params["model"] == "any/model"

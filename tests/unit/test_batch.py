"""litellm's ``batch_completion`` and ``completion_with_retries`` / ``acompletion_with_retries``.

A ``FakeTransport`` answers each conversation with its own last message, or fails it on demand,
so order, concurrency, per-conversation failures and the number of attempts are all visible.
"""

from __future__ import annotations

import threading
import traceback
from typing import Any

import pytest

import llmport
from llmport.testing import FakeClock, FakeTransport, HttpRequest, HttpResponse, openai_reply

KEY = "sk-batch-secret-0123456789"


def echo(request: HttpRequest) -> HttpResponse:
    last = request.json()["messages"][-1]["content"]
    if last == "fail":
        return HttpResponse.from_json(
            {"error": {"message": "bad input", "type": "invalid_request_error"}}, 400
        )
    return openai_reply(f"echo: {last}")


def scoped(handler: Any = echo, **options: Any) -> tuple[llmport.Client, FakeTransport]:
    transport = FakeTransport(handler)
    return llmport.Client(transport=transport, clock=FakeClock(), api_key=KEY, **options), transport


def test_one_answer_per_conversation_in_order() -> None:
    client, transport = scoped()
    conversations = [[{"role": "user", "content": f"question {i}"}] for i in range(12)]

    with llmport.use_client(client):
        results = llmport.batch_completion("gpt-4o-mini", conversations, temperature=0.2, max_workers=4)

    assert [r.choices[0].message.content for r in results] == [f"echo: question {i}" for i in range(12)]
    assert len(transport.requests) == 12
    assert {request.json()["temperature"] for request in transport.requests} == {0.2}


def test_the_conversations_run_concurrently_on_the_callers_client() -> None:
    barrier = threading.Barrier(3, timeout=5)

    def together(request: HttpRequest) -> HttpResponse:
        barrier.wait()  # passes only when three calls are in flight at once
        return echo(request)

    client, _ = scoped(together)
    with llmport.use_client(client):  # a scope of this thread: the pool's threads must use it too
        results = llmport.batch_completion(
            "gpt-4o-mini", [[{"role": "user", "content": str(i)}] for i in range(3)]
        )

    assert [r.choices[0].message.content for r in results] == ["echo: 0", "echo: 1", "echo: 2"]


def test_a_failure_is_returned_in_its_place_without_its_key_in_the_traceback() -> None:
    client, _ = scoped()
    conversations = [[{"role": "user", "content": "a"}], [{"role": "user", "content": "fail"}]]

    with llmport.use_client(client):
        ok, failed = llmport.batch_completion("gpt-4o-mini", conversations, api_key=KEY)

    assert ok.choices[0].message.content == "echo: a"
    assert isinstance(failed, llmport.BadRequestError)
    assert failed.status_code == 400
    rendered = "".join(traceback.TracebackException.from_exception(failed, capture_locals=True).format())
    assert KEY not in rendered


def test_no_conversations_no_calls() -> None:
    client, transport = scoped()
    with llmport.use_client(client):
        assert llmport.batch_completion("gpt-4o-mini", []) == []
    assert transport.requests == []


def overloaded_then(answers: int) -> Any:
    calls = {"n": 0}

    def handler(request: HttpRequest) -> HttpResponse:
        calls["n"] += 1
        if calls["n"] <= answers:
            return HttpResponse.from_json({"error": {"message": "busy", "type": "server_error"}}, 503)
        return echo(request)

    return handler


def test_completion_with_retries_makes_num_retries_attempts_in_all() -> None:
    client, transport = scoped(overloaded_then(2))
    with llmport.use_client(client):
        response = llmport.completion_with_retries(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
        )
    assert response.choices[0].message.content == "echo: x"
    assert len(transport.requests) == 3  # litellm's default: three attempts

    client, transport = scoped(overloaded_then(5))
    with llmport.use_client(client), pytest.raises(llmport.ServiceUnavailableError):
        llmport.completion_with_retries("gpt-4o-mini", [{"role": "user", "content": "x"}], num_retries=2)
    assert len(transport.requests) == 2


def test_a_bad_request_is_not_retried_unlike_litellm() -> None:
    client, transport = scoped()
    with llmport.use_client(client), pytest.raises(llmport.BadRequestError):
        llmport.completion_with_retries("gpt-4o-mini", [{"role": "user", "content": "fail"}])
    assert len(transport.requests) == 1


async def test_acompletion_with_retries() -> None:
    client, transport = scoped(overloaded_then(1))
    with llmport.use_client(client):
        response = await llmport.acompletion_with_retries(
            "gpt-4o-mini", [{"role": "user", "content": "y"}], retry_strategy="exponential_backoff_retry"
        )
    assert response.choices[0].message.content == "echo: y"
    assert len(transport.requests) == 2


@pytest.mark.parametrize(
    ("keywords", "param"),
    [
        ({"num_retries": 0}, "num_retries"),
        ({"num_retries": "3"}, "num_retries"),
        ({"retry_strategy": "x"}, "retry_strategy"),
    ],
)
def test_bad_retry_keywords_are_refused_before_any_call(keywords: dict[str, Any], param: str) -> None:
    client, transport = scoped()
    with llmport.use_client(client), pytest.raises(llmport.BadRequestError) as caught:
        llmport.completion_with_retries("gpt-4o-mini", [{"role": "user", "content": "x"}], **keywords)
    assert caught.value.param == param
    assert transport.requests == []

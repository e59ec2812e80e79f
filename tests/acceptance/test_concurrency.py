"""Concurrency against the loopback OpenAI fake: many calls at once, several event loops, threads.

Each call asks its own question and the fake echoes it ("You said: ..."), so every answer is
checked against its own request, not just counted. Warnings are recorded with the "always" filter
and the garbage collected before looking, so an unclosed client, session or socket, or a
callback on a closed loop ("Event loop is closed"), shows up as a ResourceWarning or a
RuntimeWarning here even where pytest's own ``-W error`` would not see it (finalisers run late).
"""

from __future__ import annotations

import asyncio
import gc
import resource
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import llmport
from llmport import AiohttpTransport, Client, ModelResponse
from llmport.testing import FakeOpenAIServer

from .conftest import FAKE_OPENAI_KEY

TRANSPORTS: dict[str, Callable[[], Any]] = {
    "httpx": lambda: None,  # the client's default transport
    "aiohttp": lambda: AiohttpTransport(ssl_verify=False),
}


def question(tag: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"question {tag}"}]


def assert_answers(tag: str, response: ModelResponse) -> None:
    assert isinstance(response, ModelResponse)
    assert response.choices[0].message.content is not None
    assert response.choices[0].message.content.endswith(f"You said: question {tag}")


@contextmanager
def no_leaks() -> Iterator[None]:
    """Fail on any ResourceWarning, unraisable error or 'Event loop is closed' in the block."""
    unraisable: list[str] = []

    def hook(info: Any) -> None:
        unraisable.append(f"{info.exc_type.__name__}: {info.exc_value}")

    previous = sys.unraisablehook
    sys.unraisablehook = hook
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
            gc.collect()
    finally:
        sys.unraisablehook = previous
    problems = [f"{w.category.__name__}: {w.message}" for w in caught] + unraisable
    assert problems == []


@pytest.fixture
def enough_file_descriptors() -> Iterator[None]:
    """Room for 1000 client and 1000 server sockets in this one process (soft limits are often 1024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.parametrize("transport", TRANSPORTS, ids=list(TRANSPORTS))
@pytest.mark.usefixtures("enough_file_descriptors")
def test_a_thousand_concurrent_acompletions_on_one_client(server: FakeOpenAIServer, transport: str) -> None:
    count = 1000
    # No retries: every call must get through the first time (a refused connect would hide in one).
    client = Client(
        api_key=FAKE_OPENAI_KEY, api_base=server.base_url, transport=TRANSPORTS[transport](), num_retries=0
    )

    async def main() -> list[ModelResponse]:
        calls = (client.acompletion("openai/gpt-4o-mini", question(str(i))) for i in range(count))
        return await asyncio.gather(*calls)

    with no_leaks():
        responses = asyncio.run(main())
        client.close()
    for i, response in enumerate(responses):
        assert_answers(str(i), response)
    assert len(server.requests) == count
    asked = sorted(request.body["messages"][0]["content"] for request in server.requests)
    assert asked == sorted(f"question {i}" for i in range(count))


def test_two_consecutive_asyncio_runs_with_the_default_client(openai_env: FakeOpenAIServer) -> None:
    # The module-level client outlives each asyncio.run; its pools must follow the loops.
    async def one_run(tag: str) -> tuple[ModelResponse, str]:
        response = await llmport.acompletion("gpt-4o-mini", question(tag))
        stream = await llmport.acompletion("gpt-4o-mini", question(f"{tag}-stream"), stream=True)
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
        return response, text

    with no_leaks():
        first = asyncio.run(one_run("first"))
        second = asyncio.run(one_run("second"))
        third = asyncio.run(one_run("third"))
    for tag, (response, text) in (("first", first), ("second", second), ("third", third)):
        assert_answers(tag, response)
        assert text.endswith(f"You said: question {tag}-stream")
    assert len(openai_env.requests) == 6


def test_threads_share_the_default_client_and_a_client(openai_env: FakeOpenAIServer) -> None:
    threads, calls = 16, 25
    client = Client(api_key=FAKE_OPENAI_KEY, api_base=openai_env.base_url)
    failures: list[BaseException] = []
    answered: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            for call in range(calls):
                tag = f"{index}-{call}"
                # Even threads go through llmport.completion (the default client), odd ones a Client.
                if index % 2:
                    response = client.completion("openai/gpt-4o-mini", question(tag))
                else:
                    response = llmport.completion("gpt-4o-mini", question(tag))
                assert_answers(tag, response)
                with lock:
                    answered.append(tag)
        except BaseException as error:  # reported below, with the thread's own traceback
            failures.append(error)

    with no_leaks():
        workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
        client.close()
    assert failures == []
    assert sorted(answered) == sorted(f"{i}-{c}" for i in range(threads) for c in range(calls))
    assert len(openai_env.requests) == threads * calls


def test_async_calls_from_several_threads_each_with_its_own_loop(openai_env: FakeOpenAIServer) -> None:
    # One client, one event loop per thread: each loop gets its own pool, closed with its loop.
    client = Client(api_key=FAKE_OPENAI_KEY, api_base=openai_env.base_url)
    results: dict[int, list[ModelResponse]] = {}

    async def batch(index: int) -> list[ModelResponse]:
        calls = (client.acompletion("openai/gpt-4o-mini", question(f"{index}-{i}")) for i in range(20))
        return await asyncio.gather(*calls)

    def worker(index: int) -> None:
        results[index] = asyncio.run(batch(index))

    with no_leaks():
        workers = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
        client.close()
    assert sorted(results) == [0, 1, 2, 3]
    for index, responses in results.items():
        for i, response in enumerate(responses):
            assert_answers(f"{index}-{i}", response)

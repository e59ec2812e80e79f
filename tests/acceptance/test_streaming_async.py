"""Acceptance: streaming (``stream=True``) and async (``acompletion``) as litellm users write them."""

from __future__ import annotations

import asyncio
import contextlib
import io

import pytest

import llmport as litellm
from llmport.testing import FakeOpenAIServer

pytestmark = pytest.mark.acceptance

POEM = [{"role": "user", "content": "Write a short poem."}]


def test_stream_chunks_join_to_the_non_streamed_text(openai_env: FakeOpenAIServer) -> None:
    expected = litellm.completion(model="gpt-4", messages=POEM).choices[0].message.content

    response = litellm.completion(model="gpt-4", messages=POEM, stream=True)
    pieces = []
    for chunk in response:
        content = chunk.choices[0].delta.content
        if content:
            pieces.append(content)

    assert "".join(pieces) == expected
    assert len(pieces) > 1
    assert openai_env.requests[-1].body["stream"] is True


def test_stream_printing_like_the_docs_prints_the_whole_reply(openai_env: FakeOpenAIServer) -> None:
    expected = litellm.completion(model="gpt-4", messages=POEM).choices[0].message.content
    out = io.StringIO()

    with contextlib.redirect_stdout(out):
        response = litellm.completion(model="gpt-4", messages=POEM, stream=True)
        for chunk in response:
            content = chunk.choices[0].delta.content
            if content:
                print(content, end="")

    assert out.getvalue() == expected


def test_some_stream_chunks_have_none_content_and_a_finish_reason(openai_env: FakeOpenAIServer) -> None:
    chunks = list(litellm.completion(model="gpt-4", messages=POEM, stream=True))

    assert all(isinstance(chunk, litellm.ModelResponseStream) for chunk in chunks)
    assert all(len(chunk.choices) >= 1 for chunk in chunks)
    assert any(chunk.choices[0].delta.content is None for chunk in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert {chunk.id for chunk in chunks} == {chunks[0].id}


def test_stream_chunks_rebuild_into_a_model_response(openai_env: FakeOpenAIServer) -> None:
    expected = litellm.completion(model="gpt-4", messages=POEM).choices[0].message.content
    chunks = list(litellm.completion(model="gpt-4", messages=POEM, stream=True))

    rebuilt = litellm.stream_chunk_builder(chunks, messages=POEM)

    assert rebuilt.choices[0].message.content == expected


def test_stream_respects_max_tokens(openai_env: FakeOpenAIServer) -> None:
    chunks = list(litellm.completion(model="gpt-4", messages=POEM, stream=True, max_tokens=2))

    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text == "This is"
    assert chunks[-1].choices[0].finish_reason == "length"


def test_leaving_a_stream_early_and_closing_it_is_clean(openai_env: FakeOpenAIServer) -> None:
    with litellm.completion(model="gpt-4", messages=POEM, stream=True) as response:
        first = next(iter(response))
    assert first.choices[0].delta.role == "assistant"
    # The connection went back to the pool: the next call works.
    assert litellm.completion(model="gpt-4", messages=POEM).choices[0].message.content


# --- async ------------------------------------------------------------------------------------


def test_acompletion_under_asyncio_run(openai_env: FakeOpenAIServer) -> None:
    async def main() -> str | None:
        response = await litellm.acompletion(
            model="gpt-4", messages=[{"role": "user", "content": "Explain quantum computing."}]
        )
        return response.choices[0].message.content

    assert asyncio.run(main()) == (
        "This is a fake reply from llmport's loopback server. You said: Explain quantum computing."
    )


def test_two_consecutive_asyncio_runs_on_the_default_client(openai_env: FakeOpenAIServer) -> None:
    async def main(text: str) -> str | None:
        response = await litellm.acompletion(model="gpt-4", messages=[{"role": "user", "content": text}])
        return response.choices[0].message.content

    first = asyncio.run(main("first loop"))
    second = asyncio.run(main("second loop"))

    assert first is not None
    assert first.endswith("first loop")
    assert second is not None
    assert second.endswith("second loop")
    assert len(openai_env.requests) == 2


def test_acompletion_takes_the_same_parameters(openai_env: FakeOpenAIServer) -> None:
    async def main() -> litellm.ModelResponse:
        return await litellm.acompletion(
            model="gpt-3.5-turbo",
            messages=[{"role": "user", "content": "slogan"}],
            n=2,
            temperature=0.8,
            max_tokens=200,
            timeout=30,
        )

    response = asyncio.run(main())

    assert len(response.choices) == 2
    assert openai_env.requests[-1].body["n"] == 2
    assert response.usage.total_tokens > 0


def test_concurrent_acompletions_with_gather(openai_env: FakeOpenAIServer) -> None:
    async def main() -> list[str | None]:
        calls = [
            litellm.acompletion(model="gpt-4", messages=[{"role": "user", "content": f"question {i}"}])
            for i in range(3)
        ]
        responses = await asyncio.gather(*calls)
        return [r.choices[0].message.content for r in responses]

    contents = asyncio.run(main())

    assert [text.rsplit(" ", 1)[-1] for text in contents if text] == ["0", "1", "2"]


def test_async_stream_with_async_for(openai_env: FakeOpenAIServer) -> None:
    expected = litellm.completion(model="gpt-4", messages=POEM).choices[0].message.content

    async def main() -> str:
        response = await litellm.acompletion(model="gpt-4", messages=POEM, stream=True)
        pieces = []
        async for chunk in response:
            pieces.append(chunk.choices[0].delta.content or "")
        return "".join(pieces)

    assert asyncio.run(main()) == expected


async def test_acompletion_inside_a_pytest_asyncio_test(openai_env: FakeOpenAIServer) -> None:
    response = await litellm.acompletion(model="gpt-4", messages=POEM)

    assert response.choices[0].message.content.endswith("Write a short poem.")

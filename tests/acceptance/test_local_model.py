"""The real SmolLM2-135M model, in-process through llama-cpp-python, behind the ordinary client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import llmport
from llmport.adapters.local.models import resolve_model_file

from .local_model import needs_local_model

pytestmark = needs_local_model

MODEL = "local/smollm2"
CAPITAL = [
    {"role": "system", "content": "You are a helpful assistant. Answer in English, in one short sentence."},
    {"role": "user", "content": "What is the capital of France?"},
]


@pytest.fixture(scope="module")
def client() -> Iterator[llmport.Client]:
    with llmport.Client() as made:
        yield made


def test_it_knows_the_capital_of_france(client: llmport.Client) -> None:
    response = client.completion(MODEL, CAPITAL, temperature=0, max_tokens=40)
    assert "Paris" in response.choices[0].message.content
    assert response.choices[0].finish_reason == "stop"
    assert response.model == "smollm2"
    usage = response.usage
    assert usage.prompt_tokens > 10
    assert 0 < usage.completion_tokens < 40
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_a_stream_says_the_same_as_the_whole_answer(client: llmport.Client) -> None:
    whole = client.completion(MODEL, CAPITAL, temperature=0, max_tokens=40)
    chunks = list(
        client.completion(
            MODEL, CAPITAL, temperature=0, max_tokens=40, stream=True, stream_options={"include_usage": True}
        )
    )
    assert len(chunks) > 3
    assert (
        "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == whole.choices[0].message.content
    )
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage == whole.usage


def test_max_tokens_cuts_with_length_and_counts_exactly(client: llmport.Client) -> None:
    response = client.completion(MODEL, CAPITAL, temperature=0, max_tokens=3)
    assert response.choices[0].finish_reason == "length"
    assert response.usage.completion_tokens == 3
    chunks = list(
        client.completion(
            MODEL, CAPITAL, temperature=0, max_tokens=3, stream=True, stream_options={"include_usage": True}
        )
    )
    assert chunks[-1].choices[0].finish_reason == "length"
    assert chunks[-1].usage == response.usage


def test_a_stop_string_ends_the_answer_before_it(client: llmport.Client) -> None:
    response = client.completion(MODEL, CAPITAL, temperature=0, max_tokens=40, stop=["Paris"])
    assert "Paris" not in response.choices[0].message.content
    assert response.choices[0].finish_reason == "stop"


def test_the_same_seed_samples_the_same_answer(client: llmport.Client) -> None:
    ask = [{"role": "user", "content": "Write a word."}]
    first = client.completion(MODEL, ask, temperature=1.0, seed=7, max_tokens=12)
    second = client.completion(MODEL, ask, temperature=1.0, seed=7, max_tokens=12)
    assert first.choices[0].message.content == second.choices[0].message.content


def test_n_returns_that_many_choices(client: llmport.Client) -> None:
    response = client.completion(MODEL, CAPITAL, n=2, temperature=0, max_tokens=8)
    assert [choice.index for choice in response.choices] == [0, 1]
    assert response.choices[0].message.content == response.choices[1].message.content


def test_json_schema_output_follows_the_schema(client: llmport.Client) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    response = client.completion(
        MODEL,
        [{"role": "user", "content": "Which city is the capital of France? Answer in JSON."}],
        response_format={"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}},
        temperature=0,
        max_tokens=60,
    )
    answer = json.loads(response.choices[0].message.content)
    assert isinstance(answer["city"], str)


def test_json_object_output_is_json(client: llmport.Client) -> None:
    response = client.completion(
        MODEL,
        [{"role": "user", "content": 'What is the capital of France? Reply in JSON with a key "answer".'}],
        response_format={"type": "json_object"},
        temperature=0,
        max_tokens=60,
    )
    assert json.loads(response.choices[0].message.content) == {"answer": "Paris"}


async def test_async_streaming_works(client: llmport.Client) -> None:
    stream = await client.acompletion(MODEL, CAPITAL, temperature=0, max_tokens=40, stream=True)
    text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
    assert "Paris" in text


def test_the_module_level_completion_runs_the_local_model() -> None:
    response = llmport.completion(MODEL, CAPITAL, temperature=0, max_tokens=40)
    assert "Paris" in response.choices[0].message.content


def test_a_gguf_path_runs_that_file(client: llmport.Client) -> None:
    path = resolve_model_file("smollm2")
    response = client.completion(f"local/{path}", CAPITAL, temperature=0, max_tokens=40)
    assert "Paris" in response.choices[0].message.content
    assert response.model == str(path)


def test_a_file_that_is_not_a_model_is_a_clear_error(client: llmport.Client, tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a gguf file at all")
    with pytest.raises(llmport.BadRequestError) as caught:
        client.completion(f"local/{junk}", CAPITAL)
    assert str(junk) in str(caught.value)

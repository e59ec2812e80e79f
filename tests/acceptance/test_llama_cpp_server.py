"""A real third-party server: llama-cpp-python's own OpenAI-compatible server, reached over HTTP.

The server (``python -m llama_cpp.server``, extra ``server``) runs on 127.0.0.1 with the SmolLM2
GGUF; llmport calls it through its OpenAI-compatible routes with ``api_base=``, streamed and not,
and the answers must equal the in-process ``local/smollm2`` answer at temperature 0 with the
same context size, thread count and seed on both sides. The server's own default
``repeat_penalty`` is 1.1, the in-process default 1.0 (no penalty): the calls pin it to 1.0.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import llmport
from llmport.adapters.local.models import resolve_model_file
from llmport.adapters.local.transport import LocalTransport
from llmport.adapters.transport.httpx_transport import HttpxTransport
from llmport.adapters.transport.routing import RoutingTransport

from .local_model import MISSING

N_CTX, N_THREADS, SEED = 2048, 2, 1234
MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant. Answer in English, in one short sentence."},
    {"role": "user", "content": "What is the capital of France?"},
]
SAMPLING = {"temperature": 0, "max_tokens": 48, "seed": SEED, "repeat_penalty": 1.0}
# Two of llmport's routes to an OpenAI-compatible server of one's own.
ROUTES = ["openai", "hosted_vllm"]

pytestmark = pytest.mark.skipif(
    MISSING is not None or importlib.util.find_spec("uvicorn") is None,
    reason=MISSING or "llama-cpp-python's server extra is not installed (`make test` installs it)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_ready(process: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise RuntimeError("llama_cpp.server did not become ready within 120 s")


@pytest.fixture(scope="module")
def server_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    model = resolve_model_file("smollm2")
    log = Path(tmp_path_factory.mktemp("llama-server")) / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model), "--model_alias", "smollm2",
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(N_CTX), "--n_threads", str(N_THREADS), "--n_threads_batch", str(N_THREADS),
        "--seed", str(SEED), "--verbose", "False",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_ready(process, base)
        yield base
    except RuntimeError as error:
        raise RuntimeError(f"{error}\n{log.read_text()[-3000:]}") from None
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def in_process_answer() -> str:
    local = LocalTransport(n_ctx=N_CTX, n_threads=N_THREADS, seed=SEED)
    with llmport.Client(transport=RoutingTransport(HttpxTransport(), local=local)) as client:
        response = client.completion("local/smollm2", MESSAGES, **SAMPLING)
    text = response.choices[0].message.content
    assert "Paris" in text
    return str(text)


@pytest.fixture(scope="module")
def client() -> Iterator[llmport.Client]:
    with llmport.Client() as made:
        yield made


@pytest.mark.parametrize("route", ROUTES)
def test_the_server_answers_as_the_in_process_model(
    route: str, server_base: str, in_process_answer: str, client: llmport.Client
) -> None:
    response = client.completion(f"{route}/smollm2", MESSAGES, api_base=server_base, **SAMPLING)
    assert response.choices[0].message.content == in_process_answer
    assert response.choices[0].finish_reason == "stop"
    assert response.usage.completion_tokens > 0


@pytest.mark.parametrize("route", ROUTES)
def test_the_server_streams_the_same_answer(
    route: str, server_base: str, in_process_answer: str, client: llmport.Client
) -> None:
    chunks = list(
        client.completion(f"{route}/smollm2", MESSAGES, api_base=server_base, stream=True, **SAMPLING)
    )
    assert len(chunks) > 3
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == in_process_answer
    assert chunks[-1].choices[0].finish_reason == "stop"


@pytest.mark.parametrize("route", ROUTES)
async def test_the_server_answers_async(
    route: str, server_base: str, in_process_answer: str, client: llmport.Client
) -> None:
    stream = await client.acompletion(
        f"{route}/smollm2", MESSAGES, api_base=server_base, stream=True, **SAMPLING
    )
    assert "".join([chunk.choices[0].delta.content or "" async for chunk in stream]) == in_process_answer


def test_a_prompt_over_the_context_is_the_same_error_on_both_sides(
    server_base: str, client: llmport.Client
) -> None:
    too_long = [{"role": "user", "content": "word " * (N_CTX + 100)}]
    with pytest.raises(llmport.ContextWindowExceededError) as remote:
        client.completion("openai/smollm2", too_long, api_base=server_base, max_tokens=5)
    with pytest.raises(llmport.ContextWindowExceededError) as local:
        client.completion("local/smollm2", too_long, max_tokens=5)
    assert (remote.value.status_code, local.value.status_code) == (400, 400)
    assert (remote.value.llm_provider, local.value.llm_provider) == ("openai", "local")

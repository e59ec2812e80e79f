"""The network guard: LLMPORT_ALLOW_NETWORK=0 refuses non-loopback requests before connecting."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

import llmport
from llmport.adapters.transport.network_guard import is_loopback, network_allowed
from llmport.testing import FakeClock, FakeOpenAIServer

USER = [{"role": "user", "content": "hi"}]


class Recorder:
    """An httpx transport that records what would have gone out."""

    def __init__(self) -> None:
        self.seen: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return httpx.Response(200, json={"choices": [{"message": {"content": "sent"}}]})


def _client(recorder: Recorder) -> llmport.Client:
    http = httpx.Client(transport=httpx.MockTransport(recorder.handle))
    return llmport.Client(api_key="sk-test", http_client=http, num_retries=2, clock=FakeClock())


def test_with_the_variable_at_0_a_remote_request_is_refused_before_sending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLMPORT_ALLOW_NETWORK", "0")
    recorder = Recorder()
    with pytest.raises(llmport.NetworkDisabledError) as caught:
        _client(recorder).completion("gpt-4o", USER)
    assert recorder.seen == []  # not sent, and not retried either
    message = str(caught.value)
    assert "network access is off" in message
    assert "LLMPORT_ALLOW_NETWORK" in message
    assert "api.openai.com" in message
    assert isinstance(caught.value, llmport.APIConnectionError)


def test_without_the_variable_requests_go_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLMPORT_ALLOW_NETWORK", raising=False)
    recorder = Recorder()
    assert _client(recorder).completion("gpt-4o", USER).choices[0].message.content == "sent"
    assert len(recorder.seen) == 1


def test_loopback_stays_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPORT_ALLOW_NETWORK", "0")
    with FakeOpenAIServer() as server, llmport.Client(api_key="sk-test", api_base=server.base_url) as client:
        assert client.completion("gpt-4o", USER).choices[0].message.content


async def test_the_aiohttp_transport_is_guarded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPORT_ALLOW_NETWORK", "0")
    client = llmport.Client(
        api_key="sk-test", api_base="http://192.0.2.1/v1", transport=llmport.AiohttpTransport(), timeout=0.5
    )
    try:
        with pytest.raises(llmport.NetworkDisabledError):
            await client.acompletion("gpt-4o", USER, num_retries=0)
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8080/v1", True),
        ("http://127.9.9.9/v1", True),
        ("http://[::1]:11434", True),
        ("http://localhost:8000", True),
        ("https://api.openai.com/v1", False),
        ("http://10.0.0.1/v1", False),
        ("http://127.0.0.1.example.com/v1", False),
        ("local://llama.cpp", False),
    ],
)
def test_loopback_is_judged_by_the_host(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback


@pytest.mark.parametrize(("value", "allowed"), [(None, True), ("1", True), ("0", False), ("false", False)])
def test_the_variables_values(value: str | None, allowed: bool) -> None:
    assert network_allowed({} if value is None else {"LLMPORT_ALLOW_NETWORK": value}) is allowed


def test_the_guard_works_in_any_program_not_only_under_pytest() -> None:
    code = (
        "import llmport\n"
        "try:\n"
        "    llmport.completion('gpt-4o', [{'role': 'user', 'content': 'hi'}], api_key='sk', num_retries=0)\n"
        "except llmport.NetworkDisabledError as error:\n"
        "    print('refused:', 'network access is off' in str(error))\n"
    )
    env = {"LLMPORT_ALLOW_NETWORK": "0", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "refused: True"

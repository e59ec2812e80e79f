"""vcrpy/pytest-recording record and replay llmport's traffic on both transports, keys filtered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import vcr

import llmport
from llmport.testing import FakeOpenAIServer, vcr_config

USER = [{"role": "user", "content": "hi"}]
KEY = "sk-recorded-secret-1234"
OFFLINE = "http://127.0.0.1:9/v1"  # nothing listens there: a replay must not need the server


def _ask(client: llmport.Client, stream: bool) -> str:
    if stream:
        return "".join(
            c.choices[0].delta.content or "" for c in client.completion("gpt-4o", USER, stream=True)
        )
    return client.completion("gpt-4o", USER).choices[0].message.content or ""


async def _aask(client: llmport.Client, stream: bool) -> str:
    if stream:
        chunks = await client.acompletion("gpt-4o", USER, stream=True)
        return "".join([c.choices[0].delta.content or "" async for c in chunks])
    return (await client.acompletion("gpt-4o", USER)).choices[0].message.content or ""


@pytest.mark.parametrize("stream", [False, True], ids=["reply", "stream"])
def test_httpx_traffic_recorded_against_loopback_replays_without_it(tmp_path: Path, stream: bool) -> None:
    recorder = vcr.VCR(**vcr_config())
    cassette = tmp_path / "call.yaml"
    with (
        FakeOpenAIServer() as server,
        recorder.use_cassette(str(cassette), record_mode="once"),
        llmport.Client(api_key=KEY, api_base=server.base_url) as client,
    ):
        recorded = _ask(client, stream)
    with (
        recorder.use_cassette(str(cassette), record_mode="none"),
        llmport.Client(api_key=KEY, api_base=OFFLINE, num_retries=0) as client,
    ):
        assert _ask(client, stream) == recorded
    text = cassette.read_text()
    assert KEY not in text
    assert "authorization" not in text.lower()


@pytest.mark.parametrize("stream", [False, True], ids=["reply", "stream"])
async def test_aiohttp_traffic_recorded_against_loopback_replays_without_it(
    tmp_path: Path, stream: bool
) -> None:
    recorder = vcr.VCR(**vcr_config())
    cassette = tmp_path / "call.yaml"
    with FakeOpenAIServer() as server, recorder.use_cassette(str(cassette), record_mode="once"):
        client = llmport.Client(api_key=KEY, api_base=server.base_url, transport=llmport.AiohttpTransport())
        recorded = await _aask(client, stream)
        await client.aclose()
    with recorder.use_cassette(str(cassette), record_mode="none"):
        client = llmport.Client(
            api_key=KEY, api_base=OFFLINE, transport=llmport.AiohttpTransport(), num_retries=0
        )
        assert await _aask(client, stream) == recorded
        await client.aclose()
    assert KEY not in cassette.read_text()


def test_the_anthropic_and_gemini_key_headers_are_filtered() -> None:
    assert {"x-api-key", "x-goog-api-key", "authorization", "api-key"} <= set(vcr_config()["filter_headers"])
    assert vcr_config(record_mode="none")["record_mode"] == "none"


USER_SUITE = """
import pytest

import llmport
from llmport.testing import FakeOpenAIServer, vcr_config as llmport_vcr_config


@pytest.fixture(scope="module")
def vcr_config():
    return llmport_vcr_config()


def ask(base):
    hi = [{"role": "user", "content": "hi"}]
    return llmport.completion("gpt-4o", hi, api_key="sk-user-key", api_base=base, num_retries=0)


@pytest.mark.vcr
def test_answer(request):
    if request.config.getoption("--record-mode") == "none":
        answer = ask("http://127.0.0.1:9/v1")
    else:
        with FakeOpenAIServer() as server:
            answer = ask(server.base_url)
    assert "You said: hi" in answer.choices[0].message.content
"""


def test_pytest_recording_records_then_replays_in_a_users_suite(tmp_path: Path) -> None:
    (tmp_path / "test_recorded.py").write_text(USER_SUITE)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_recorded.py"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for mode in ("once", "none"):
        done = subprocess.run(
            [*command, f"--record-mode={mode}"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    cassettes = list(tmp_path.rglob("*.yaml"))
    assert len(cassettes) == 1
    assert "sk-user-key" not in cassettes[0].read_text()

"""``llmport chat`` in a pseudo-terminal, as a person types it (pexpect), and the CLI on the real model."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pexpect
import pytest

from llmport.testing import FakeOpenAIServer

from .local_model import needs_local_model

PREFIX = "This is a fake reply from llmport's loopback server. You said: "
# Every provider's key and base-URL variables, so the default model is the offline one.
PROVIDER_SUFFIXES = ("_API_KEY", "_API_BASE", "_BASE_URL", "_ENDPOINT")


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.endswith(PROVIDER_SUFFIXES) and name != "LLMPORT_MODEL"
    }
    env.update(extra, TERM="dumb", PYTHONUNBUFFERED="1")
    return env


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as running:
        yield running


def _as_from_a_terminal() -> None:
    # A suite started in the background (`make test &`) ignores SIGINT, and a child inherits
    # that: Ctrl-C would then do nothing. A person's terminal delivers it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(*args: str, env: dict[str, str]) -> pexpect.spawn:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "llmport", *args],
        env=env,
        encoding="utf-8",
        timeout=60,
        preexec_fn=_as_from_a_terminal,
    )
    child.setwinsize(40, 200)
    return child


def test_an_interactive_chat_keeps_history_resets_and_quits_on_ctrl_d(server: FakeOpenAIServer) -> None:
    child = spawn(
        "chat", "-m", "openai/gpt-4o", env=clean_env(OPENAI_API_KEY="sk-pty", OPENAI_BASE_URL=server.base_url)
    )
    child.expect_exact("Ctrl-D quits")
    child.expect_exact("> ")
    child.sendline("hello there")
    child.expect_exact(f"{PREFIX}hello there")
    child.expect_exact("> ")
    child.sendline("and again")
    child.expect_exact(f"{PREFIX}and again")
    child.expect_exact("> ")
    assert len(server.requests[-1].body["messages"]) == 3
    child.sendline("/reset")
    child.expect_exact("(history cleared)")
    child.expect_exact("> ")
    child.sendline("fresh")
    child.expect_exact(f"{PREFIX}fresh")
    child.expect_exact("> ")
    assert server.requests[-1].body["messages"] == [{"role": "user", "content": "fresh"}]
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ctrl_c_stops_an_answer_and_the_chat_goes_on(server: FakeOpenAIServer) -> None:
    env = clean_env(OPENAI_API_KEY="sk-pty", OPENAI_BASE_URL=server.base_url)
    child = spawn("chat", "-m", "openai/fake-delay-20000", env=env)
    child.expect_exact("> ")
    child.sendline("slow question")
    child.expect_exact("waiting for the model")  # the spinner, while no token has come
    child.sendintr()
    child.expect_exact("(interrupted)")
    child.expect_exact("> ")
    child.sendline("/model openai/gpt-4o")
    child.expect_exact("> ")
    child.sendline("quick one")
    child.expect_exact(f"{PREFIX}quick one")
    child.expect_exact("> ")
    assert server.requests[-1].body["messages"] == [{"role": "user", "content": "quick one"}]
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_an_error_in_a_terminal_is_one_line(server: FakeOpenAIServer) -> None:
    child = spawn(
        "chat",
        "-m",
        "openai/fake-error-401",
        "hi",
        env=clean_env(OPENAI_API_KEY="sk-pty", OPENAI_BASE_URL=server.base_url),
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "llmport: error: AuthenticationError" in child.before
    assert "Traceback" not in child.before
    assert "sk-pty" not in child.before


@needs_local_model
def test_an_interactive_chat_with_the_local_model() -> None:
    child = spawn("chat", "--temperature", "0", "-s", "Answer in one short sentence.", env=clean_env())
    child.expect_exact("using local/smollm2 (offline)")
    child.expect_exact("> ")
    child.sendline("What is the capital of France?")
    child.expect_exact("Paris")
    child.expect_exact("> ")
    child.sendline("/model local/missing.gguf")
    child.expect_exact("> ")
    child.sendline("hi")
    child.expect_exact("local model file not found: missing.gguf")
    child.expect_exact("> ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@needs_local_model
def test_without_keys_chat_answers_offline_and_says_so_once() -> None:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "llmport", "chat", "--temperature", "0", "--max-tokens", "60"),
            *("-s", "You are a helpful assistant. Answer in English, in one short sentence."),
            "What is the capital of France?",
        ],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Paris" in done.stdout
    assert done.stderr.count("using local/smollm2") == 1

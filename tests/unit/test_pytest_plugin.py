"""llmport's pytest plugin, run as a user's test suite would run it (pytest in a subprocess)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

USER_TESTS = """
import os

import pytest

import llmport

USER = [{"role": "user", "content": "hi"}]


def ask() -> str:  # the code under test calls the module-level API
    return llmport.completion("gpt-4o", USER).choices[0].message.content


def test_llm_fake_answers_module_level_calls(llm_fake):
    llm_fake.reply("first", "second")
    assert ask() == "first"
    assert ask() == "second"
    assert [request.model for request in llm_fake.requests] == ["gpt-4o", "gpt-4o"]
    assert llm_fake.last_request.messages[-1]["content"] == "hi"


def test_llm_client_answers_with_a_function(llm_fake, llm_client):
    llm_fake.respond_with(lambda request: "echo " + request.messages[-1]["content"])
    reply = llm_client.completion("anthropic/claude-3-5-haiku-latest", USER)
    assert reply.choices[0].message.content == "echo hi"


def test_a_queued_exception_is_raised(llm_fake):
    llm_fake.reply(llmport.BadRequestError("no", "openai", "gpt-4o"))
    with pytest.raises(llmport.BadRequestError):
        ask()


def test_without_a_reply_the_failure_says_what_to_do(llm_fake):
    with pytest.raises(AssertionError, match="llm_fake.reply"):
        ask()


@pytest.mark.llmport_no_network
def test_the_marker_turns_the_guard_on():
    with pytest.raises(llmport.NetworkDisabledError):
        llmport.completion("gpt-4o", USER, api_key="sk-x", num_retries=0)


def test_the_guard_state(request):
    print("GUARD", os.environ.get("LLMPORT_ALLOW_NETWORK"))
"""


def _run(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    test_file = tmp_path / "test_user_code.py"
    test_file.write_text(USER_TESTS)
    command = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "--strict-markers"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run(
        [*command, *options, str(test_file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )


def test_the_plugins_fixtures_and_marker_in_a_users_suite(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout
    assert "GUARD None" in result.stdout


def test_the_option_turns_the_guard_on_for_every_test(tmp_path: Path) -> None:
    result = _run(tmp_path, "--llmport-no-network", "-k", "guard")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "GUARD 0" in result.stdout

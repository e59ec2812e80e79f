"""The ``llmport`` command through click's runner, against the loopback OpenAI server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from llmport.app.cli import LOCAL_DEFAULT, cli, default_model
from llmport.testing import FakeOpenAIServer

KEY = "sk-cli-test-key-0123456789"
PREFIX = "This is a fake reply from llmport's loopback server. You said: "


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as running:
        yield running


@pytest.fixture
def env(server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": server.base_url}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LLMPORT_MODEL", raising=False)
    return values


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_chat_streams_the_answer(env: dict[str, str], server: FakeOpenAIServer) -> None:
    code, out, err = run("chat", "-m", "openai/gpt-4o", "hello there")
    assert code == 0, err
    assert out == f"{PREFIX}hello there\n"
    body = server.requests[-1].body
    assert body["stream"] is True
    assert body["messages"] == [{"role": "user", "content": "hello there"}]


def test_chat_options_reach_the_request(env: dict[str, str], server: FakeOpenAIServer) -> None:
    code, out, _ = run(
        "chat",
        "-m",
        "openai/gpt-4o",
        "-s",
        "Be brief.",
        "--temperature",
        "0",
        "--max-tokens",
        "40",
        "--no-stream",
        "hi",
    )
    assert code == 0
    assert out == f"{PREFIX}hi\n"
    body = server.requests[-1].body
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert (body["temperature"], body["max_tokens"]) == (0, 40)
    assert "stream" not in body


def test_json_prints_the_whole_response(env: dict[str, str]) -> None:
    code, out, _ = run("chat", "-m", "openai/gpt-4o", "--json", "hi")
    assert code == 0
    response = json.loads(out)
    assert response["object"] == "chat.completion"
    assert response["choices"][0]["message"]["content"] == f"{PREFIX}hi"


def test_a_key_in_the_environment_picks_that_provider_silently(env: dict[str, str]) -> None:
    code, out, err = run("chat", "hi")
    assert code == 0
    assert out.startswith(PREFIX)
    assert "local/smollm2" not in err


def test_without_keys_the_default_is_the_local_model() -> None:
    assert default_model({}) == (LOCAL_DEFAULT, True)
    assert default_model({"OPENAI_API_KEY": "x"}) == ("gpt-4o-mini", False)
    assert default_model({"ANTHROPIC_API_KEY": "x"}) == ("claude-haiku-4-5-20251001", False)
    assert default_model({"OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""}) == (LOCAL_DEFAULT, True)


def test_an_error_is_one_line_and_exit_code_1(env: dict[str, str]) -> None:
    code, out, err = run("chat", "-m", "openai/fake-error-429", "hi")
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("llmport: error: RateLimitError")
    assert "Traceback" not in err
    assert KEY not in err


def test_debug_shows_the_traceback(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["--debug", "chat", "-m", "openai/fake-error-429", "hi"])
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "RateLimitError"


def test_an_unknown_provider_is_one_clear_line(env: dict[str, str]) -> None:
    code, _, err = run("chat", "-m", "nosuchmodel", "hi")
    assert code == 1
    assert "cannot tell which provider serves 'nosuchmodel'" in err


def test_chat_without_a_prompt_keeps_the_history(env: dict[str, str], server: FakeOpenAIServer) -> None:
    code, out, err = run("chat", "-m", "openai/gpt-4o", "-s", "sys", stdin="first\nsecond\n")
    assert code == 0, err
    assert out.splitlines() == [f"{PREFIX}first", f"{PREFIX}second"]
    messages = server.requests[-1].body["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == f"{PREFIX}first"


def test_reset_and_model_commands(env: dict[str, str], server: FakeOpenAIServer) -> None:
    code, _, err = run(
        "chat", "-m", "openai/gpt-4o", stdin="one\n/reset\n/model openai/gpt-4o-mini\ntwo\n/exit\nnever\n"
    )
    assert code == 0
    body = server.requests[-1].body
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == [{"role": "user", "content": "two"}]
    assert "(history cleared)" in err
    assert "(model: openai/gpt-4o-mini)" in err


def test_a_failed_turn_is_reported_and_the_chat_goes_on(
    env: dict[str, str], server: FakeOpenAIServer
) -> None:
    code, out, err = run(
        "chat", "-m", "openai/gpt-4o", stdin="/model openai/fake-error-400\nbad\n/model openai/gpt-4o\ngood\n"
    )
    assert code == 0
    assert "llmport: error: BadRequestError" in err
    assert out.strip() == f"{PREFIX}good"
    assert server.requests[-1].body["messages"] == [{"role": "user", "content": "good"}]


def test_models_lists_providers_and_their_variables() -> None:
    code, out, _ = run("models")
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "OPENAI_API_KEY" in rows["openai"]
    assert "AZURE_API_KEY" in rows["azure"]
    assert "local/smollm2" in rows["local"]


def test_doctor_names_variables_never_values(env: dict[str, str]) -> None:
    code, out, _ = run("doctor")
    assert code == 0
    assert "set (OPENAI_API_KEY)" in out
    assert "missing: set AZURE_API_KEY or AZURE_OPENAI_API_KEY" in out
    assert KEY not in out
    assert env["OPENAI_BASE_URL"] not in out
    assert "local/smollm2 file:" in out
    assert "llmport chat without -m uses: gpt-4o-mini" in out


def test_python_dash_m_and_the_console_script_run_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "llmport", "--help"], capture_output=True, text=True, check=True
    )
    assert "chat" in done.stdout
    assert "doctor" in done.stdout


def test_importing_llmport_does_not_import_click() -> None:
    code = "import sys, llmport\nprint('click' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_models_fits_100_columns_with_local_first() -> None:
    code, out, _ = run("models")
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[1].split()[0] == "local"
    assert "TOGETHERAI_API_KEY (+3 more)" in out


def test_doctor_sums_up_and_keyless_hosts_are_not_missing(env: dict[str, str]) -> None:
    code, out, _ = run("doctor")
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines() if line and not line.startswith(" ")}
    assert "missing" not in rows["lm_studio"]
    assert "(none needed)" in rows["lm_studio"]
    assert "summary:" in out
    configured = out.split("  configured: ")[1].splitlines()[0]
    assert "openai" in configured
    assert "azure" not in configured
    assert "lm_studio" in out.split("keyless, no key needed:")[1].splitlines()[0]
    assert "not configured:" in out


def test_chat_without_keys_or_the_local_extra_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "LLMPORT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if llama-cpp-python were not installed
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "llama_cpp" else real(name, *a)
    )
    code, out, err = run("chat", "hi")
    assert code == 1
    assert "pip install 'llmport[local]'" in err
    assert "OPENAI_API_KEY" in err
    assert out == ""


def test_a_mid_stream_error_starts_on_a_new_line(env: dict[str, str]) -> None:
    code, out, err = run("chat", "-m", "openai/fake-stream-error", "hello there")
    assert code == 1
    assert out.strip()  # part of the answer was printed
    assert out.endswith("\n")
    assert err.startswith("llmport: error:")

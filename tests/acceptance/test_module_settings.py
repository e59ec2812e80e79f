"""litellm's module settings on ``llmport`` (``litellm.drop_params = True``): the default client only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loguru import logger as loguru_logger

import llmport
import llmport as litellm
from llmport.app.settings import MODULE_SETTINGS
from llmport.testing import FakeOpenAIServer

from .conftest import FAKE_OPENAI_KEY

pytestmark = pytest.mark.acceptance

SETTINGS = tuple(MODULE_SETTINGS)
HELLO = [{"role": "user", "content": "Hello"}]


@pytest.fixture(autouse=True)
def _restore_module_settings() -> Iterator[None]:
    """Put every module setting back, through the same public assignments the tests use."""
    before = {name: getattr(litellm, name) for name in SETTINGS}
    yield
    for name, value in before.items():
        setattr(litellm, name, value)


def _bodies(server: FakeOpenAIServer) -> list[dict[str, object]]:
    return [dict(request.body) for request in server.requests]


def test_the_module_routes_exactly_the_settings_that_are_checked() -> None:
    # `llmport/__init__` keeps its own list so that importing it loads nothing; they must agree.
    assert set(MODULE_SETTINGS) == llmport._MODULE_SETTINGS
    assert len(SETTINGS) == 11


def test_defaults_read_back_as_unset() -> None:
    assert litellm.drop_params is False
    assert litellm.num_retries is None
    assert litellm.request_timeout is None
    assert litellm.api_key is None
    assert litellm.api_base is None
    assert litellm.set_verbose is False
    assert litellm.telemetry is False


def test_drop_params_reaches_the_default_client_only(openai_env: FakeOpenAIServer) -> None:
    litellm.completion(model="gpt-4o", messages=HELLO)  # the default client exists before the setting
    with pytest.raises(litellm.UnsupportedParamsError):
        litellm.completion(model="o1-mini", messages=HELLO, temperature=0.2)
    litellm.drop_params = True
    assert litellm.drop_params is True
    litellm.completion(model="o1-mini", messages=HELLO, temperature=0.2)
    assert "temperature" not in _bodies(openai_env)[-1]
    with llmport.Client() as own, pytest.raises(llmport.UnsupportedParamsError):
        own.completion(model="o1-mini", messages=HELLO, temperature=0.2)
    unsupported = pytest.raises(llmport.UnsupportedParamsError)
    with llmport.Client() as scoped, llmport.use_client(scoped), unsupported:
        litellm.completion(model="o1-mini", messages=HELLO, temperature=0.2)


def test_api_key_and_api_base_configure_every_provider_call(server: FakeOpenAIServer) -> None:
    litellm.api_base = server.base_url
    litellm.api_key = "sk-module-level-key"
    response = litellm.completion(model="openai/anything", messages=HELLO)
    assert response.choices[0].message.content
    assert server.requests[-1].headers["authorization"] == "Bearer sk-module-level-key"


def test_num_retries_counts_attempts(openai_env: FakeOpenAIServer) -> None:
    litellm.num_retries = 0
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(model="fake-error-500", messages=HELLO, custom_llm_provider="openai")
    assert len(openai_env.requests) == 1
    litellm.num_retries = 1
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(model="fake-error-500", messages=HELLO, custom_llm_provider="openai")
    assert len(openai_env.requests) == 3


def test_request_timeout_bounds_each_attempt(openai_env: FakeOpenAIServer) -> None:
    litellm.num_retries = 0
    litellm.request_timeout = 0.3
    with pytest.raises(litellm.Timeout):
        litellm.completion(model="fake-delay-3000", messages=HELLO, custom_llm_provider="openai")


def test_set_verbose_logs_requests_without_the_key(openai_env: FakeOpenAIServer) -> None:
    lines: list[str] = []
    sink = loguru_logger.add(lines.append, level="DEBUG", format="{message} {extra}")
    try:
        litellm.set_verbose = True
        litellm.completion(model="gpt-4o", messages=HELLO)
        litellm.set_verbose = False
        litellm.completion(model="gpt-4o-mini", messages=HELLO)
    finally:
        loguru_logger.remove(sink)
    text = "".join(lines)
    assert "llmport request" in text
    assert "gpt-4o-mini" not in text, "silent again once set_verbose is False"
    assert FAKE_OPENAI_KEY not in text


@pytest.mark.parametrize("name", ["suppress_debug_info", "telemetry"])
def test_flags_without_effect_are_accepted(name: str) -> None:
    setattr(litellm, name, True)
    assert getattr(litellm, name) is True


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("drop_params", "yes", TypeError),
        ("num_retries", -1, TypeError),
        ("set_verbose", 1, TypeError),
        ("api_key", 123, TypeError),
        ("request_timeout", "soon", llmport.BadRequestError),
    ],
)
def test_bad_values_are_refused_naming_the_setting(name: str, value: object, error: type[Exception]) -> None:
    before = getattr(litellm, name)
    with pytest.raises(error, match=name.replace("request_", "")):
        setattr(litellm, name, value)
    assert getattr(litellm, name) == before


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("cache", "Client(cache=llmport.MemoryCache())"),
        ("input_callback", "Client(callbacks=[...])"),
        ("modify_params", "Client(...) argument"),
    ],
)
def test_other_assignments_raise_naming_the_client_argument(name: str, hint: str) -> None:
    with pytest.raises(AttributeError, match="no module setting") as caught:
        setattr(litellm, name, True)
    assert hint in str(caught.value)
    assert not hasattr(litellm, name)


def test_exports_can_still_be_rebound_for_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_completion(*args: object, **kwargs: object) -> str:
        return "patched"

    monkeypatch.setattr(litellm, "completion", fake_completion)
    assert litellm.completion() == "patched"

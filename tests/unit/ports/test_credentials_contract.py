"""One contract suite for the credentials port, run against every credentials adapter.

Each adapter is built from the same plain mapping of names to values: ``EnvCredentials`` reads it
as its environment, ``StaticCredentials`` holds it, and ``ChainedCredentials`` finds it behind an
empty source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest
from pydantic import SecretStr

from llmport.adapters.credentials.sources import ChainedCredentials, EnvCredentials, StaticCredentials
from llmport.ports.credentials import Credentials

KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"
BASE = "https://example-resource.openai.azure.com"

SOURCES: dict[str, Callable[[Mapping[str, str]], Credentials]] = {
    "env": lambda values: EnvCredentials(environ=dict(values)),
    "static": StaticCredentials,
    "chained": lambda values: ChainedCredentials(EnvCredentials(environ={}), StaticCredentials(values)),
}


@pytest.fixture(params=sorted(SOURCES))
def make(request: pytest.FixtureRequest) -> Callable[[Mapping[str, str]], Credentials]:
    return SOURCES[request.param]


def test_adapter_is_credentials(make: Callable[[Mapping[str, str]], Credentials]) -> None:
    assert isinstance(make({}), Credentials)


def test_a_set_name_is_a_secret_with_its_exact_value(
    make: Callable[[Mapping[str, str]], Credentials],
) -> None:
    credentials = make({"OPENAI_API_KEY": KEY, "AZURE_API_BASE": BASE})
    key = credentials.get("OPENAI_API_KEY")
    assert isinstance(key, SecretStr)
    assert key.get_secret_value() == KEY
    base = credentials.get("AZURE_API_BASE")
    assert base is not None
    assert base.get_secret_value() == BASE


def test_an_unset_name_is_none(make: Callable[[Mapping[str, str]], Credentials]) -> None:
    credentials = make({"OPENAI_API_KEY": KEY})
    assert credentials.get("ANTHROPIC_API_KEY") is None
    assert credentials.get("openai_api_key") is None  # names are exact


BLANKS = {"empty": "", "spaces": "   ", "whitespace": "\t\n"}


@pytest.mark.parametrize(
    ("source", "blank"),
    [
        pytest.param(
            source,
            blank,
            id=f"{source}-{name}",
        )
        for source in sorted(SOURCES)
        for name, blank in BLANKS.items()
    ],
)
def test_a_blank_value_is_none(source: str, blank: str) -> None:
    assert SOURCES[source]({"OPENAI_API_KEY": blank}).get("OPENAI_API_KEY") is None


def test_repr_and_str_never_show_values(make: Callable[[Mapping[str, str]], Credentials]) -> None:
    credentials = make({"OPENAI_API_KEY": KEY, "AZURE_API_BASE": BASE})
    for text in (repr(credentials), str(credentials), repr(credentials.get("OPENAI_API_KEY"))):
        assert KEY not in text
        assert BASE not in text
    assert str(credentials.get("OPENAI_API_KEY")) == "**********"


# -- adapter specifics --------------------------------------------------------------------------


def test_env_credentials_read_at_call_time() -> None:
    environ: dict[str, str] = {}
    credentials = EnvCredentials(environ=environ)
    assert credentials.get("OPENAI_API_KEY") is None
    environ["OPENAI_API_KEY"] = KEY
    key = credentials.get("OPENAI_API_KEY")
    assert key is not None
    assert key.get_secret_value() == KEY


def test_env_credentials_default_to_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPORT_TEST_CREDENTIAL", KEY)
    credentials = EnvCredentials()
    key = credentials.get("LLMPORT_TEST_CREDENTIAL")
    assert key is not None
    assert key.get_secret_value() == KEY
    monkeypatch.delenv("LLMPORT_TEST_CREDENTIAL")
    assert credentials.get("LLMPORT_TEST_CREDENTIAL") is None


def test_static_credentials_accept_secret_values() -> None:
    credentials = StaticCredentials({"OPENAI_API_KEY": SecretStr(KEY), "EMPTY": SecretStr("")})
    key = credentials.get("OPENAI_API_KEY")
    assert key is not None
    assert key.get_secret_value() == KEY
    assert credentials.get("EMPTY") is None


def test_static_credentials_are_a_snapshot() -> None:
    values = {"OPENAI_API_KEY": KEY}
    credentials = StaticCredentials(values)
    values["OPENAI_API_KEY"] = "sk-changed-afterwards-000000"
    key = credentials.get("OPENAI_API_KEY")
    assert key is not None
    assert key.get_secret_value() == KEY


def test_chained_credentials_ask_in_order_and_the_first_answer_wins() -> None:
    first = StaticCredentials({"OPENAI_API_KEY": "sk-first-0000000000"})
    second = EnvCredentials(environ={"OPENAI_API_KEY": "sk-second-000000000", "AZURE_API_BASE": BASE})
    chained = ChainedCredentials(first, second)
    key, base = chained.get("OPENAI_API_KEY"), chained.get("AZURE_API_BASE")
    assert key is not None
    assert base is not None
    assert (key.get_secret_value(), base.get_secret_value()) == ("sk-first-0000000000", BASE)
    assert chained.get("MISSING") is None
    reversed_key = ChainedCredentials(second, first).get("OPENAI_API_KEY")
    assert reversed_key is not None
    assert reversed_key.get_secret_value() == "sk-second-000000000"


def test_chained_credentials_skip_a_blank_value() -> None:
    chained = ChainedCredentials(
        EnvCredentials(environ={"OPENAI_API_KEY": "  "}), StaticCredentials({"OPENAI_API_KEY": KEY})
    )
    key = chained.get("OPENAI_API_KEY")
    assert key is not None
    assert key.get_secret_value() == KEY


def test_an_empty_chain_knows_nothing() -> None:
    assert ChainedCredentials().get("OPENAI_API_KEY") is None


def test_chained_repr_names_its_sources_without_values() -> None:
    chained = ChainedCredentials(
        EnvCredentials(environ={"OPENAI_API_KEY": KEY}), StaticCredentials({"X": KEY})
    )
    assert repr(chained) == "ChainedCredentials(EnvCredentials(), StaticCredentials(names=['X']))"

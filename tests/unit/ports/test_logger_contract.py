"""One contract suite for the logger port, run against every logger adapter.

``LoguruLogger`` is observed through a sink this test adds (and removes); ``MemoryLogger`` through
its ``events``; ``NullLogger`` emits nothing by definition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, get_args

import pytest
from loguru import logger as loguru_logger

from llmport.adapters.logging.loguru_logger import LoguruLogger
from llmport.adapters.logging.simple import MemoryLogger, NullLogger
from llmport.ports.logger import Logger, LogLevel

LEVELS: tuple[LogLevel, ...] = get_args(LogLevel)
KEY = "sk-abcdefghijklmnopqrstuvwxyz"
BEARER_TOKEN = "abcdefghijklmnop1234"

Emitted = tuple[str, str, dict[str, Any]]


@dataclass
class Captured:
    """What reached a TRACE-level loguru sink: the formatted text and the records."""

    texts: list[str]
    records: list[dict[str, Any]]

    def ours(self) -> list[Emitted]:
        return [
            (r["level"].name, r["message"], {k: v for k, v in r["extra"].items() if k != "library"})
            for r in self.records
            if r["extra"].get("library") == "llmport"
        ]


@pytest.fixture
def sink() -> Iterator[Captured]:
    captured = Captured([], [])

    def write(message: Any) -> None:
        captured.texts.append(str(message))
        captured.records.append(message.record)

    handler_id = loguru_logger.add(write, level="TRACE", format="{level.name}|{name}|{message}|{extra}")
    yield captured
    loguru_logger.remove(handler_id)


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLMPORT_LOG", raising=False)


@dataclass
class Rig:
    logger: Logger
    emitted: Callable[[], list[Emitted]]


def loguru_rig(level: LogLevel, sink: Captured) -> Rig:
    return Rig(LoguruLogger(level), sink.ours)


def memory_rig(level: LogLevel, sink: Captured) -> Rig:
    memory = MemoryLogger(level=level)
    return Rig(memory, lambda: [(e.level, e.message, e.fields) for e in memory.events])


def null_rig(level: LogLevel, sink: Captured) -> Rig:
    return Rig(NullLogger(), list)


RIGS: dict[str, Callable[[LogLevel, Captured], Rig]] = {
    "loguru": loguru_rig,
    "memory": memory_rig,
    "null": null_rig,
}


@pytest.fixture(params=sorted(RIGS))
def make_rig(request: pytest.FixtureRequest, sink: Captured, no_env: None) -> Callable[[LogLevel], Rig]:
    return lambda level: RIGS[request.param](level, sink)


# -- the contract -------------------------------------------------------------------------------


def test_adapter_is_a_logger(make_rig: Callable[[LogLevel], Rig]) -> None:
    assert isinstance(make_rig("INFO").logger, Logger)


@pytest.mark.parametrize("threshold", ["TRACE", "INFO", "ERROR"])
def test_enabled_is_monotone_in_the_level(make_rig: Callable[[LogLevel], Rig], threshold: LogLevel) -> None:
    logger = make_rig(threshold).logger
    flags = [logger.enabled(level) for level in LEVELS]
    assert flags == sorted(flags)  # once enabled, every higher level is too


@pytest.mark.parametrize("threshold", ["TRACE", "INFO", "ERROR"])
def test_log_emits_exactly_what_enabled_promises(
    make_rig: Callable[[LogLevel], Rig], threshold: LogLevel
) -> None:
    rig = make_rig(threshold)
    for level in LEVELS:
        rig.logger.log(level, f"event at {level}", attempt=1, model="gpt-4o")
    expected = [
        (level, f"event at {level}", {"attempt": 1, "model": "gpt-4o"})
        for level in LEVELS
        if rig.logger.enabled(level)
    ]
    assert rig.emitted() == expected


@pytest.mark.parametrize("threshold", ["TRACE", "ERROR"])
def test_log_never_raises_on_odd_input(make_rig: Callable[[LogLevel], Rig], threshold: LogLevel) -> None:
    rig = make_rig(threshold)
    for level in LEVELS:
        rig.logger.log(level, "braces {0} {unbalanced } % %s")
        rig.logger.log(
            level, "", obj=object(), none=None, nested={"a": [1, (2, 3)]}, message="m", level="l", n=1.5
        )
    assert len(rig.emitted()) == 2 * sum(rig.logger.enabled(level) for level in LEVELS)


def test_the_null_logger_is_never_enabled() -> None:
    null = NullLogger()
    assert [null.enabled(level) for level in LEVELS] == [False] * len(LEVELS)


def test_memory_logger_keeps_a_copy_of_the_fields() -> None:
    memory = MemoryLogger(level="INFO")
    fields: dict[str, object] = {"n": 1}
    memory.log("INFO", "m", **fields)
    fields["n"] = 2
    assert memory.events[0].fields == {"n": 1}


# -- LoguruLogger only --------------------------------------------------------------------------


def test_loguru_is_silent_without_a_level_or_llmport_log(sink: Captured, no_env: None) -> None:
    silent = LoguruLogger()
    assert silent.level is None
    assert not any(silent.enabled(level) for level in LEVELS)
    for level in LEVELS:
        silent.log(level, "should not appear", key="value")
    assert sink.texts == []


def test_loguru_emits_at_and_above_its_level(sink: Captured, no_env: None) -> None:
    warning = LoguruLogger("WARNING")
    for level in LEVELS:
        warning.log(level, f"at {level}", n=1)
    assert [(level, message) for level, message, _ in sink.ours()] == [
        ("WARNING", "at WARNING"),
        ("ERROR", "at ERROR"),
    ]
    assert all(record["extra"]["library"] == "llmport" for record in sink.records)


def test_loguru_records_come_from_a_llmport_module(sink: Captured, no_env: None) -> None:
    # So a host can silence the library with its own ``logger.disable("llmport")``.
    LoguruLogger("INFO").log("INFO", "hello")
    (record,) = sink.records
    assert record["name"].split(".")[0] == "llmport"


@pytest.mark.parametrize(("env", "emitted"), [("debug", ["DEBUG", "INFO"]), ("INFO", ["INFO"]), ("", [])])
def test_loguru_reads_llmport_log(
    sink: Captured, monkeypatch: pytest.MonkeyPatch, env: str, emitted: list[str]
) -> None:
    monkeypatch.setenv("LLMPORT_LOG", env)
    from_env = LoguruLogger()
    for level in ("TRACE", "DEBUG", "INFO"):
        from_env.log(level, "m")
    assert [level for level, _, _ in sink.ours()] == emitted


def test_loguru_explicit_level_beats_llmport_log(sink: Captured, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPORT_LOG", "TRACE")
    explicit = LoguruLogger("ERROR")
    explicit.log("INFO", "hidden")
    explicit.log("ERROR", "shown")
    assert [message for _, message, _ in sink.ours()] == ["shown"]


@pytest.mark.parametrize("bad", ["verbose", "warn", "CRITICAL", "5"])
def test_loguru_rejects_an_invalid_level(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLMPORT_LOG", raising=False)
    with pytest.raises(ValueError, match="log level must be one of"):
        LoguruLogger(bad)
    monkeypatch.setenv("LLMPORT_LOG", bad)
    with pytest.raises(ValueError, match="log level must be one of"):
        LoguruLogger()


def test_loguru_never_touches_loguru_configuration(sink: Captured, no_env: None) -> None:
    core = loguru_logger._core  # type: ignore[attr-defined]
    handlers_before = dict(core.handlers)
    activation_before = (list(core.activation_list), core.activation_none)
    for level in (None, "TRACE", "ERROR"):
        adapter = LoguruLogger(level)
        for event in LEVELS:
            adapter.log(event, "m", n=1)
    assert dict(core.handlers) == handlers_before
    assert (list(core.activation_list), core.activation_none) == activation_before


def test_loguru_scrubs_secrets_from_messages_and_fields(sink: Captured, no_env: None) -> None:
    LoguruLogger("TRACE").log(
        "INFO", f"retrying with Authorization: Bearer {BEARER_TOKEN} and {KEY}", api_key=KEY, n=3
    )
    assert len(sink.texts) == 1
    everything = sink.texts[0] + repr(sink.records[0]["extra"]) + sink.records[0]["message"]
    assert KEY not in everything
    assert BEARER_TOKEN not in everything
    assert sink.records[0]["extra"]["n"] == 3


def test_loguru_scrubs_secrets_nested_in_fields(sink: Captured, no_env: None) -> None:
    LoguruLogger("TRACE").log(
        "INFO", "request", headers={"authorization": f"Bearer {BEARER_TOKEN}"}, keys=[KEY]
    )
    assert len(sink.texts) == 1
    assert KEY not in sink.texts[0]
    assert BEARER_TOKEN not in sink.texts[0]

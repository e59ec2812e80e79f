"""One contract suite for the clock port, run against ``SystemClock`` and ``FakeClock``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import suppress

import pytest

from llmport.adapters.clock.clocks import FakeClock, SystemClock
from llmport.ports.clock import Clock

CLOCKS: dict[str, Callable[[], Clock]] = {"system": SystemClock, "fake": FakeClock}
STEP = 0.01  # short enough to really sleep on the system clock


@pytest.fixture(params=sorted(CLOCKS))
def clock(request: pytest.FixtureRequest) -> Clock:
    return CLOCKS[request.param]()


def test_adapter_is_a_clock(clock: Clock) -> None:
    assert isinstance(clock, Clock)


def test_time_is_epoch_seconds(clock: Clock) -> None:
    now = clock.time()
    assert isinstance(now, float)
    assert 1.6e9 < now < 4.2e9  # between 2020 and 2103


def test_time_and_monotonic_never_go_backwards(clock: Clock) -> None:
    times = [clock.time() for _ in range(200)]
    ticks = [clock.monotonic() for _ in range(200)]
    assert times == sorted(times)
    assert ticks == sorted(ticks)


def test_sleep_zero_returns_at_once(clock: Clock) -> None:
    before = clock.monotonic()
    clock.sleep(0)
    assert clock.monotonic() >= before


async def test_asleep_zero_returns_at_once(clock: Clock) -> None:
    before = clock.monotonic()
    await clock.asleep(0)
    assert clock.monotonic() >= before


def test_sleep_advances_monotonic_by_at_least_the_duration(clock: Clock) -> None:
    before = clock.monotonic()
    clock.sleep(STEP)
    assert clock.monotonic() - before >= STEP - 1e-3


async def test_asleep_advances_monotonic_by_at_least_the_duration(clock: Clock) -> None:
    before = clock.monotonic()
    await clock.asleep(STEP)
    # asyncio may wake a timer up to its clock resolution early; allow a millisecond.
    assert clock.monotonic() - before >= STEP - 1e-3


@pytest.mark.parametrize("name", ["system", "fake"])
def test_a_negative_sleep_never_moves_time_backwards(name: str) -> None:
    clock = CLOCKS[name]()
    before = (clock.time(), clock.monotonic())
    with suppress(ValueError):  # time.sleep's answer; the other is to treat it as zero
        clock.sleep(-1)
    with suppress(ValueError):
        asyncio.run(clock.asleep(-1))
    assert clock.time() >= before[0]
    assert clock.monotonic() >= before[1]


# -- FakeClock only -----------------------------------------------------------------------------


def test_fake_clock_advances_exactly_by_its_sleeps_and_records_them() -> None:
    fake = FakeClock(start=1_000.0)
    assert (fake.time(), fake.monotonic(), fake.sleeps) == (1_000.0, 1_000.0, [])
    fake.sleep(1.5)
    fake.sleep(0)
    fake.sleep(30)
    assert fake.sleeps == [1.5, 0, 30]
    assert fake.time() == 1_031.5
    assert fake.monotonic() == 1_031.5


async def test_fake_clock_asleep_advances_records_and_yields_to_the_loop() -> None:
    fake = FakeClock(start=0.0)
    ran: list[str] = []

    async def other() -> None:
        ran.append("other")

    task = asyncio.get_running_loop().create_task(other())
    await fake.asleep(2)
    assert ran == ["other"]  # the sleeper let the loop run
    await fake.asleep(0.25)
    await task
    assert fake.sleeps == [2, 0.25]
    assert fake.monotonic() == 2.25


async def test_fake_clock_never_really_sleeps() -> None:
    fake = FakeClock()
    started = time.perf_counter()
    fake.sleep(3600)
    await fake.asleep(86_400)
    assert time.perf_counter() - started < 0.5
    assert fake.time() == 1_700_000_000.0 + 3600 + 86_400


def test_fake_clock_default_start_is_a_plausible_epoch() -> None:
    assert FakeClock().time() == 1_700_000_000.0

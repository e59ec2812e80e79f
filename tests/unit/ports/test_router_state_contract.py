"""One contract suite for the Router's state port: in memory, and in a real redis-server."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from llmport.adapters.router.state import MemoryRouterState, RedisRouterState
from llmport.ports.router_state import RouterState


@pytest.fixture(params=["memory", "redis"])
def state(request: pytest.FixtureRequest) -> Iterator[RouterState]:
    namespace = f"contract-{uuid.uuid4().hex}"
    if request.param == "memory":
        made: RouterState = MemoryRouterState(namespace)
    else:
        made = RedisRouterState(request.getfixturevalue("redis_url"), namespace)
    yield made
    made.close()


def test_adapter_is_a_router_state(state: RouterState) -> None:
    assert isinstance(state, RouterState)


def test_rpm_admits_exactly_the_limit_in_a_minute(state: RouterState) -> None:
    assert [state.take_request("d", 3) for _ in range(5)] == [True, True, True, False, False]
    assert state.take_request("other", 3), "per deployment"
    assert all(state.take_request("free", None) for _ in range(100)), "no limit, no refusal"


def test_rpm_is_atomic_under_concurrency(state: RouterState) -> None:
    taken: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(20):
            got = state.take_request("hot", 25)
            with lock:
                taken.append(got)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert taken.count(True) == 25
    assert len(taken) == 100


def test_wait_time_says_when_a_slot_frees(state: RouterState) -> None:
    assert state.wait_time("d", 1, None, 1) == 0
    state.take_request("d", 1)
    assert 55 < state.wait_time("d", 1, None, 1) <= 60


def test_tokens_count_against_tpm(state: RouterState) -> None:
    assert state.tokens_fit("d", 100, 60)
    state.add_tokens("d", 100, 60)
    assert state.tokens_fit("d", 100, 40)
    assert not state.tokens_fit("d", 100, 41)
    assert 0 < state.wait_time("d", None, 100, 41) <= 60
    state.add_tokens("d", 100, 500)  # an overflow saturates the window
    assert state.tokens_used([("d", 100)]) == {"d": 100}
    assert state.tokens_fit("d", None, 10**9)


def test_tokens_are_counted_without_a_limit_too(state: RouterState) -> None:
    state.add_tokens("d", None, 15)
    state.add_tokens("d", None, 15)
    assert state.tokens_used([("d", None), ("e", None)]) == {"d": 30, "e": 0}


def test_failures_beyond_the_allowance_say_so(state: RouterState) -> None:
    assert [state.failed("d", 2) for _ in range(4)] == [False, False, True, True]
    assert state.failed("z", 0), "no allowance: the first failure counts"


def test_a_cooldown_expires(state: RouterState) -> None:
    state.cool("d", 0.3)
    left = state.cooling(["d", "e"])
    assert list(left) == ["d"]
    assert 0 < left["d"] <= 0.3
    time.sleep(0.4)
    assert state.cooling(["d"]) == {}


def test_a_shorter_cooldown_never_cuts_a_longer_one(state: RouterState) -> None:
    state.cool("d", 30)
    state.cool("d", 0.1)
    assert state.cooling(["d"])["d"] > 29


def test_calls_in_flight(state: RouterState) -> None:
    state.busy("d", 1)
    state.busy("d", 1)
    state.busy("e", 1)
    state.busy("e", -1)
    assert state.in_flight(["d", "e", "f"]) == {"d": 2, "e": 0, "f": 0}


def test_latency_is_a_running_mean(state: RouterState) -> None:
    assert state.latencies(["d"]) == {}
    state.observe_latency("d", 1.0)
    state.observe_latency("d", 2.0)
    assert state.latencies(["d"]) == {"d": pytest.approx(1.3)}


def test_two_redis_states_on_one_namespace_share_everything(redis_url: str) -> None:
    namespace = f"shared-{uuid.uuid4().hex}"
    one, two = RedisRouterState(redis_url, namespace), RedisRouterState(redis_url, namespace)
    assert one.take_request("d", 1)
    assert not two.take_request("d", 1)
    one.cool("x", 30)
    assert "x" in two.cooling(["x"])
    one.close()
    two.close()
    assert "secret" not in repr(RedisRouterState("redis://u:secret-pw@127.0.0.1:1/0"))

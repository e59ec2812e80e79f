"""Worker processes of the multi-process proof (test_scale_processes.py).

Each worker is a fresh interpreter (multiprocessing "spawn"), with its own Router and
RedisCache built from the same settings, sharing nothing with the others but redis-server and
the loopback fake provider. Results go back through a queue as plain dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier, Event
from typing import Any, NamedTuple

import llmport

QUESTION = [{"role": "user", "content": "what do four workers share?"}]


@dataclass(frozen=True)
class Setup:
    """What every worker is built from (picklable)."""

    redis_url: str
    namespace: str
    limited_base: str  # the 60 rpm deployment
    revoked_base: str  # a deployment answering 401
    healthy_base: str  # the deployment that takes over
    cached_base: str  # the provider behind the shared cache
    key: str


def model_list(setup: Setup) -> list[dict[str, Any]]:
    return [
        {"model_name": "limited", "litellm_params": {
            "model": "openai/gpt-4o-mini", "api_base": setup.limited_base, "api_key": setup.key, "rpm": 60}},
        {"model_name": "cooling", "litellm_params": {
            "model": "openai/gpt-4o-mini", "api_base": setup.revoked_base, "api_key": "sk-invalid"}},
        {"model_name": "cooling", "litellm_params": {
            "model": "openai/gpt-4o-mini", "api_base": setup.healthy_base, "api_key": setup.key}},
    ]  # fmt: skip


class Signals(NamedTuple):
    """Synchronisation between the workers (built by the parent from the spawn context)."""

    start: Barrier
    cooled: Event
    cached: Event


def work(index: int, setup: Setup, signals: Signals, results: Queue[Any]) -> None:
    """Run the three phases; report counts (never raise: a failure is reported as text)."""
    start, cooled, cached = signals
    try:
        results.put({"worker": index, **_phases(index, setup, start, cooled, cached)})
    except BaseException as error:  # reported to the parent, which fails the test with it
        results.put({"worker": index, "error": f"{type(error).__name__}: {error}"})


def _phases(index: int, setup: Setup, start: Barrier, cooled: Event, cached: Event) -> dict[str, Any]:
    client = llmport.Client()
    router = llmport.Router(
        model_list(setup), client=client, redis_url=setup.redis_url, namespace=setup.namespace,
        cooldown_time=60, num_retries=1,
    )  # fmt: skip
    report: dict[str, Any] = {}
    start.wait(timeout=60)
    report.update(_hammer_the_limit(router))
    report.update(_respect_the_cooldown(index, router, cooled))
    report.update(_share_the_cache(index, setup, cached))
    router.close()
    client.close()
    return report


def _hammer_the_limit(router: llmport.Router) -> dict[str, int]:
    served = refused = 0
    for _ in range(40):
        try:
            router.completion("limited", QUESTION)
            served += 1
        except llmport.RateLimitError:
            refused += 1
    return {"served": served, "refused": refused}


def _respect_the_cooldown(index: int, router: llmport.Router, cooled: Event) -> dict[str, Any]:
    ids = [d.id for d in router.groups["cooling"]]
    if index == 0:
        # Worker 0 calls until one of its calls met the 401 and cooled that deployment.
        for _ in range(50):
            router.completion("cooling", QUESTION)
            if router.state.cooling(ids):
                break
        cooled.set()
    elif not cooled.wait(timeout=60):
        raise TimeoutError("worker 0 never cooled the deployment")
    answers = [router.completion("cooling", QUESTION).choices[0].message.content for _ in range(15)]
    return {"cooling_seen": sorted(router.state.cooling(ids)), "cooling_answers": len(answers)}


def _share_the_cache(index: int, setup: Setup, cached: Event) -> dict[str, Any]:
    cache = llmport.RedisCache(setup.redis_url, namespace=f"{setup.namespace}-cache")
    client = llmport.Client(cache=cache, api_key=setup.key, api_base=setup.cached_base)
    if index == 0:
        response = client.completion("openai/gpt-4o-mini", QUESTION)
        cached.set()
    else:
        if not cached.wait(timeout=60):
            raise TimeoutError("worker 0 never asked the cached question")
        response = client.completion("openai/gpt-4o-mini", QUESTION)
    other_tenant = client.completion("openai/gpt-4o-mini", QUESTION, api_key=f"{setup.key}-tenant-{index}")
    client.close()
    cache.close()
    return {
        "cache_hit": response._hidden_params["cache_hit"],
        "answer": response.choices[0].message.content,
        "other_tenant_hit": other_tenant._hidden_params["cache_hit"],
    }

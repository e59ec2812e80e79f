"""Proof across processes: four workers, one real redis-server, loopback fake providers.

- a deployment limited to 60 rpm receives at most 60 requests in the window, across all workers;
- a cooldown set by one worker keeps every other worker off that deployment;
- the response cache answers, in three workers, the question a fourth one asked (and keeps
  another tenant's question apart).

Workers are spawned interpreters (no state inherited), bounded in time; the figures are printed
(``pytest -s``) and asserted.
"""

from __future__ import annotations

import multiprocessing
import uuid
from typing import Any

import pytest

from llmport.testing import FakeOpenAIServer

from .scale_workers import Setup, Signals, work

WORKERS = 4
TIME_LIMIT = 120  # seconds for the whole proof, spawn included


def _run(setup: Setup) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    signals = Signals(context.Barrier(WORKERS), context.Event(), context.Event())
    results: Any = context.Queue()
    workers = [
        context.Process(target=work, args=(i, setup, signals, results), daemon=True) for i in range(WORKERS)
    ]
    for process in workers:
        process.start()
    reports = [results.get(timeout=TIME_LIMIT) for _ in workers]
    for process in workers:
        process.join(timeout=30)
        if process.is_alive():  # pragma: no cover - only when a worker hangs
            process.terminate()
            process.join(timeout=10)
    results.close()
    results.join_thread()
    return sorted(reports, key=lambda r: r["worker"])


@pytest.mark.acceptance
def test_four_workers_share_limits_cooldowns_and_the_cache(redis_url: str) -> None:
    with (
        FakeOpenAIServer() as limited,
        FakeOpenAIServer() as revoked,
        FakeOpenAIServer() as healthy,
        FakeOpenAIServer() as provider,
    ):
        setup = Setup(
            redis_url=redis_url,
            namespace=f"proof-{uuid.uuid4().hex}",
            limited_base=limited.base_url,
            revoked_base=revoked.base_url,
            healthy_base=healthy.base_url,
            cached_base=provider.base_url,
            key="sk-scale-proof-0123456789",
        )
        reports = _run(setup)
        errors = [r["error"] for r in reports if "error" in r]
        assert errors == []
        figures = {
            "attempts on the 60 rpm deployment": sum(r["served"] + r["refused"] for r in reports),
            "served": sum(r["served"] for r in reports),
            "refused by the router": sum(r["refused"] for r in reports),
            "requests the 60 rpm deployment received": len(limited.requests),
            "requests to the revoked deployment": len(revoked.requests),
            "calls answered while it cooled": sum(r["cooling_answers"] for r in reports),
            "workers seeing the cooldown": sum(1 for r in reports if r["cooling_seen"]),
            "cache hits in workers 1-3": sum(1 for r in reports[1:] if r["cache_hit"]),
            "provider requests for the cached question": sum(
                1 for q in provider.requests if "sk-scale-proof-0123456789-tenant" not in str(q.headers)
            ),
        }
        print("\nmulti-process proof:", figures)
        assert figures["requests the 60 rpm deployment received"] == figures["served"] == 60
        assert figures["refused by the router"] == WORKERS * 40 - 60
        assert figures["requests to the revoked deployment"] == 1, "one 401, then every worker kept off it"
        assert figures["workers seeing the cooldown"] == WORKERS
        assert figures["calls answered while it cooled"] == WORKERS * 15
        assert figures["cache hits in workers 1-3"] == WORKERS - 1
        assert reports[0]["cache_hit"] is False
        assert len({r["answer"] for r in reports}) == 1
        assert not any(r["other_tenant_hit"] for r in reports), "another tenant's key never hits"
        assert len(provider.requests) == 1 + WORKERS, "one question, plus each worker's own tenant"

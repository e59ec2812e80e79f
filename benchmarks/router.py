"""The Router's overhead per call against a plain ``completion()``, in one run on a loopback server.

Both sides use one ``llmport.Client`` against the benchmark server (its own process on
127.0.0.1); the Router has two deployments of one group with rpm/tpm limits high enough never to
bind, so what is measured is the routing itself: strategy, limit windows, load bookkeeping.
``--redis-url`` adds a row with the Router's state in Redis.
Usage: ``python benchmarks/router.py [--quick] [--redis-url redis://127.0.0.1:6379/0]``.
"""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Callable

from contenders import KEY, MESSAGES, MODEL
from run import FULL, QUICK, Config, Row, print_table, ratio_row, timed
from server import BenchServer

import llmport


def router_for(url: str, client: llmport.Client, strategy: str, redis_url: str | None) -> llmport.Router:
    deployment = {"model": f"openai/{MODEL}", "api_base": url, "api_key": KEY, "rpm": 10**8, "tpm": 10**11}
    return llmport.Router(
        [{"model_name": "gpt", "litellm_params": deployment}] * 2,
        client=client,
        routing_strategy=strategy,
        redis_url=redis_url,
        namespace=f"bench-{uuid.uuid4().hex}",
    )


def rows(url: str, config: Config, redis_url: str | None) -> list[Row]:
    client = llmport.Client(api_base=url, api_key=KEY)

    def plain() -> object:
        return client.completion(f"openai/{MODEL}", MESSAGES)

    cases: list[tuple[str, Callable[[], object]]] = []
    routers = []
    for strategy, state in [("simple-shuffle", None), ("least-busy", None), ("usage-based", None)] + (
        [("simple-shuffle", redis_url)] if redis_url else []
    ):
        router = router_for(url, client, strategy, state)
        routers.append(router)
        cases.append((f"Router {strategy}, state in {'Redis' if state else 'memory'}", _call(router)))
    plain()
    for _, call in cases:
        call()  # warm: imports, pools, windows
    result = []
    for name, call in cases:
        # Alternating rounds, so a load change on the machine hits both sides alike.
        pairs = [(timed(plain, config.calls), timed(call, config.calls)) for _ in range(config.rounds)]
        result.append(ratio_row(name, "completion()", "µs", pairs, None))
    for router in routers:
        router.close()
    client.close()
    return result


def _call(router: llmport.Router) -> Callable[[], object]:
    return lambda: router.completion("gpt", MESSAGES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer calls (a smoke run)")
    parser.add_argument("--redis-url", help="also measure the Router with its state in this Redis")
    args = parser.parse_args()
    config = QUICK if args.quick else FULL
    with BenchServer() as server:
        rounds = f"{config.calls} calls x {config.rounds} alternating rounds, median"
        print(f"loopback server {server.url}; {rounds}\n")
        table = rows(server.url, config, args.redis_url)
    print_table(table)
    print(f"\nratio: Router time per call / completion()'s. Load average: {os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    main()

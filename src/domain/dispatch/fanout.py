"""``n > 1`` on a wire format without native ``n``: n requests, merged into one response.

Each request goes through the same retry path as a single call; the merge is all-or-nothing
(any failure fails the call), choices are re-indexed 0..n-1 and usage is summed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ...ports.codec import ProviderCodec
from ..models.errors import unsupported
from ..models.request import CompletionRequest
from ..models.response import ModelResponse, Usage

# Concurrent requests of one fan-out; more choices than this queue behind the first ones.
MAX_CONCURRENCY = 8


def fanout_count(codec: ProviderCodec, request: CompletionRequest, provider: str) -> int:
    """How many requests ``request`` needs on ``codec``: ``n`` when the codec has no native n, else 1.

    Raises:
        UnsupportedParamsError: for ``n > 1`` with ``stream=True`` on such a codec.
    """
    n = request.params.get("n") or 1
    if n <= 1 or getattr(codec, "supports_n", False):
        return 1
    if request.stream:
        raise unsupported(
            f"{provider} has no native n: n={n} works only without stream=True (llmport sends n "
            "separate requests and merges them)",
            param="n",
            provider=provider,
            model=request.model,
        )
    return int(n)


def run_all(count: int, attempt: Callable[[], ModelResponse]) -> ModelResponse:
    """Run ``attempt`` ``count`` times concurrently (threads) and merge the answers."""
    from concurrent.futures import ThreadPoolExecutor  # only calls that fan out pay its import

    with ThreadPoolExecutor(max_workers=min(count, MAX_CONCURRENCY)) as pool:
        # Each thread runs in a copy of the caller's context, so the call's watch sees its attempts.
        futures = [pool.submit(contextvars.copy_context().run, attempt) for _ in range(count)]
        try:
            return merge([future.result() for future in futures])
        except BaseException:
            for future in futures:
                future.cancel()
            raise


async def arun_all(count: int, attempt: Callable[[], Awaitable[ModelResponse]]) -> ModelResponse:
    """Async ``run_all``: the first failure cancels the requests still running."""
    import asyncio  # loaded by then: an event loop is running

    limit = asyncio.Semaphore(MAX_CONCURRENCY)

    async def limited() -> ModelResponse:
        async with limit:
            return await attempt()

    tasks = [asyncio.ensure_future(limited()) for _ in range(count)]
    try:
        results = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return merge(results)


def merge(responses: Sequence[ModelResponse]) -> ModelResponse:
    """One response holding every choice (re-indexed in order) and the summed usage."""
    merged = responses[0]
    choices = [choice for response in responses for choice in response.choices]
    for index, choice in enumerate(choices):
        choice.index = index
    merged.choices = choices
    merged.usage = Usage.model_validate(_summed([r.usage.model_dump() for r in responses]))
    return merged


def _summed(usages: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for usage in usages:
        for key, value in usage.items():
            if isinstance(value, dict):
                total[key] = _summed([total.get(key) or {}, value])
            elif isinstance(value, int) and not isinstance(value, bool):
                total[key] = (total.get(key) or 0) + value
            elif key not in total:
                total[key] = value
    return total

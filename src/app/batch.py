"""litellm's ``batch_completion`` and ``completion_with_retries``, over the current client.

Both are thin: a batch is one ``completion()`` per conversation on a thread pool (the client is
picked in the caller's context, so a ``use_client`` scope holds for every thread), and the
``*_with_retries`` forms are ``completion()`` with llmport's own retry policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..domain.models.errors import bad_request
from ..domain.models.frames import forget_locals
from ..domain.models.messages import MessageLike
from .default import acompletion, completion, current_client

_STRATEGIES = frozenset({"constant_retry", "exponential_backoff_retry"})


def batch_completion(
    model: str,
    messages: Sequence[Sequence[MessageLike]] = (),
    *,
    max_workers: int | None = 100,
    **params: Any,
) -> list[Any]:
    """Run one ``completion()`` per conversation in ``messages``, concurrently, in order.

    Args:
        model: The model every conversation goes to.
        messages: A list of conversations (each a list of messages).
        max_workers: Threads at most (litellm's default, 100).
        **params: Any ``completion()`` keyword, the same for every conversation.

    Returns:
        One result per conversation, in order: its ``ModelResponse`` (or stream), or the
        exception it raised, as litellm returns them (one failure does not hide the others).
    """
    from concurrent.futures import ThreadPoolExecutor  # loaded only by programs that batch

    client = current_client()  # here, not in the pool: a use_client() scope is this context's
    conversations = [list(conversation) for conversation in messages]

    def one(conversation: list[MessageLike]) -> Any:
        return client.completion(model, conversation, **params)

    workers = max(1, min(max_workers or 1, len(conversations) or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(one, conversation) for conversation in conversations]
    results: list[Any] = []
    for future in futures:
        error = future.exception()
        if error is not None:
            forget_locals(error)  # the pool's frames held the call's keywords (its key)
        results.append(future.result() if error is None else error)
    return results


def completion_with_retries(*args: Any, **kwargs: Any) -> Any:
    """``completion()`` with ``num_retries`` attempts in all (default 3), as litellm's.

    litellm retries every exception, a ``BadRequestError`` included; llmport retries what its
    retry policy retries (rate limits, overloads, server errors, timeouts, lost connections),
    with its exponential backoff and the provider's ``Retry-After`` whatever ``retry_strategy``
    names. ``original_function`` must take ``num_retries`` (llmport's completion functions do).
    """
    function, call_kwargs = _retrying(kwargs, completion)
    return function(*args, **call_kwargs)


async def acompletion_with_retries(*args: Any, **kwargs: Any) -> Any:
    """Async ``completion_with_retries`` (``acompletion()`` by default)."""
    function, call_kwargs = _retrying(kwargs, acompletion)
    return await function(*args, **call_kwargs)


def _retrying(
    kwargs: dict[str, Any], default: Callable[..., Any]
) -> tuple[Callable[..., Any], dict[str, Any]]:
    attempts = kwargs.pop("num_retries", 3)
    strategy = kwargs.pop("retry_strategy", "constant_retry")
    function = kwargs.pop("original_function", None) or default
    if strategy not in _STRATEGIES:
        raise bad_request(f"retry_strategy must be one of {sorted(_STRATEGIES)}", param="retry_strategy")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise bad_request(
            "num_retries (attempts in all, here) must be a whole number of 1 or more", param="num_retries"
        )
    return function, {**kwargs, "num_retries": attempts - 1}

"""litellm's ``token_counter``: exact where it can be, an estimate that says so elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, overload

from ..adapters.tokens.counting import count_locally
from ..domain.dispatch.counting import provider_count
from ..domain.models.errors import BadRequestError, unsupported
from ..domain.models.request import build_request
from .default import current_client

_OPENAI_FAMILY = frozenset({"openai", "azure"})


@overload
def token_counter(
    model: str = ...,
    messages: Sequence[Any] | None = ...,
    text: str | None = ...,
    *,
    exact: bool = ...,
    return_estimate_flag: Literal[False] = ...,
    custom_llm_provider: str | None = ...,
    **_litellm_only: Any,
) -> int: ...
@overload
def token_counter(
    model: str = ...,
    messages: Sequence[Any] | None = ...,
    text: str | None = ...,
    *,
    exact: bool = ...,
    return_estimate_flag: Literal[True],
    custom_llm_provider: str | None = ...,
    **_litellm_only: Any,
) -> tuple[int, bool]: ...
def token_counter(
    model: str = "",
    messages: Sequence[Any] | None = None,
    text: str | None = None,
    *,
    exact: bool = False,
    return_estimate_flag: bool = False,
    custom_llm_provider: str | None = None,
    **_litellm_only: Any,
) -> int | tuple[int, bool]:
    """Count the tokens of ``messages`` (with the chat format's overhead) or of ``text``.

    OpenAI models on the ``cl100k_base`` encoding are counted exactly (the ``tokens`` extra);
    every other count is an estimate. ``exact=True`` asks the provider's count endpoint
    (Anthropic's ``count_tokens``) when no exact local count exists, and raises rather than
    estimate.

    Args:
        model: ``provider/model`` or a well-known bare name.
        messages: Chat messages.
        text: Plain text (used when no messages are given).
        exact: Never estimate: count locally when exact, else ask the provider (a network call).
        return_estimate_flag: Return ``(count, is_estimate)`` instead of the count.
        custom_llm_provider: The provider, when ``model`` does not say it.
        **_litellm_only: Other litellm arguments, accepted and ignored.

    Raises:
        BadRequestError: when neither messages nor text is given.
        UnsupportedParamsError: for ``exact=True`` on a model with no exact count available.
    """
    if messages is None and text is None:
        raise BadRequestError("token_counter needs messages or text")
    provider, name = _route(model, custom_llm_provider)
    counted = count_locally(name, provider in _OPENAI_FAMILY, messages, text)
    tokens, estimate = counted.tokens, not counted.exact
    if exact and estimate:
        tokens, estimate = _provider_count(model, messages, text, custom_llm_provider), False
    return (tokens, estimate) if return_estimate_flag else tokens


def _route(model: str, custom_llm_provider: str | None) -> tuple[str | None, str]:
    if not model:
        return None, model
    try:
        host, name = current_client().dispatcher._route(model, custom_llm_provider)
    except BadRequestError:
        return custom_llm_provider, model.rpartition("/")[2]
    return host.prefix, name


def _provider_count(
    model: str, messages: Sequence[Any] | None, text: str | None, custom_llm_provider: str | None
) -> int:
    if not model:
        raise unsupported("exact=True needs a model", param="exact", provider=None, model=None)
    chat = list(messages) if messages is not None else [{"role": "user", "content": text or ""}]
    options = {} if custom_llm_provider is None else {"custom_llm_provider": custom_llm_provider}
    request = build_request(model, chat, options)
    return provider_count(current_client().dispatcher, request)

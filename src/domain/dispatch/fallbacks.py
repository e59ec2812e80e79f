"""Fallbacks: after the primary's retries are exhausted, the next model that accepts the failure.

One mechanism for every codec: an attempt is a whole ``complete`` of one request (its retries,
fan-out, cache and stream opening included), and the chain only decides which request comes next.

- ``fallbacks`` entries take retryable failures (``is_retryable``) and ``ContextWindowExceededError``;
- ``context_window_fallbacks`` entries take ``ContextWindowExceededError`` only, before ``fallbacks``;
- each list is used in order, each entry at most once; any other failure is raised at once;
- when nothing is left, the last error is raised, chained to the earlier ones, with a note listing
  every model tried and its error class.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from ...ports.codec import Host
from ...ports.logger import Logger
from ..models.errors import APIError, BadRequestError, ContextWindowExceededError
from ..models.fallback_entries import PROVIDER_BOUND, FallbackEntry, relabelled
from ..models.request import CompletionRequest, reject_not_implemented
from ..models.response import ModelResponse
from ..models.stream import CompletionStream
from .deadline import Deadline
from .retry import is_retryable

R = ModelResponse | CompletionStream
Route = Callable[[str, str | None], tuple[Host, str]]
_PROVIDER_OPTIONS = frozenset(PROVIDER_BOUND.values())


@dataclass(frozen=True, slots=True)
class Candidate:
    """A request the chain may send: the primary (no label) or a fallback entry."""

    request: CompletionRequest
    label: str | None = None
    context_window_only: bool = False


def fallback_candidates(request: CompletionRequest, route: Route) -> list[Candidate]:
    """Check every entry's route before any network call, and carry credentials where they belong.

    A fallback on the primary's provider inherits the call's ``api_key``, ``api_base``,
    ``api_version`` and ``organization`` (unless the entry gives its own); one on another provider
    gets them only from the entry, else from that provider's environment.

    Raises:
        BadRequestError: naming the entry (``fallbacks[i]``) whose model cannot be routed.
    """
    entries = request.options.fallbacks
    if not entries:
        return []
    options = request.options
    primary = None if options.mock_response is not None else route(request.model, options.custom_llm_provider)
    return [
        _candidate(entry, None if primary is None else primary[0].prefix, request, route) for entry in entries
    ]


def _candidate(
    entry: FallbackEntry, primary: str | None, request: CompletionRequest, route: Route
) -> Candidate:
    target = entry.request
    if target.options.mock_response is not None:
        return Candidate(target, entry.label, entry.context_window_only)
    try:
        host, _ = route(target.model, target.options.custom_llm_provider)
        reject_not_implemented(target)
    except BadRequestError as error:
        raise relabelled(error, entry.label, target.model) from None
    if host.prefix == primary:
        inherited = {name: getattr(request.options, name) for name in _PROVIDER_OPTIONS - entry.given}
        target = replace(target, options=replace(target.options, **inherited))
    return Candidate(target, entry.label, entry.context_window_only)


class FallbackChain:
    """Runs the primary, then fallbacks as failures allow; marks the answer with who gave it.

    Args:
        primary: The caller's request.
        fallbacks: Its checked fallback candidates, in order.
        deadline: The whole call's bound; no fallback starts after it.
        logger: Receives one INFO event per fallback.
    """

    def __init__(
        self, primary: CompletionRequest, fallbacks: Sequence[Candidate], deadline: Deadline, logger: Logger
    ) -> None:
        self.primary = Candidate(primary)
        self.deadline = deadline
        self.logger = logger
        self._pending = list(fallbacks)
        self._failures: list[tuple[Candidate, APIError]] = []

    def run(self, answer: Callable[[CompletionRequest], R], current: Candidate | None = None) -> R:
        """Answer with the first candidate that succeeds (recursing keeps each error's context)."""
        current = current or self.primary
        try:
            result = answer(current.request)
        except APIError as error:
            following = self._after(current, error)
            if following is None:
                raise
            return self.run(answer, following)
        return self._answered(result, current)

    async def arun(
        self, answer: Callable[[CompletionRequest], Awaitable[R]], current: Candidate | None = None
    ) -> R:
        """Async ``run``."""
        current = current or self.primary
        try:
            result = await answer(current.request)
        except APIError as error:
            following = self._after(current, error)
            if following is None:
                raise
            return await self.arun(answer, following)
        return self._answered(result, current)

    def _after(self, current: Candidate, error: APIError) -> Candidate | None:
        """Return the candidate to try after ``current`` failed with ``error``, or None to raise it.

        Raises:
            Timeout: naming the deadline, when a fallback is due but the deadline has passed.
        """
        self._failures.append((current, error))
        following = None if self.deadline.issued(error) else self._pick(error)
        if following is None:
            if len(self._failures) > 1:
                error.add_note(self._summary())
            return None
        expired = self.deadline.expired(error.llm_provider, self.primary.request.model, self._tried())
        if expired is not None:
            expired.add_note(self._summary())
            raise expired from error
        if self.logger.enabled("INFO"):
            self.logger.log(
                "INFO", "llmport fallback", entry=following.label, from_model=current.request.model,
                to_model=following.request.model, error=type(error).__name__, status=error.status_code,
            )  # fmt: skip
        return following

    def _pick(self, error: APIError) -> Candidate | None:
        context = isinstance(error, ContextWindowExceededError)
        if not context and not is_retryable(error):
            return None
        eligible = [c for c in self._pending if context or not c.context_window_only]
        # A context-window failure goes to the entries meant for it before the general ones.
        eligible.sort(key=lambda c: not (context and c.context_window_only))
        if not eligible:
            return None
        chosen = eligible[0]
        self._pending = [c for c in self._pending if c is not chosen]
        return chosen

    def _answered(self, result: R, current: Candidate) -> R:
        result._hidden_params["model"] = current.request.model
        result._hidden_params["attempted_fallbacks"] = len(self._failures)
        return result

    def _tried(self) -> str:
        return ", ".join(f"{c.request.model} ({type(e).__name__})" for c, e in self._failures)

    def _summary(self) -> str:
        lines = [
            f"  {c.label or 'primary'}: {c.request.model} -> {type(e).__name__}"
            + (f" (status {e.status_code})" if e.status_code is not None else "")
            for c, e in self._failures
        ]
        return "llmport tried these models in turn:\n" + "\n".join(lines)

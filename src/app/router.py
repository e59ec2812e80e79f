"""``Router``: one model name served by several deployments, with limits, cooldowns and fallbacks.

litellm's names throughout: ``Router(model_list=[...], routing_strategy=..., num_retries=...,
allowed_fails=..., cooldown_time=..., redis_url=..., fallbacks=[{"gpt": ["claude"]}])`` and
``router.completion(model="gpt", messages=..., **completion_params)``. Each call picks a healthy
deployment with room under its rpm/tpm (strategy order), runs ``completion()`` on it through one
``Client``, and records the outcome. With ``redis_url`` the counts and cooldowns live in Redis,
so every process and machine of a service shares them.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..domain.dispatch.deployments import (
    Deployment,
    Load,
    estimate_tokens,
    judge,
    order,
    parse_model_list,
    strategy_name,
)
from ..domain.models.errors import APIError, RateLimitError, Timeout, bad_request
from ..domain.models.messages import MessageLike
from ..domain.models.response import ModelResponse
from ..domain.models.stream import CompletionStream
from ..ports.logger import Logger
from ..ports.router_state import RouterState
from .client import Client

DEFAULT_ALLOWED_FAILS = 3  # litellm's defaults
DEFAULT_COOLDOWN_TIME = 5.0
Result = ModelResponse | CompletionStream


class Router:
    """Routes calls to a model group's deployments.

    Args:
        model_list: litellm's deployment list: ``{"model_name", "litellm_params", "model_info"}``
            entries; ``rpm`` / ``tpm`` / ``weight`` inside ``litellm_params`` or beside it.
        routing_strategy: ``simple-shuffle`` (weighted; the default), ``least-busy``,
            ``latency-based(-routing)`` or ``usage-based(-routing)(-v2)``.
        num_retries: Further deployments tried after a failure (default: the group's size - 1).
        allowed_fails: Failures a deployment may have in a minute before it cools down.
        cooldown_time: Seconds a deployment cools down (a 429 cools it for its Retry-After).
        fallbacks: ``[{"group": ["other-group", ...]}]``, tried when a group fails.
        context_window_fallbacks: The same, for ``ContextWindowExceededError`` only.
        redis_url: Share counts and cooldowns through Redis / Valkey instead of this process.
        client: The client that sends the calls (default: a new ``Client()``, closed with the Router).
        state: A router state adapter instead of memory / ``redis_url``.
        namespace: Prefix of the shared state (routers with one namespace share deployments' state).
        seed: Seeds the strategies' random choices (tests).
    """

    def __init__(
        self,
        model_list: Sequence[Mapping[str, Any]],
        *,
        routing_strategy: str = "simple-shuffle",
        num_retries: int | None = None,
        allowed_fails: int | None = None,
        cooldown_time: float | None = None,
        fallbacks: Sequence[Mapping[str, Sequence[str]]] | None = None,
        context_window_fallbacks: Sequence[Mapping[str, Sequence[str]]] | None = None,
        redis_url: str | None = None,
        client: Client | None = None,
        state: RouterState | None = None,
        namespace: str = "llmport-router",
        seed: int | None = None,
    ) -> None:
        self.groups = parse_model_list(model_list)
        self.strategy = strategy_name(routing_strategy)
        self.num_retries = _count(num_retries, "num_retries")
        self.allowed_fails = (
            DEFAULT_ALLOWED_FAILS if allowed_fails is None else _count(allowed_fails, "allowed_fails")
        )
        self.cooldown_time = DEFAULT_COOLDOWN_TIME if cooldown_time is None else _seconds(cooldown_time)
        self.fallbacks = _fallback_map(fallbacks, "fallbacks")
        self.context_window_fallbacks = _fallback_map(context_window_fallbacks, "context_window_fallbacks")
        _check_targets(self.groups, {**self.fallbacks}, "fallbacks")
        _check_targets(self.groups, self.context_window_fallbacks, "context_window_fallbacks")
        self._owns_client = client is None
        self.client = client if client is not None else Client()
        self.state = state if state is not None else _state(redis_url, namespace)
        attach = getattr(self.state, "attach_logger", None)
        if callable(attach):  # a shared state reports its outages where the client logs
            attach(self.logger)
        self._rng = random.Random(seed)  # noqa: S311 - load spreading, not security

    def __repr__(self) -> str:
        return f"Router(groups={sorted(self.groups)}, strategy={self.strategy!r}, state={self.state!r})"

    @property
    def logger(self) -> Logger:
        """The client's logger, where routing decisions go."""
        return self.client.dispatcher.logger

    # -- calls ------------------------------------------------------------------------------

    def completion(self, model: str, messages: Sequence[MessageLike] = (), **params: Any) -> Result:
        """Run ``completion()`` on a deployment of the group ``model`` (then its fallbacks).

        Args:
            model: A ``model_name`` of the ``model_list``.
            messages: As for ``completion()``.
            **params: Any ``completion()`` parameter, ``deadline=`` included (it bounds waiting
                for a free deployment too).

        Raises:
            RateLimitError: naming the group, when every deployment is at its limit or cooling
                down and the deadline (if any) does not allow waiting.
        """
        plan = _Plan(self, model, params)
        for group in plan.groups():
            try:
                return self._complete_group(plan, group, messages)
            except APIError as error:
                plan.failed(group, error)
        raise plan.last_error()

    async def acompletion(self, model: str, messages: Sequence[MessageLike] = (), **params: Any) -> Result:
        """Async ``completion``."""
        plan = _Plan(self, model, params)
        for group in plan.groups():
            try:
                return await self._acomplete_group(plan, group, messages)
            except APIError as error:
                plan.failed(group, error)
        raise plan.last_error()

    def _complete_group(self, plan: _Plan, group: str, messages: Sequence[MessageLike]) -> Result:
        tokens = estimate_tokens(list(messages), plan.params.get("max_tokens"))
        for attempt in plan.attempts(group):
            while isinstance(deployment := self._pick(plan, group, tokens), float):
                time.sleep(deployment)
            started = time.monotonic()
            self._busy(deployment, 1)
            try:
                result = self.client.completion(deployment.model, messages, **plan.call_params(deployment))
            except APIError as error:
                plan.tried.add(deployment.id)
                if not self._failed(deployment, error) or attempt.last:
                    raise
                continue
            finally:
                self._busy(deployment, -1)
            return self._succeeded(deployment, result, started)
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    async def _acomplete_group(self, plan: _Plan, group: str, messages: Sequence[MessageLike]) -> Result:
        tokens = estimate_tokens(list(messages), plan.params.get("max_tokens"))
        for attempt in plan.attempts(group):
            while isinstance(deployment := self._pick(plan, group, tokens), float):
                await asyncio.sleep(deployment)
            started = time.monotonic()
            self._busy(deployment, 1)
            try:
                result = await self.client.acompletion(
                    deployment.model, messages, **plan.call_params(deployment)
                )
            except APIError as error:
                plan.tried.add(deployment.id)
                if not self._failed(deployment, error) or attempt.last:
                    raise
                continue
            finally:
                self._busy(deployment, -1)
            return self._succeeded(deployment, result, started)
        raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover

    # -- decisions --------------------------------------------------------------------------

    def _pick(self, plan: _Plan, group: str, tokens: int) -> Deployment | float:
        """Return the first deployment (strategy order) with room, else the seconds to wait for one.

        Raises:
            RateLimitError: naming the group, when waiting would pass the call's deadline.
        """
        deployments = self.groups[group]
        cooling = self.state.cooling([d.id for d in deployments])
        healthy = [d for d in deployments if d.id not in cooling]
        ordered = order(self.strategy, healthy, self._load(healthy), self._rng)
        ordered.sort(key=lambda d: d.id in plan.tried)  # a retry goes to another deployment first
        chosen = next((d for d in ordered if self._take(d, tokens)), None)
        if chosen is not None:
            self._log("DEBUG", "llmport router chose a deployment", group=group, deployment=chosen.id)
            return chosen
        waits = [self.state.wait_time(d.id, d.rpm, d.tpm, tokens) for d in healthy]
        wait = max(min([*waits, *cooling.values()], default=self.cooldown_time), 0.01)
        if not plan.may_wait(wait):
            raise RateLimitError(
                f"every deployment of model group {group!r} is at its rpm/tpm limit or cooling down "
                f"(next free in {wait:.2f} s)",
                "llmport",
                group,
                retry_after=wait,
            )
        self._log("INFO", "llmport router waits for a free deployment", group=group, seconds=round(wait, 3))
        return wait

    def _busy(self, deployment: Deployment, delta: int) -> None:
        # Each statistic is kept only when the strategy reads it: with Redis, each is a round trip.
        if self.strategy == "least-busy":
            self.state.busy(deployment.id, delta)

    def _take(self, deployment: Deployment, tokens: int) -> bool:
        """Count a request against the deployment if it has room for it."""
        fits = self.state.tokens_fit(deployment.id, deployment.tpm, tokens)
        return fits and self.state.take_request(deployment.id, deployment.rpm)

    def _load(self, deployments: list[Deployment]) -> Load:
        ids = [d.id for d in deployments]
        if self.strategy == "least-busy":
            return Load(in_flight=self.state.in_flight(ids))
        if self.strategy == "latency-based":
            return Load(latency=self.state.latencies(ids))
        if self.strategy == "usage-based":
            return Load(tokens=self.state.tokens_used([(d.id, d.tpm) for d in deployments]))
        return Load()

    def _failed(self, deployment: Deployment, error: APIError) -> bool:
        """Record a failure; return whether another deployment of the group may be tried."""
        verdict = judge(error, self.cooldown_time)
        cool_for = verdict.cool_for
        if cool_for is None and verdict.counts and self.state.failed(deployment.id, self.allowed_fails):
            cool_for = self.cooldown_time
        if cool_for is not None:
            self.state.cool(deployment.id, cool_for)
            self._log(
                "INFO", "llmport router cooled a deployment", deployment=deployment.id,
                group=deployment.model_name, seconds=cool_for, error=type(error).__name__,
                status=error.status_code,
            )  # fmt: skip
        return verdict.try_another

    def _succeeded(self, deployment: Deployment, result: Result, started: float) -> Result:
        if self.strategy == "latency-based":
            self.state.observe_latency(deployment.id, time.monotonic() - started)
        usage = getattr(result, "usage", None)
        counted = deployment.tpm is not None or self.strategy == "usage-based"
        if counted and usage is not None and not result._hidden_params.get("cache_hit"):
            self.state.add_tokens(deployment.id, deployment.tpm, int(usage.total_tokens or 0))
        result._hidden_params.update(
            {"model_id": deployment.id, "model_group": deployment.model_name, "deployment": deployment.model}
        )
        return result

    def _log(self, level: Any, message: str, **fields: object) -> None:
        if self.logger.enabled(level):
            self.logger.log(level, message, **fields)

    def close(self) -> None:
        """Release the state store's connections (and the client's, if the Router built it)."""
        self.state.close()
        if self._owns_client:
            self.client.close()


class _Attempt:
    def __init__(self, last: bool) -> None:
        self.last = last


class _Plan:
    """One Router call: its groups (the named one, then fallbacks), its deadline, its parameters."""

    def __init__(self, router: Router, model: str, params: dict[str, Any]) -> None:
        if model not in router.groups:
            raise bad_request(
                f"no deployment of {model!r} in the Router's model_list (groups: {sorted(router.groups)})",
                param="model",
                model=model,
            )
        self.router = router
        self.model = model
        call_fallbacks = params.pop("fallbacks", None)
        self.params = params
        deadline = params.get("deadline")
        self.ends = None if deadline is None else time.monotonic() + _seconds(deadline, "deadline")
        named = [f for f in (call_fallbacks or []) if isinstance(f, str) and f in router.groups]
        if call_fallbacks is not None and len(named) != len(call_fallbacks):
            self.params["fallbacks"] = [f for f in call_fallbacks if f not in named]  # model strings
        self._fallbacks = named or list(router.fallbacks.get(model, ()))
        self._context_fallbacks = list(router.context_window_fallbacks.get(model, ()))
        self._errors: list[APIError] = []
        self.tried: set[str] = set()  # deployments that failed this call

    def groups(self) -> list[str]:
        """Return the groups to try, in order; the list grows as failures pick fallbacks."""
        self._queue = [self.model]
        return self._queue

    def failed(self, group: str, error: APIError) -> None:
        """Queue the fallback this failure allows, or raise it."""
        self._errors.append(error)
        context = type(error).__name__ == "ContextWindowExceededError"
        pool = self._context_fallbacks if context and self._context_fallbacks else self._fallbacks
        if not (context or judge(error, 0).try_another) or not pool:
            raise error
        following = pool.pop(0)
        self.router._log("INFO", "llmport router fallback", from_group=group, to_group=following)
        self._queue.append(following)

    def last_error(self) -> APIError:
        """Return the error to raise when every group failed."""
        return self._errors[-1]

    def attempts(self, group: str) -> list[_Attempt]:
        """One attempt per deployment try: num_retries + 1 (default: one per deployment)."""
        retries = self.params.get("num_retries", self.router.num_retries)
        count = len(self.router.groups[group]) if retries is None else int(retries) + 1
        return [_Attempt(last=i == count - 1) for i in range(count)]

    def may_wait(self, seconds: float) -> bool:
        """Whether waiting ``seconds`` for a free deployment stays within the deadline."""
        return self.ends is not None and time.monotonic() + seconds < self.ends

    def call_params(self, deployment: Deployment) -> dict[str, Any]:
        """Return the deployment's litellm_params under the caller's, the time left as deadline."""
        params: dict[str, Any] = {**deployment.params, **self.params}
        params.pop("model", None)
        params["num_retries"] = 0  # the Router retries, on another deployment
        # litellm's router metadata, so callbacks and logs of the call see which deployment served it.
        caller = params.get("metadata")
        params["metadata"] = {
            **(caller if isinstance(caller, Mapping) else {}),
            "model_group": deployment.model_name,
            "deployment": deployment.model,
            "model_info": {"id": deployment.id},
        }
        if self.ends is not None:
            left = self.ends - time.monotonic()
            if left <= 0:
                raise Timeout(f"deadline of the call to {self.model!r} passed", "llmport", self.model)
            params["deadline"] = left
        return params


def _state(redis_url: str | None, namespace: str) -> RouterState:
    from ..adapters.router.state import MemoryRouterState, RedisRouterState

    return MemoryRouterState(namespace) if redis_url is None else RedisRouterState(redis_url, namespace)


def _count(value: object, param: str) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_request(f"{param} must be a whole number >= 0, got {value!r}", param=param)
    return value


def _seconds(value: object, param: str = "cooldown_time") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < float("inf"):
        raise bad_request(f"{param} must be finite seconds >= 0, got {value!r}", param=param)
    return float(value)


def _check_targets(groups: Mapping[str, Any], fallbacks: Mapping[str, list[str]], param: str) -> None:
    for name, targets in fallbacks.items():
        for target in targets:
            if target not in groups:
                raise bad_request(
                    f"{param}: {name!r} falls back to {target!r}, not a model_name", param=param
                )


def _fallback_map(entries: object, param: str) -> dict[str, list[str]]:
    if entries is None:
        return {}
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        raise bad_request(f"{param} must be a list of {{group: [groups]}} dicts", param=param)
    mapping: dict[str, list[str]] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise bad_request(
                f"{param}[{index}] must be a {{group: [groups]}} dict", param=f"{param}[{index}]"
            )
        for name, targets in entry.items():
            if isinstance(targets, str) or not isinstance(targets, Sequence):
                raise bad_request(
                    f"{param}[{index}][{name!r}] must be a list of groups", param=f"{param}[{index}]"
                )
            mapping.setdefault(str(name), []).extend(str(t) for t in targets)
    return mapping

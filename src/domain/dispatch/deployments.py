"""Deployments of a ``model_list`` and the Router's pure decisions: order, cooldown, token guess.

Nothing here does I/O: the Router (app layer) asks its state store for counts and cooldowns,
then these functions decide. litellm's names are kept: a ``model_list`` entry is
``{"model_name": group, "litellm_params": {...}, "model_info": {"id": ...}}`` with ``rpm`` /
``tpm`` / ``weight`` inside ``litellm_params`` or beside it.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..models.errors import APIError, AuthenticationError, NotFoundError, RateLimitError, bad_request
from ..models.redaction import redact, url_secrets
from .retry import is_retryable

# litellm's routing_strategy names, and the short names the issue uses.
STRATEGIES: Mapping[str, str] = MappingProxyType(
    {
        "simple-shuffle": "simple-shuffle",
        "least-busy": "least-busy",
        "latency-based": "latency-based",
        "latency-based-routing": "latency-based",
        "usage-based": "usage-based",
        "usage-based-routing": "usage-based",
        "usage-based-routing-v2": "usage-based",
    }
)
# Keys of an entry that steer the Router and never reach completion().
_ROUTER_KEYS = frozenset({"rpm", "tpm", "weight", "max_parallel_requests"})


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Deployment:
    """One deployment of a model group: where to send, and its limits.

    Attributes:
        id: Stable across processes built from the same ``model_list`` (``model_info.id`` if
            given), so shared counters and cooldowns in Redis find each other. Never holds a key.
        model_name: The group callers name (``router.completion(model=...)``).
        params: The ``litellm_params`` passed to ``completion()`` (model, api_key, api_base...).
        rpm: Requests per minute allowed, if limited.
        tpm: Tokens per minute allowed, if limited.
        weight: Share of traffic under ``simple-shuffle``.
    """

    id: str
    model_name: str
    params: Mapping[str, Any] = field(default_factory=_empty)
    rpm: int | None = None
    tpm: int | None = None
    weight: float = 1.0

    @property
    def model(self) -> str:
        """The provider model this deployment calls."""
        return str(self.params["model"])

    @property
    def api_base(self) -> str | None:
        """The base URL, credentials removed, for logs."""
        base = self.params.get("api_base")
        return None if base is None else redact(str(base), url_secrets(str(base)))

    def __repr__(self) -> str:
        return f"Deployment(id={self.id!r}, model_name={self.model_name!r}, model={self.model!r})"


def parse_model_list(model_list: object) -> dict[str, list[Deployment]]:
    """Check a ``model_list`` and group its deployments by ``model_name``.

    Raises:
        BadRequestError: naming the entry and field at fault, before any network call.
    """
    if not isinstance(model_list, Sequence) or isinstance(model_list, str | bytes) or not model_list:
        raise bad_request("model_list must be a non-empty list of deployments", param="model_list")
    groups: dict[str, list[Deployment]] = {}
    for index, entry in enumerate(model_list):
        deployment = _deployment(index, entry)
        groups.setdefault(deployment.model_name, []).append(deployment)
    return groups


def _deployment(index: int, entry: object) -> Deployment:
    where = f"model_list[{index}]"
    if not isinstance(entry, Mapping):
        raise bad_request(f"{where} must be a dict with model_name and litellm_params", param=where)
    name = entry.get("model_name")
    params = entry.get("litellm_params")
    if not isinstance(name, str) or not name:
        raise bad_request(f"{where} needs a non-empty model_name", param=f"{where}.model_name")
    if not isinstance(params, Mapping) or not isinstance(params.get("model"), str) or not params["model"]:
        raise bad_request(f"{where} needs litellm_params with a model", param=f"{where}.litellm_params")
    merged = {**{k: v for k, v in entry.items() if k in _ROUTER_KEYS}, **params}
    info = entry.get("model_info")
    given_id = info.get("id") if isinstance(info, Mapping) else None
    return Deployment(
        id=str(given_id) if given_id is not None else _stable_id(index, name, params),
        model_name=name,
        params=MappingProxyType({k: v for k, v in params.items() if k not in _ROUTER_KEYS}),
        rpm=_limit(merged.get("rpm"), f"{where}.rpm"),
        tpm=_limit(merged.get("tpm"), f"{where}.tpm"),
        weight=_weight(merged, where),
    )


def _stable_id(index: int, name: str, params: Mapping[str, Any]) -> str:
    # The key is left out on purpose: the id names Redis keys and log lines.
    base = params.get("api_base")
    public = {
        "model": params["model"],
        "api_base": None if base is None else redact(str(base), url_secrets(str(base))),
    }
    digest = hashlib.sha256(json.dumps([index, name, public], sort_keys=True).encode()).hexdigest()
    return f"{name}-{index}-{digest[:8]}"


def _limit(value: object, param: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 1 or value != int(value):
        raise bad_request(f"{param} must be a positive whole number, got {value!r}", param=param)
    return int(value)


def _weight(merged: Mapping[str, Any], where: str) -> float:
    # litellm weighs simple-shuffle by `weight`, else by rpm, else by tpm.
    value = merged.get("weight", merged.get("rpm", merged.get("tpm", 1)))
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise bad_request(f"{where}.weight must be a positive number, got {value!r}", param=f"{where}.weight")
    return float(value)


def strategy_name(routing_strategy: object) -> str:
    """Return the canonical strategy for one of litellm's ``routing_strategy`` names.

    Raises:
        BadRequestError: for a name llmport does not know.
    """
    name = STRATEGIES.get(routing_strategy) if isinstance(routing_strategy, str) else None
    if name is None:
        known = ", ".join(sorted(STRATEGIES))
        raise bad_request(
            f"unknown routing_strategy {routing_strategy!r} (known: {known})", param="routing_strategy"
        )
    return name


@dataclass(frozen=True, slots=True)
class Load:
    """What the strategies weigh: in-flight calls, mean latency (s), tokens used this minute."""

    in_flight: Mapping[str, int] = field(default_factory=_empty)
    latency: Mapping[str, float] = field(default_factory=_empty)
    tokens: Mapping[str, int] = field(default_factory=_empty)


def order(
    strategy: str, deployments: Sequence[Deployment], load: Load, rng: random.Random
) -> list[Deployment]:
    """Return the deployments in the order to try them (the first with capacity wins)."""
    if strategy == "simple-shuffle":
        return _weighted_shuffle(deployments, rng)
    shuffled = list(deployments)
    rng.shuffle(shuffled)  # ties go to a random deployment, not always the first listed
    if strategy == "least-busy":
        return sorted(shuffled, key=lambda d: load.in_flight.get(d.id, 0))
    if strategy == "latency-based":
        # An unmeasured deployment goes first: it has to be measured once.
        return sorted(shuffled, key=lambda d: load.latency.get(d.id, 0.0))
    return sorted(shuffled, key=lambda d: load.tokens.get(d.id, 0))


def _weighted_shuffle(deployments: Sequence[Deployment], rng: random.Random) -> list[Deployment]:
    # Efraimidis-Spirakis: each key u^(1/w); sorting by it draws without replacement by weight.
    return sorted(deployments, key=lambda d: rng.random() ** (1.0 / d.weight), reverse=True)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a failure means for its deployment."""

    cool_for: float | None = None  # cool down now, for this many seconds
    counts: bool = False  # counts toward allowed_fails
    try_another: bool = False  # another deployment of the group may succeed


def judge(error: APIError, cooldown_time: float) -> Verdict:
    """Decide a failed deployment's fate: 401/404 cool at once, 429 for its Retry-After.

    Other retryable failures (5xx, timeouts, connection errors) count toward ``allowed_fails``;
    a bad request is the caller's, so it neither counts nor moves to another deployment.
    """
    if isinstance(error, AuthenticationError | NotFoundError) or error.status_code in (401, 404):
        return Verdict(cool_for=cooldown_time, try_another=True)
    if isinstance(error, RateLimitError) or error.status_code == 429:
        wait = error.retry_after if error.retry_after and error.retry_after > 0 else cooldown_time
        return Verdict(cool_for=wait, try_another=True)
    if is_retryable(error):
        return Verdict(counts=True, try_another=True)
    return Verdict()


def estimate_tokens(messages: Sequence[Any], max_tokens: object = None) -> int:
    """Guess a call's tokens before sending it (about 4 characters a token), for tpm checks."""
    characters = sum(len(json.dumps(m, default=str)) for m in messages)
    expected = max_tokens if isinstance(max_tokens, int) and not isinstance(max_tokens, bool) else 0
    return max(1, characters // 4) + max(expected, 0)

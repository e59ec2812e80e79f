"""Router state on the ``limits`` library, in memory or in Redis / Valkey.

``limits`` counts requests (rpm) and failures in moving one-minute windows, and tokens (tpm) in
its sliding-window counter (a weighted pair of one-minute counters: constant memory however
large the limit). Both are atomic Lua scripts in Redis, so concurrent processes never both take
the last slot. Cooldowns, calls in flight and
latency means are plain keys beside them: expiring keys in Redis, dicts in memory.

``limits`` is an optional dependency (extra ``router``, and ``redis`` for the Redis store).
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from ...domain.models.redaction import redact, url_secrets
from ...ports.logger import Logger
from ..outage import Outage

# What each operation answers while Redis is unreachable: an idle, uncooled deployment.
_FAIL_OPEN: Mapping[str, object] = MappingProxyType(
    {
        "take_request": True, "tokens_fit": True, "add_tokens": None, "tokens_used": {},
        "wait_time": 0.0, "failed": False, "cool": None, "cooling": {}, "busy": None,
        "in_flight": {}, "observe_latency": None, "latencies": {},
    }
)  # fmt: skip
_LATENCY_WEIGHT = 0.3  # weight of the newest sample in the running mean
_KEY_LIFETIME = 3600  # seconds: in-flight and latency keys of a crashed worker fade away
# The failure window holds at most this many failures; allowed_fails above it never cools.
_UNLIMITED = 1 << 40
_WINDOW_SECONDS = 60.0  # every limit counts per minute (_per_minute)


def _limits() -> Any:
    try:
        import limits
        import limits.storage
        import limits.strategies
    except ImportError as error:
        raise ImportError(
            "the Router's rpm/tpm limits need `limits`: pip install 'llmport[router]'"
        ) from error
    return limits


@lru_cache(maxsize=256)
def _per_minute(amount: int) -> Any:
    return _limits().RateLimitItemPerMinute(amount)


class _Windows:
    """rpm / tpm / failure windows of every deployment, on one ``limits`` storage."""

    def __init__(self, storage: Any, namespace: str) -> None:
        strategies = _limits().strategies
        self._limiter = strategies.MovingWindowRateLimiter(storage)
        # Tokens weigh a request by its size: a moving window keeps one entry per token (a 1M tpm
        # deployment would hold a million-entry list), the sliding-window counter two numbers.
        self._tokens = strategies.SlidingWindowCounterRateLimiter(storage)
        self.namespace = namespace

    def take_request(self, deployment: str, rpm: int | None) -> bool:
        """Count one request if the deployment is under ``rpm`` this minute (atomically); else False."""
        return rpm is None or bool(self._limiter.hit(_per_minute(rpm), self.namespace, deployment, "rpm"))

    def tokens_fit(self, deployment: str, tpm: int | None, tokens: int) -> bool:
        """Whether ``tokens`` more fit under ``tpm`` this minute."""
        if tpm is None:
            return True
        stats = self._tokens.get_window_stats(_per_minute(tpm), self.namespace, deployment, "tpm")
        # A call bigger than the whole budget still goes to an idle deployment, as litellm's does.
        return bool(stats.remaining >= min(tokens, tpm))

    def add_tokens(self, deployment: str, tpm: int | None, tokens: int) -> None:
        """Count tokens a call used (saturating the window when they overflow it)."""
        if tokens <= 0:
            return
        item = _per_minute(tpm or _UNLIMITED)
        if not self._tokens.hit(item, self.namespace, deployment, "tpm", cost=tokens):
            remaining = self._tokens.get_window_stats(item, self.namespace, deployment, "tpm").remaining
            if remaining > 0:
                self._tokens.hit(item, self.namespace, deployment, "tpm", cost=remaining)

    def tokens_used(self, deployments: Sequence[tuple[str, int | None]]) -> Mapping[str, int]:
        """Tokens used this minute by each ``(deployment, tpm)``."""
        used: dict[str, int] = {}
        for deployment, tpm in deployments:
            limit = tpm or _UNLIMITED
            stats = self._tokens.get_window_stats(_per_minute(limit), self.namespace, deployment, "tpm")
            used[deployment] = limit - int(stats.remaining)
        return used

    def wait_time(self, deployment: str, rpm: int | None, tpm: int | None, tokens: int) -> float:
        """Seconds until the deployment has room for one more request of ``tokens``."""
        now = time.time()
        wait = 0.0
        if rpm is not None:
            stats = self._limiter.get_window_stats(_per_minute(rpm), self.namespace, deployment, "rpm")
            if stats.remaining < 1:
                wait = max(wait, stats.reset_time - now)
        if tpm is not None and not self.tokens_fit(deployment, tpm, tokens):
            stats = self._tokens.get_window_stats(_per_minute(tpm), self.namespace, deployment, "tpm")
            wait = max(wait, stats.reset_time - now)
        # Redis stamps windows with its own clock: a skew must not make a wait longer than one.
        return min(max(wait, 0.0), _WINDOW_SECONDS)

    def failed(self, deployment: str, allowed_fails: int) -> bool:
        """Count a failure; True when it is more than ``allowed_fails`` this minute."""
        if allowed_fails <= 0:
            return True
        item = _per_minute(allowed_fails)
        return not self._limiter.hit(item, self.namespace, deployment, "fails")


class MemoryRouterState(_Windows):
    """Router state for one process.

    Args:
        namespace: Separates routers sharing nothing but a name.
    """

    def __init__(self, namespace: str = "llmport-router") -> None:
        super().__init__(_limits().storage.MemoryStorage(), namespace)
        self._lock = threading.Lock()
        self._cool_until: dict[str, float] = {}
        self._busy: dict[str, int] = {}
        self._latency: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"MemoryRouterState(namespace={self.namespace!r})"

    def cool(self, deployment: str, seconds: float) -> None:
        """Keep the deployment out of rotation for ``seconds``."""
        with self._lock:
            until = time.monotonic() + seconds
            self._cool_until[deployment] = max(until, self._cool_until.get(deployment, 0.0))

    def cooling(self, deployments: Sequence[str]) -> Mapping[str, float]:
        """Return the deployments cooling down now, with the seconds left."""
        now = time.monotonic()
        with self._lock:
            return {d: self._cool_until[d] - now for d in deployments if self._cool_until.get(d, 0.0) > now}

    def busy(self, deployment: str, delta: int) -> None:
        """Add ``delta`` to the deployment's calls in flight."""
        with self._lock:
            self._busy[deployment] = max(0, self._busy.get(deployment, 0) + delta)

    def in_flight(self, deployments: Sequence[str]) -> Mapping[str, int]:
        """Return the calls in flight per deployment."""
        with self._lock:
            return {d: self._busy.get(d, 0) for d in deployments}

    def observe_latency(self, deployment: str, seconds: float) -> None:
        """Fold one latency into the running mean."""
        with self._lock:
            self._latency[deployment] = _mean(self._latency.get(deployment), seconds)

    def latencies(self, deployments: Sequence[str]) -> Mapping[str, float]:
        """Return the running mean latency per deployment."""
        with self._lock:
            return {d: self._latency[d] for d in deployments if d in self._latency}

    def close(self) -> None:
        """Nothing to release."""


class RedisRouterState(_Windows):
    """Router state in Redis / Valkey, shared by every process and machine using ``url``.

    Args:
        url: ``redis://[user:password@]host:port/db``.
        namespace: Prefix of every key (two routers with one namespace share their state).
        timeout: Seconds one Redis operation may take.
        retry_interval: Seconds an unreachable Redis is skipped before it is tried again.
        logger: Where outages are reported (default: the Router's client's logger).

    While Redis is unreachable the Router keeps routing, without limits or cooldowns (each
    operation answers as for an idle deployment), and the outage is logged once: a Router must
    not stop serving because its bookkeeping is down; the providers' own 429s still apply.
    """

    def __init__(
        self,
        url: str,
        namespace: str = "llmport-router",
        timeout: float = 2.0,
        retry_interval: float = 5.0,
        logger: Logger | None = None,
    ) -> None:
        try:
            import redis
        except ImportError as error:
            raise ImportError(
                "a Router with redis_url needs redis-py: pip install 'llmport[redis]'"
            ) from error
        options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
        storage = _limits().storage.RedisStorage(url, key_prefix=f"{namespace}:limits", **options)
        super().__init__(storage, namespace)
        self._url = url
        self._redis = redis.Redis.from_url(url, **options)
        self._outage = Outage(
            "llmport Router state in Redis unreachable; routing without limits or cooldowns",
            "llmport Router state in Redis reachable again",
            retry_interval,
            logger,
        )
        for name, fallback in _FAIL_OPEN.items():  # instance attributes shadow the methods
            setattr(self, name, self._guarded(getattr(self, name), fallback))

    def attach_logger(self, logger: Logger) -> None:
        """Report outages through ``logger`` unless one was given (the Router calls this)."""
        self._outage.attach_logger(logger)

    def _guarded(self, operation: Callable[..., Any], fallback: object) -> Callable[..., Any]:
        def guarded(*args: Any) -> Any:
            if not self._outage.worth_trying():
                return copy.copy(fallback)
            try:
                result = operation(*args)
            except Exception as error:  # redis-py and limits failures alike
                self._outage.failed(error, url=repr(self))
                return copy.copy(fallback)
            self._outage.succeeded(url=repr(self))
            return result

        return guarded

    def __repr__(self) -> str:
        url = redact(self._url, url_secrets(self._url))
        return f"RedisRouterState(url={url!r}, namespace={self.namespace!r})"

    def _key(self, kind: str, deployment: str) -> str:
        return f"{self.namespace}:{kind}:{deployment}"

    def cool(self, deployment: str, seconds: float) -> None:
        """Keep the deployment out of rotation for ``seconds`` (an expiring key: every process sees it)."""
        key = self._key("cool", deployment)
        millis = max(1, int(seconds * 1000))
        remaining = self._redis.pttl(key)
        if remaining is None or remaining < millis:
            self._redis.set(key, b"1", px=millis)

    def cooling(self, deployments: Sequence[str]) -> Mapping[str, float]:
        """Return the deployments cooling down now, with the seconds left."""
        pipe = self._redis.pipeline(transaction=False)
        for deployment in deployments:
            pipe.pttl(self._key("cool", deployment))
        left = pipe.execute()
        return {d: ms / 1000 for d, ms in zip(deployments, left, strict=True) if ms is not None and ms > 0}

    def busy(self, deployment: str, delta: int) -> None:
        """Add ``delta`` to the deployment's calls in flight (shared by every process)."""
        key = self._key("busy", deployment)
        pipe = self._redis.pipeline(transaction=False)
        pipe.incrby(key, delta)
        pipe.expire(key, _KEY_LIFETIME)
        pipe.execute()

    def in_flight(self, deployments: Sequence[str]) -> Mapping[str, int]:
        """Return the calls in flight per deployment."""
        values = self._redis.mget([self._key("busy", d) for d in deployments]) if deployments else []
        return {d: max(0, int(v or 0)) for d, v in zip(deployments, values, strict=True)}

    def observe_latency(self, deployment: str, seconds: float) -> None:
        """Fold one latency into the running mean (last writer wins: a mean, not a ledger)."""
        key = self._key("latency", deployment)
        previous = self._redis.get(key)
        self._redis.set(
            key, repr(_mean(None if previous is None else float(previous), seconds)), ex=_KEY_LIFETIME
        )

    def latencies(self, deployments: Sequence[str]) -> Mapping[str, float]:
        """Return the running mean latency per deployment."""
        values = self._redis.mget([self._key("latency", d) for d in deployments]) if deployments else []
        return {d: float(v) for d, v in zip(deployments, values, strict=True) if v is not None}

    def close(self) -> None:
        """Close the connection pool."""
        self._redis.close()


def _mean(previous: float | None, sample: float) -> float:
    return sample if previous is None else previous + _LATENCY_WEIGHT * (sample - previous)

"""Keyword arguments → a wired ``Dispatcher``: how ``Client(...)`` and the default client are built.

The adapters a client uses unless told otherwise are named here once, as small factory
functions; ``LLMPortContainer`` (for host applications) wires the same factories as
dependency-injector providers. Building a client from keywords goes through plain calls: it
never loads dependency-injector's container machinery, whose ``wiring`` module imports web
frameworks that happen to be installed, which a call does not need.

Every value is checked here, with errors that name the setting, so ``Client(...)`` and the
container's ``config`` reject the same mistakes in the same words.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from ..adapters.cache.memory import MemoryCache
from ..adapters.clock.clocks import SystemClock
from ..adapters.credentials.sources import EnvCredentials
from ..adapters.logging.loguru_logger import LoguruLogger
from ..adapters.observe.callbacks import CallbackRunner
from ..adapters.observe.otel import OtelObserver
from ..adapters.pricing.genai import GenaiPricing
from ..adapters.providers.registry import ProviderRegistry
from ..adapters.transport.routing import RoutingTransport
from ..adapters.transport.split import ASYNC_TRANSPORTS, AsyncTransportName
from ..adapters.transport.split import default_transport as split_transport
from ..domain.dispatch import Dispatcher, DispatchSettings
from ..domain.dispatch.settings import DEFAULT_NUM_RETRIES
from ..domain.models.cache_control import SCOPES, CacheScope
from ..domain.models.errors import bad_request
from ..domain.models.request import TimeoutConfig
from ..ports.logger import LEVELS
from ..ports.transport import ResponseLimits
from .settings import check_callbacks

if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterable, Mapping

    from ..ports.cache import Cache
    from ..ports.clock import Clock
    from ..ports.codec import CodecRegistry, Host, ProviderCodec
    from ..ports.credentials import Credentials
    from ..ports.logger import Logger
    from ..ports.pricing import Pricing
    from ..ports.transport import Transport


@dataclass(frozen=True, slots=True)
class TransportOptions:
    """How the default transport is built (``Client(async_transport=..., ssl_verify=...)``)."""

    async_transport: AsyncTransportName = "aiohttp"
    http_client: Any = None
    async_http_client: Any = None
    ssl_verify: Any = True


@dataclass(frozen=True, slots=True)
class TracingOptions:
    """How the OpenTelemetry observer is built (``Client(tracing=, tracer_provider=, trace_content=)``)."""

    enabled: bool | None = None
    tracer_provider: Any = None
    capture_content: bool = False


# -- checks shared by Client(...) and the container's config ---------------------------------


def check_api_key(value: object, where: str = "Client(api_key=...)") -> SecretStr | None:
    """Return the key as a secret; refuse anything but a string (the value is never quoted)."""
    if value is None or isinstance(value, SecretStr):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{where} must be a string, got {type(value).__name__}")
    return SecretStr(value)


def check_optional_str(value: object, where: str) -> str | None:
    """Return a string setting; None and blank mean "not set"."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{where} must be a string, got {type(value).__name__}")
    return value or None


def check_retries(value: object, where: str = "Client(num_retries=...)") -> int:
    """Return a retry count; None means the default (2)."""
    if value is None:
        return DEFAULT_NUM_RETRIES
    if isinstance(value, str) and value.strip().isdigit():  # from an env var or an .ini file
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"{where} must be a non-negative integer, got {value!r}")
    return value


def check_bool(value: object, where: str) -> bool:
    """Return a flag; None is False, and "true"/"false" strings (env vars) are read as such."""
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in _FLAGS:
        return _FLAGS[value.strip().lower()]
    if not isinstance(value, bool):
        raise TypeError(f"{where} must be True or False, got {value!r}")
    return value


_FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": False}


def check_log_level(value: object, where: str = "Client(log_level=...)") -> str | None:
    """Return a log level name in upper case, or None (then ``LLMPORT_LOG`` decides)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.upper() not in LEVELS:
        raise ValueError(f"{where} must be one of {list(LEVELS)}, got {value!r}")
    return value.upper()


def check_ssl_verify(value: object, where: str = "Client(ssl_verify=...)") -> bool | str | ssl.SSLContext:
    """Return a TLS verification setting: a flag, a CA bundle path or an ``ssl.SSLContext``."""
    if value is None:
        return True
    # An SSLContext exists only once ssl is imported: the check imports nothing (ssl costs ~5 ms).
    loaded = sys.modules.get("ssl")
    if isinstance(value, bool) or (loaded is not None and isinstance(value, loaded.SSLContext)):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        return _FLAGS.get(lowered, value)
    raise TypeError(f"{where} must be True, False, a CA bundle path or an ssl.SSLContext, got {value!r}")


def check_async_transport(value: object, where: str = "Client(async_transport=...)") -> AsyncTransportName:
    """Return the default transport's async side: ``"aiohttp"`` (None means it) or ``"httpx"``."""
    if value is None:
        return "aiohttp"
    if value not in ASYNC_TRANSPORTS:
        raise ValueError(f"{where} must be 'aiohttp' or 'httpx', got {value!r}")
    return value


def check_cache_scope(value: object) -> CacheScope:
    """Return a cache scope, or raise ``BadRequestError`` naming ``cache_scope``."""
    if value not in SCOPES:
        raise bad_request(f"cache_scope must be one of {SCOPES}, got {value!r}", param="cache_scope")
    return value


def dispatch_settings(
    *,
    api_key: object = None,
    api_base: object = None,
    timeout: object = None,
    num_retries: object = None,
    drop_params: object = False,
    cache_scope: object = "credentials",
    limits: ResponseLimits | None = None,
    stream_idle_timeout: float | None = None,
    where: str = "Client",
) -> DispatchSettings:
    """Check client-wide settings and return them as ``DispatchSettings``.

    Args:
        api_key: Key for any provider when a call gives none.
        api_base: Base URL for any provider when a call gives none.
        timeout: Seconds or an ``httpx.Timeout``-like object.
        num_retries: Retries of retryable failures.
        drop_params: Drop parameters a provider cannot take instead of raising.
        cache_scope: Who a cached answer serves: ``"credentials"`` (default) or ``"shared"``.
        limits: Bounds on the size of answers (``ResponseLimits()``: 64 MiB bodies, 16 MiB events).
        stream_idle_timeout: Longest wait between two chunks of a stream (default: the read timeout).
        where: How errors name the setting's owner (``Client`` or ``config``).

    Raises:
        TypeError: a value of the wrong type, naming the setting.
        BadRequestError: an invalid timeout, naming ``timeout``.
    """
    return DispatchSettings(
        timeout=TimeoutConfig() if timeout is None else TimeoutConfig.parse(timeout),
        num_retries=check_retries(num_retries, _name(where, "num_retries")),
        drop_params=check_bool(drop_params, _name(where, "drop_params")),
        api_key=check_api_key(api_key, _name(where, "api_key")),
        api_base=check_optional_str(api_base, _name(where, "api_base")),
        cache_scope=check_cache_scope(cache_scope),
        limits=ResponseLimits() if limits is None else limits,
        stream_idle_timeout=stream_idle_timeout,
    )


def _name(where: str, setting: str) -> str:
    return f"{where}({setting}=...)" if where == "Client" else f"{where}.{setting}"


# -- the default adapters ------------------------------------------------------------------


def default_transport(options: TransportOptions = TransportOptions()) -> RoutingTransport:
    """Build the default transport: ``local://`` to in-process models, the rest over HTTP.

    HTTP goes over httpx for sync calls and aiohttp (or httpx) for async ones. Each is built on
    first use, so a call that never reaches the network (``mock_response``) imports neither
    httpx, aiohttp nor llama.cpp.
    """
    return RoutingTransport(
        default=split_transport(
            async_transport=options.async_transport,
            http_client=options.http_client,
            async_http_client=options.async_http_client,
            ssl_verify=options.ssl_verify,
        )
    )


def default_logger(level: str | None = None) -> LoguruLogger:
    """Build the default logger: loguru, silent unless a level (or ``LLMPORT_LOG``) is set."""
    return LoguruLogger(level=level)


def default_registry(
    hosts: Iterable[Host] = (), codecs: Mapping[str, ProviderCodec] | None = None
) -> ProviderRegistry:
    """Build the default codec registry: every built-in host, plus ``hosts`` and ``codecs``."""
    return ProviderRegistry(hosts, codecs)


def extended_registry(
    registry: CodecRegistry | None,
    hosts: Iterable[Host] = (),
    codecs: Mapping[str, ProviderCodec] | None = None,
) -> CodecRegistry:
    """Return ``registry`` (default: the built-in one) with ``hosts`` and ``codecs`` added.

    Raises:
        TypeError: when rows or codecs are given with a registry that cannot take them.
    """
    rows, named = tuple(hosts), dict(codecs or {})
    if registry is None:
        return default_registry(rows, named)
    if not rows and not named:
        return registry
    if not isinstance(registry, ProviderRegistry):
        raise TypeError(
            "Client(hosts=..., codecs=...) extends a ProviderRegistry; add them to your registry instead"
        )
    return registry.with_hosts(*rows).with_codecs(**named)


def default_credentials() -> EnvCredentials:
    """Build the default credentials source (environment variables, read at call time)."""
    return EnvCredentials()


def default_clock() -> SystemClock:
    """Build the default clock."""
    return SystemClock()


def default_pricing(model_prices: Any = None) -> GenaiPricing:
    """Build the default pricing: genai-prices' bundled data, ``model_prices`` overrides first."""
    return GenaiPricing(overrides=model_prices)


def default_tracer(options: TracingOptions = TracingOptions()) -> OtelObserver:
    """Build the OpenTelemetry observer (spans only when a tracer provider is set, or asked for)."""
    return OtelObserver(
        enabled=options.enabled,
        tracer_provider=options.tracer_provider,
        capture_content=options.capture_content,
    )


def make_callback_runner(
    callbacks: list[Any] | None, success_callback: list[Any] | None, failure_callback: list[Any] | None
) -> CallbackRunner:
    """Build a client's callback runner from ``Client`` arguments (empty: costs nothing per call).

    Raises:
        TypeError: naming the argument, for a string (a litellm integration name) or a non-callable.
    """
    given = {
        "callbacks": callbacks,
        "success_callback": success_callback,
        "failure_callback": failure_callback,
    }
    for name, value in given.items():
        check_callbacks(name, value)
    return CallbackRunner(callbacks, success_callback, failure_callback)


class FallbackCache:
    """The cache ``caching=True`` uses when the client has none: one ``MemoryCache``, built on first need."""

    def __init__(self) -> None:
        self._cache: MemoryCache | None = None
        self._lock = threading.Lock()

    def __call__(self) -> MemoryCache:
        """Return the cache, building it on the first call."""
        cache = self._cache
        if cache is None:
            with self._lock:
                if self._cache is None:
                    self._cache = MemoryCache()
                cache = self._cache
        return cache


def build_dispatcher(
    *,
    settings: DispatchSettings,
    log_level: str | None = None,
    transport_options: TransportOptions = TransportOptions(),
    transport: Transport | None = None,
    registry: CodecRegistry | None = None,
    hosts: Iterable[Host] = (),
    codecs: Mapping[str, ProviderCodec] | None = None,
    credentials: Credentials | None = None,
    logger: Logger | None = None,
    clock: Clock | None = None,
    cache: Cache | None = None,
    callback_runner: CallbackRunner | None = None,
    pricing: Pricing | None = None,
    model_prices: Any = None,
    tracing: TracingOptions = TracingOptions(),
) -> Dispatcher:
    """Wire a dispatcher from checked values; an adapter left as None gets its default.

    Args:
        settings: Client-wide defaults (see ``dispatch_settings``).
        log_level: Level for the default loguru logger.
        transport_options: How the default transport is built.
        transport: A transport adapter.
        registry: A codec registry.
        hosts: Host rows added to the registry's (a row replaces the one with its prefix).
        codecs: Codecs added to the registry's, by name.
        credentials: A credentials source.
        logger: A logger adapter.
        clock: A clock adapter.
        cache: A response cache.
        callback_runner: The client's callbacks.
        pricing: A pricing adapter.
        model_prices: Price overrides for the default pricing adapter.
        tracing: How the OpenTelemetry observer is built.
    """
    return Dispatcher(
        transport=transport if transport is not None else default_transport(transport_options),
        registry=extended_registry(registry, hosts, codecs),
        credentials=credentials if credentials is not None else default_credentials(),
        logger=logger if logger is not None else default_logger(log_level),
        clock=clock if clock is not None else default_clock(),
        cache=cache,
        settings=settings,
        fallback_cache=FallbackCache(),
        observers=[callback_runner or CallbackRunner(), default_tracer(tracing)],
        pricing=pricing if pricing is not None else default_pricing(model_prices),
    )

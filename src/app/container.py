"""The composition root: the only place that names concrete adapters.

Every port is a ``Dependency`` slot with a default, so a host application can embed llmport
and supply its own adapters::

    from dependency_injector import containers, providers
    from llmport.app.container import LLMPortContainer

    class Application(containers.DeclarativeContainer):
        llm = providers.Container(LLMPortContainer, transport=providers.Object(my_transport))

    client = Application().llm.client()

Build a fresh container per test; override a slot in a scope with
``with container.transport.override(fake): ...``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dependency_injector import containers, providers

from ..adapters.cache.memory import MemoryCache
from ..adapters.clock.clocks import SystemClock
from ..adapters.credentials.sources import EnvCredentials
from ..adapters.logging.loguru_logger import LoguruLogger
from ..adapters.observe.callbacks import CallbackRunner
from ..adapters.observe.otel import OtelObserver
from ..adapters.pricing.genai import GenaiPricing
from ..adapters.providers.registry import ProviderRegistry
from ..adapters.transport.routing import RoutingTransport
from ..adapters.transport.split import AsyncTransportName, default_transport
from ..domain.dispatch import Dispatcher, DispatchSettings
from ..ports.cache import Cache
from ..ports.clock import Clock
from ..ports.codec import CodecRegistry
from ..ports.credentials import Credentials
from ..ports.logger import Logger
from ..ports.pricing import Pricing
from ..ports.transport import Transport
from .client import Client
from .settings import check_callbacks


@dataclass(frozen=True)
class TransportOptions:
    """How the default transport is built (``Client(async_transport=..., ssl_verify=...)``)."""

    async_transport: AsyncTransportName = "aiohttp"
    http_client: Any = None
    async_http_client: Any = None
    ssl_verify: Any = True


@dataclass(frozen=True)
class LoggingOptions:
    """How the default loguru logger is built (``Client(log_level=...)``)."""

    level: str | None = None


@dataclass(frozen=True)
class TracingOptions:
    """How the OpenTelemetry observer is built (``Client(tracing=, tracer_provider=, trace_content=)``)."""

    enabled: bool | None = None
    tracer_provider: Any = None
    capture_content: bool = False


@dataclass(frozen=True)
class ContainerOptions:
    """Plain values the default adapters are built from."""

    transport: TransportOptions = field(default_factory=TransportOptions)
    logging: LoggingOptions = field(default_factory=LoggingOptions)
    model_prices: Any = None
    tracing: TracingOptions = field(default_factory=TracingOptions)


class LLMPortContainer(containers.DeclarativeContainer):
    """Wires the dispatch use case to its adapters; every adapter slot can be overridden."""

    options = providers.Object(ContainerOptions())
    settings = providers.Object(DispatchSettings())

    # `instance_of=<Protocol>` is checked at run time (the protocols are runtime-checkable);
    # mypy flags abstract types passed as values, which is exactly what is wanted here.
    transport = providers.Dependency(
        instance_of=Transport,  # type: ignore[type-abstract]
        # local:// URLs go to in-process models (built on first use), the rest over httpx (sync)
        # and aiohttp (async, built on the first async call).
        default=providers.Singleton(
            RoutingTransport,
            default=providers.Singleton(
                default_transport,
                async_transport=options.provided.transport.async_transport,
                http_client=options.provided.transport.http_client,
                async_http_client=options.provided.transport.async_http_client,
                ssl_verify=options.provided.transport.ssl_verify,
            ),
        ),
    )
    registry = providers.Dependency(
        instance_of=CodecRegistry,  # type: ignore[type-abstract]
        default=providers.Singleton(ProviderRegistry),
    )
    credentials = providers.Dependency(
        instance_of=Credentials,  # type: ignore[type-abstract]
        default=providers.Singleton(EnvCredentials),
    )
    logger = providers.Dependency(
        instance_of=Logger,  # type: ignore[type-abstract]
        default=providers.Singleton(LoguruLogger, level=options.provided.logging.level),
    )
    clock = providers.Dependency(
        instance_of=Clock,  # type: ignore[type-abstract]
        default=providers.Singleton(SystemClock),
    )
    # No cache unless one is supplied: caching is opt-in, as in litellm.
    cache: providers.Provider[Cache | None] = providers.Dependency(default=providers.Object(None))
    # What `caching=True` uses when no cache was supplied; built on first such call.
    fallback_cache = providers.Singleton(MemoryCache)

    # genai-prices' bundled data (imported on the first priced answer), Client(model_prices=) first.
    pricing = providers.Dependency(
        instance_of=Pricing,  # type: ignore[type-abstract]
        default=providers.Singleton(GenaiPricing, overrides=options.provided.model_prices),
    )
    # litellm-style callbacks of this client (Client(callbacks=...)); empty costs nothing per call.
    callback_runner = providers.Singleton(CallbackRunner)
    # GenAI spans when the application set a tracer provider (or Client(tracing=True)).
    tracer = providers.Singleton(
        OtelObserver,
        enabled=options.provided.tracing.enabled,
        tracer_provider=options.provided.tracing.tracer_provider,
        capture_content=options.provided.tracing.capture_content,
    )
    observers = providers.List(callback_runner, tracer)

    dispatcher = providers.Singleton(
        Dispatcher,
        transport=transport,
        registry=registry,
        credentials=credentials,
        logger=logger,
        clock=clock,
        cache=cache,
        settings=settings,
        fallback_cache=fallback_cache.provider,
        observers=observers,
        pricing=pricing,
    )
    client = providers.Singleton(Client, dispatcher=dispatcher)


def build_dispatcher(
    *,
    settings: DispatchSettings,
    log_level: str | None = None,
    async_transport: AsyncTransportName = "aiohttp",
    http_client: Any = None,
    async_http_client: Any = None,
    ssl_verify: Any = True,
    model_prices: Any = None,
    tracing: TracingOptions | None = None,
    **adapters: Any,
) -> Dispatcher:
    """Build a container from ``Client`` arguments and return its dispatcher.

    Args:
        settings: Client-wide defaults.
        log_level: Level for the default loguru logger.
        async_transport: The default transport's async side: ``"aiohttp"`` or ``"httpx"``.
        http_client: Sync httpx client for the default transport.
        async_http_client: Async httpx client for the default transport.
        ssl_verify: TLS verification for the default transport.
        model_prices: Price overrides for the default pricing adapter (litellm's per-token keys).
        tracing: How the OpenTelemetry observer is built.
        **adapters: Port slots to fill (``transport=``, ``cache=``...); None keeps the default.
    """
    container = LLMPortContainer()
    container.options.override(
        providers.Object(
            ContainerOptions(
                transport=TransportOptions(async_transport, http_client, async_http_client, ssl_verify),
                logging=LoggingOptions(log_level),
                model_prices=model_prices,
                tracing=tracing or TracingOptions(),
            )
        )
    )
    container.settings.override(providers.Object(settings))
    for name, adapter in adapters.items():
        if adapter is not None:
            getattr(container, name).override(providers.Object(adapter))
    return container.dispatcher()


def callback_runner(
    callbacks: list[Any] | None, success_callback: list[Any] | None, failure_callback: list[Any] | None
) -> CallbackRunner | None:
    """Build a client's callback runner from ``Client`` arguments; None keeps the container's default.

    Raises:
        TypeError: naming the argument, for a string (a litellm integration name) or a non-callable.
    """
    given = {
        "callbacks": callbacks,
        "success_callback": success_callback,
        "failure_callback": failure_callback,
    }
    if all(value is None for value in given.values()):
        return None
    for name, value in given.items():
        check_callbacks(name, value)
    return CallbackRunner(callbacks, success_callback, failure_callback)

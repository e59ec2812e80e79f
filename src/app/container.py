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
from ..adapters.providers.registry import ProviderRegistry
from ..adapters.transport.routing import RoutingTransport
from ..adapters.transport.split import AsyncTransportName, default_transport
from ..domain.dispatch import Dispatcher, DispatchSettings
from ..ports.cache import Cache
from ..ports.clock import Clock
from ..ports.codec import CodecRegistry
from ..ports.credentials import Credentials
from ..ports.logger import Logger
from ..ports.transport import Transport
from .client import Client


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
class ContainerOptions:
    """Plain values the default adapters are built from."""

    transport: TransportOptions = field(default_factory=TransportOptions)
    logging: LoggingOptions = field(default_factory=LoggingOptions)


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
        **adapters: Port slots to fill (``transport=``, ``cache=``...); None keeps the default.
    """
    container = LLMPortContainer()
    container.options.override(
        providers.Object(
            ContainerOptions(
                transport=TransportOptions(async_transport, http_client, async_http_client, ssl_verify),
                logging=LoggingOptions(log_level),
            )
        )
    )
    container.settings.override(providers.Object(settings))
    for name, adapter in adapters.items():
        if adapter is not None:
            getattr(container, name).override(providers.Object(adapter))
    return container.dispatcher()

"""``LLMPortContainer``: llmport's ports and adapters as a dependency-injector container.

For host applications that compose their own objects with dependency-injector. Every port is
a ``Dependency`` slot whose default is the adapter ``Client()`` would use (the factories in
``bootstrap.py``), and ``config`` takes the client-wide settings::

    from dependency_injector import containers, providers
    from llmport.app.container import LLMPortContainer

    class Application(containers.DeclarativeContainer):
        config = providers.Configuration()
        llm = providers.Container(LLMPortContainer, config=config.llm)

    app = Application()
    app.config.from_dict({"llm": {"api_key": "sk-...", "timeout": 30, "num_retries": 1}})
    client = app.llm.client()

Overriding a slot takes effect on the client's next call, even after its first one, and is
undone when the ``with`` ends: ``with app.llm.transport.override(providers.Object(fake)): ...``.
``app.llm.shutdown_resources()`` closes the default transport's connection pools. llmport
never calls ``wire()``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

from dependency_injector import containers, providers

from ..adapters.cache.memory import MemoryCache
from ..adapters.observe.callbacks import CallbackRunner
from ..domain.dispatch import Dispatcher, DispatchSettings
from ..ports.cache import Cache
from ..ports.clock import Clock
from ..ports.codec import CodecRegistry
from ..ports.credentials import Credentials
from ..ports.logger import Logger
from ..ports.pricing import Pricing
from ..ports.transport import Transport
from . import bootstrap
from .client import Client

# What `config` takes; anything else is refused so a misspelt setting is not silently ignored.
CONFIG_KEYS = frozenset(
    {"api_key", "api_base", "timeout", "num_retries", "drop_params", "log_level", "ssl_verify", "cache",
     "cache_dir", "async_transport", "cache_scope", "model_prices", "tracing", "trace_content"}
)  # fmt: skip


def settings_from_config(config: Mapping[str, Any] | None) -> DispatchSettings:
    """Check the container's ``config`` and return the dispatch settings it describes.

    Raises:
        ValueError: an unknown setting (a typo), naming it and the known ones.
        TypeError: a value of the wrong type, naming the setting.
        BadRequestError: an invalid timeout.
    """
    values = dict(config or {})
    unknown = sorted(set(values) - CONFIG_KEYS)
    if unknown:
        raise ValueError(f"LLMPortContainer config has no setting {unknown}; known: {sorted(CONFIG_KEYS)}")
    # Checked here too, so a mistake is reported even when the adapter it configures is overridden.
    bootstrap.check_log_level(values.get("log_level"), "config.log_level")
    bootstrap.check_ssl_verify(values.get("ssl_verify"), "config.ssl_verify")
    bootstrap.check_async_transport(values.get("async_transport"), "config.async_transport")
    return bootstrap.dispatch_settings(
        api_key=values.get("api_key"),
        api_base=values.get("api_base"),
        timeout=values.get("timeout"),
        num_retries=values.get("num_retries"),
        drop_params=values.get("drop_params"),
        cache_scope=values.get("cache_scope", "credentials"),
        where="config",
    )


def configured_cache(kind: object, directory: object) -> Cache | None:
    """Build the cache ``config.cache`` names: None, ``"memory"`` or ``"disk"`` (in ``config.cache_dir``)."""
    if kind is None or kind == "":
        return None
    if kind == "memory":
        return MemoryCache()
    if kind == "disk":
        from ..adapters.cache.disk import DiskCache

        path = bootstrap.check_optional_str(directory, "config.cache_dir")
        if path is None:
            raise ValueError("config.cache='disk' needs config.cache_dir, the directory to keep entries in")
        return DiskCache(path)
    raise ValueError(f"config.cache must be 'memory', 'disk' or None, got {kind!r}")


def transport_resource(options: bootstrap.TransportOptions) -> Iterator[Transport]:
    """Yield the default transport as a resource: ``shutdown_resources()`` closes its pools."""
    transport = bootstrap.default_transport(options)
    try:
        yield transport
    finally:
        transport.close()


# The slots whose overrides a client follows; `config` is compared by value.
_WATCHED = (
    "transport", "registry", "credentials", "logger", "clock", "cache", "settings", "http_client",
    "async_http_client", "transport_options", "fallback_cache", "extra_hosts", "extra_codecs", "pricing",
    "callback_runner", "tracer_provider", "tracer",
)  # fmt: skip


class LiveDispatcher:
    """The container's dispatcher as of now: rebuilt when an override, the config or a resource changed.

    A client built by the container asks this for its dispatcher on every call, so
    ``with container.transport.override(fake):`` reaches a client that has already been used,
    and the next call after the ``with`` goes back to the default. The check compares a few
    provider identities and the config mapping; the dispatcher itself is rebuilt only on change.

    Args:
        container: The container (or a host's copy of it) to follow.
    """

    def __init__(self, container: Any) -> None:
        self._container = container
        self._lock = threading.Lock()
        self._state: tuple[object, ...] | None = None
        self._dispatcher: Dispatcher | None = None

    def __repr__(self) -> str:
        return f"LiveDispatcher({self._dispatcher!r})"

    def current(self) -> Dispatcher:
        """Return the dispatcher wired from the container's providers as they are now."""
        state = self._now()
        dispatcher = self._dispatcher
        if dispatcher is None or state != self._state:
            with self._lock:
                container = self._container
                container.dispatcher.reset()  # built under other overrides: drop it
                dispatcher = self._dispatcher = container.dispatcher()
                self._state = self._now()  # building may have started the transport resource
        return dispatcher

    def _now(self) -> tuple[object, ...]:
        container = self._container
        overrides = tuple(getattr(container, name).last_overriding for name in _WATCHED)
        resource = container.transport.default
        return (*overrides, resource.initialized, container.config())


class LLMPortContainer(containers.DeclarativeContainer):
    """Wires the dispatch use case to its adapters; every adapter slot can be overridden."""

    __self__ = providers.Self()
    config = providers.Configuration()

    settings = providers.Callable(settings_from_config, config)
    http_client: providers.Provider[Any] = providers.Object(None)
    async_http_client: providers.Provider[Any] = providers.Object(None)
    transport_options = providers.Callable(
        bootstrap.TransportOptions,
        async_transport=providers.Callable(
            bootstrap.check_async_transport, config.async_transport, "config.async_transport"
        ),
        http_client=http_client,
        async_http_client=async_http_client,
        ssl_verify=providers.Callable(bootstrap.check_ssl_verify, config.ssl_verify, "config.ssl_verify"),
    )

    # `instance_of=<Protocol>` is checked at run time (the protocols are runtime-checkable);
    # mypy flags abstract types passed as values, which is exactly what is wanted here.
    transport = providers.Dependency(
        instance_of=Transport,  # type: ignore[type-abstract]
        default=providers.Resource(transport_resource, transport_options),
    )
    # Rows and codecs a host application adds to the built-in ones (see docs/extending.md).
    extra_hosts: providers.Provider[Any] = providers.Object(())
    extra_codecs: providers.Provider[Any] = providers.Object({})
    registry = providers.Dependency(
        instance_of=CodecRegistry,  # type: ignore[type-abstract]
        default=providers.Singleton(bootstrap.default_registry, hosts=extra_hosts, codecs=extra_codecs),
    )
    credentials = providers.Dependency(
        instance_of=Credentials,  # type: ignore[type-abstract]
        default=providers.Singleton(bootstrap.default_credentials),
    )
    logger = providers.Dependency(
        instance_of=Logger,  # type: ignore[type-abstract]
        default=providers.Singleton(
            bootstrap.default_logger,
            level=providers.Callable(bootstrap.check_log_level, config.log_level, "config.log_level"),
        ),
    )
    clock = providers.Dependency(
        instance_of=Clock,  # type: ignore[type-abstract]
        default=providers.Singleton(bootstrap.default_clock),
    )
    # No cache unless one is configured or supplied: caching is opt-in, as in litellm.
    cache: providers.Provider[Cache | None] = providers.Dependency(
        default=providers.Singleton(configured_cache, config.cache, config.cache_dir)
    )
    # What `caching=True` uses when no cache was supplied; built on first such call.
    fallback_cache = providers.Singleton(bootstrap.FallbackCache)

    # genai-prices' bundled data (imported on the first priced answer), config.model_prices first.
    pricing = providers.Dependency(
        instance_of=Pricing,  # type: ignore[type-abstract]
        default=providers.Singleton(bootstrap.default_pricing, config.model_prices),
    )
    # litellm-style callbacks (override with providers.Object(CallbackRunner([...]))).
    callback_runner = providers.Singleton(CallbackRunner)
    # GenAI spans when the application set a tracer provider (or config.tracing is True).
    tracer_provider: providers.Provider[Any] = providers.Object(None)
    tracer = providers.Singleton(
        bootstrap.default_tracer,
        providers.Callable(
            bootstrap.TracingOptions,
            enabled=config.tracing,
            tracer_provider=tracer_provider,
            capture_content=providers.Callable(bool, config.trace_content),
        ),
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
        fallback_cache=fallback_cache,
        observers=observers,
        pricing=pricing,
    )
    live_dispatcher = providers.Singleton(LiveDispatcher, __self__)
    client = providers.Singleton(Client, dispatcher=live_dispatcher)

"""``Client``: the object that owns a configured dispatcher and its connection pools."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, cast

from ..adapters.knowledge.lookup import ModelKnowledge
from ..domain.dispatch import Dispatcher
from ..domain.models.cache_control import CacheScope
from ..domain.models.call_signature import ACompletionCall, CompletionCall
from ..domain.models.messages import MessageLike
from ..domain.models.request import build_request
from ..domain.models.response import ModelResponse
from ..domain.models.stream import CompletionStream
from . import bootstrap

if TYPE_CHECKING:
    import ssl

    import httpx

    from ..ports.cache import Cache
    from ..ports.clock import Clock
    from ..ports.codec import CodecRegistry, Host, ProviderCodec
    from ..ports.credentials import Credentials
    from ..ports.logger import Logger
    from ..ports.pricing import Pricing
    from ..ports.transport import Transport
    from .router import Router


class DispatcherSource(Protocol):
    """Hands a client the dispatcher to use for the next call (the container's live wiring)."""

    def current(self) -> Dispatcher:
        """Return the dispatcher for the next call."""
        ...


class Client:
    """A configured llmport: ``completion()``/``acompletion()`` plus the pools behind them.

    Build one per application (it is thread-safe and reuses connections); close it, or use it
    as a context manager, when done. Every argument is optional.

    Args:
        api_key: Key used for any provider when a call gives none (else the provider's env var).
        api_base: Base URL used for any provider when a call gives none. ``base_url`` is an alias.
        timeout: Per-attempt timeout: seconds or an ``httpx.Timeout`` (default 600 s, connect 5 s).
        num_retries: Retries of retryable failures (default 2). ``max_retries`` is an alias.
        drop_params: Drop parameters a provider cannot take instead of raising.
        log_level: Emit llmport's logs through loguru at this level (default: ``LLMPORT_LOG``, else none).
        transport: A transport adapter (e.g. ``FakeTransport``) instead of the default one.
        async_transport: The default transport's async side: ``"aiohttp"`` (the default, fastest
            under concurrency) or ``"httpx"``. Sync calls always go over httpx.
        http_client: An ``httpx.Client`` for the default transport to use.
        async_http_client: An ``httpx.AsyncClient`` for the default transport to use.
        ssl_verify: True, False, a CA bundle path or an ``ssl.SSLContext``.
        credentials: Where keys and base URLs come from (default: environment variables).
        cache: A response cache adapter.
        cache_scope: ``"credentials"`` (default): a cached answer serves only callers with the
            same credentials and identity headers; ``"shared"``: every caller (docs/scaling.md).
        logger: A logger adapter instead of loguru.
        clock: A clock adapter (tests use ``FakeClock``).
        registry: A codec registry instead of the built-in one.
        hosts: Host rows added to the built-in ones (``llmport.providers.Host``); a row with a
            built-in prefix replaces that row.
        codecs: Codecs added by name, for hosts whose ``codec`` names them.
        callbacks: litellm ``CustomLogger``-style objects told about every call (functions: success handlers).
        success_callback: Functions ``(kwargs, completion_response, start_time, end_time)`` run on success.
        failure_callback: Functions with the same signature, run when a call fails.
        model_prices: Price overrides, litellm's ``{model: {"input_cost_per_token": ..., ...}}``.
        pricing: A pricing adapter instead of genai-prices' bundled data.
        tracing: OpenTelemetry GenAI spans: None (default) when the application set a tracer
            provider, True always (the ``otel`` extra), False never.
        tracer_provider: The tracer provider for those spans instead of the global one.
        trace_content: Record messages on the spans (secrets scrubbed); off by default.
        dispatcher: A fully wired dispatcher, or a source of one (what the container passes);
            other arguments are then ignored.

    Raises:
        TypeError: an argument of the wrong type, naming it.
        ValueError: an unknown ``log_level`` or ``async_transport``.
        BadRequestError: an invalid ``timeout`` or ``cache_scope``.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        api_base: str | None = None,
        base_url: str | None = None,
        timeout: float | Any | None = None,
        num_retries: int | None = None,
        max_retries: int | None = None,
        drop_params: bool = False,
        log_level: str | None = None,
        transport: Transport | None = None,
        async_transport: Literal["aiohttp", "httpx"] = "aiohttp",
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        ssl_verify: bool | str | ssl.SSLContext = True,
        credentials: Credentials | None = None,
        cache: Cache | None = None,
        cache_scope: CacheScope = "credentials",
        logger: Logger | None = None,
        clock: Clock | None = None,
        registry: CodecRegistry | None = None,
        hosts: Iterable[Host] = (),
        codecs: Mapping[str, ProviderCodec] | None = None,
        callbacks: list[Any] | None = None,
        success_callback: list[Any] | None = None,
        failure_callback: list[Any] | None = None,
        model_prices: dict[str, dict[str, Any]] | None = None,
        pricing: Pricing | None = None,
        tracing: bool | None = None,
        tracer_provider: Any = None,
        trace_content: bool = False,
        dispatcher: Dispatcher | DispatcherSource | None = None,
    ) -> None:
        if dispatcher is None:
            dispatcher = bootstrap.build_dispatcher(
                settings=bootstrap.dispatch_settings(
                    api_key=api_key,
                    api_base=api_base or base_url,
                    timeout=timeout,
                    num_retries=num_retries if num_retries is not None else max_retries,
                    drop_params=drop_params,
                    cache_scope=cache_scope,
                ),
                log_level=bootstrap.check_log_level(log_level),
                transport_options=bootstrap.TransportOptions(
                    async_transport=bootstrap.check_async_transport(async_transport),
                    http_client=http_client,
                    async_http_client=async_http_client,
                    ssl_verify=bootstrap.check_ssl_verify(ssl_verify),
                ),
                transport=transport,
                credentials=credentials,
                cache=cache,
                logger=logger,
                clock=clock,
                registry=registry,
                hosts=hosts,
                codecs=codecs,
                callback_runner=bootstrap.make_callback_runner(callbacks, success_callback, failure_callback),
                pricing=pricing,
                model_prices=model_prices,
                tracing=bootstrap.TracingOptions(tracing, tracer_provider, trace_content),
            )
        self._fixed: Dispatcher | None = dispatcher if isinstance(dispatcher, Dispatcher) else None
        self._source = dispatcher
        self.knowledge = ModelKnowledge(model_prices)

    @property
    def dispatcher(self) -> Dispatcher:
        """The dispatcher the next call goes through."""
        fixed = self._fixed
        if fixed is not None:
            return fixed
        return self._source.current()  # type: ignore[union-attr]

    def __repr__(self) -> str:
        return f"Client({self.dispatcher!r})"

    def _completion(
        self, model: str, messages: Sequence[MessageLike] = (), **params: Any
    ) -> ModelResponse | CompletionStream:
        """Run a chat completion, litellm-style.

        Args:
            model: ``provider/model`` (``openai/gpt-4o``, ``azure/my-deployment``) or a well-known
                bare name (``gpt-4o``).
            messages: OpenAI-format messages (dicts or message objects).
            **params: Any parameter of litellm's ``completion()``; unknown ones are forwarded to
                the provider in the request body.

        Returns:
            A ``ModelResponse``, or a ``CompletionStream`` of chunks when ``stream=True``.

        Raises:
            BadRequestError: for invalid input, before any network call.
            APIError: the subclass matching the provider's failure.
        """
        if "model_list" in params:
            return self._routed(params).completion(model, messages, **params)
        return self.dispatcher.complete(build_request(model, messages, params))

    async def _acompletion(
        self, model: str, messages: Sequence[MessageLike] = (), **params: Any
    ) -> ModelResponse | CompletionStream:
        """Async ``completion()``; a stream it returns is consumed with ``async for``."""
        if "model_list" in params:
            return await self._routed(params).acompletion(model, messages, **params)
        return await self.dispatcher.acomplete(build_request(model, messages, params))

    # Typed through overloads listing every litellm keyword (domain/models/call_signature.py).
    completion: CompletionCall = cast("CompletionCall", _completion)
    acompletion: ACompletionCall = cast("ACompletionCall", _acompletion)

    def _routed(self, params: dict[str, Any]) -> Router:
        """Build a one-call Router over ``model_list`` (litellm's ``completion(model_list=...)``)."""
        from .router import Router  # loaded only by calls that route

        return Router(params.pop("model_list"), client=self)

    def close(self) -> None:
        """Close the sync connection pool."""
        self.dispatcher.transport.close()

    async def aclose(self) -> None:
        """Close the connection pools (async and sync)."""
        await self.dispatcher.transport.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

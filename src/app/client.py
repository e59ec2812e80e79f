"""``Client``: the object that owns a configured dispatcher and its connection pools."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self, Unpack, overload

from pydantic import SecretStr

from ..adapters.knowledge.lookup import ModelKnowledge
from ..domain.dispatch import Dispatcher, DispatchSettings
from ..domain.dispatch.settings import DEFAULT_NUM_RETRIES
from ..domain.models.cache_control import SCOPES, CacheScope
from ..domain.models.errors import bad_request
from ..domain.models.messages import MessageLike
from ..domain.models.params import CompletionParams
from ..domain.models.request import TimeoutConfig, build_request
from ..domain.models.response import ModelResponse
from ..domain.models.stream import CompletionStream

if TYPE_CHECKING:
    import ssl

    import httpx

    from ..ports.cache import Cache
    from ..ports.clock import Clock
    from ..ports.codec import CodecRegistry
    from ..ports.credentials import Credentials
    from ..ports.logger import Logger
    from ..ports.pricing import Pricing
    from ..ports.transport import Transport
    from .router import Router


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
        callbacks: litellm ``CustomLogger``-style objects told about every call (functions: success handlers).
        success_callback: Functions ``(kwargs, completion_response, start_time, end_time)`` run on success.
        failure_callback: Functions with the same signature, run when a call fails.
        model_prices: Price overrides, litellm's ``{model: {"input_cost_per_token": ..., ...}}``.
        pricing: A pricing adapter instead of genai-prices' bundled data.
        tracing: OpenTelemetry GenAI spans: None (default) when the application set a tracer
            provider, True always (the ``otel`` extra), False never.
        tracer_provider: The tracer provider for those spans instead of the global one.
        trace_content: Record messages on the spans (secrets scrubbed); off by default.
        dispatcher: A fully wired dispatcher (what the container passes); other arguments are then ignored.
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
        callbacks: list[Any] | None = None,
        success_callback: list[Any] | None = None,
        failure_callback: list[Any] | None = None,
        model_prices: dict[str, dict[str, Any]] | None = None,
        pricing: Pricing | None = None,
        tracing: bool | None = None,
        tracer_provider: Any = None,
        trace_content: bool = False,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        if dispatcher is None:
            # loads dependency-injector on first use
            from .container import TracingOptions, build_dispatcher, callback_runner

            retries = num_retries if num_retries is not None else max_retries
            settings = DispatchSettings(
                timeout=TimeoutConfig() if timeout is None else TimeoutConfig.parse(timeout),
                num_retries=DEFAULT_NUM_RETRIES if retries is None else retries,
                drop_params=drop_params,
                api_key=None if api_key is None else SecretStr(api_key),
                api_base=api_base or base_url,
                cache_scope=_checked_scope(cache_scope),
            )
            dispatcher = build_dispatcher(
                settings=settings,
                log_level=log_level,
                transport=transport,
                async_transport=async_transport,
                http_client=http_client,
                async_http_client=async_http_client,
                ssl_verify=ssl_verify,
                credentials=credentials,
                cache=cache,
                logger=logger,
                clock=clock,
                registry=registry,
                callback_runner=callback_runner(callbacks, success_callback, failure_callback),
                model_prices=model_prices,
                tracing=TracingOptions(tracing, tracer_provider, trace_content),
                pricing=pricing,
            )
        self.dispatcher = dispatcher
        self.knowledge = ModelKnowledge(model_prices)

    def __repr__(self) -> str:
        return f"Client({self.dispatcher!r})"

    @overload
    def completion(
        self,
        model: str,
        messages: Sequence[MessageLike] = ...,
        *,
        stream: Literal[True],
        **params: Unpack[CompletionParams],
    ) -> CompletionStream: ...
    @overload
    def completion(
        self,
        model: str,
        messages: Sequence[MessageLike] = ...,
        *,
        stream: Literal[False] | None = ...,
        **params: Unpack[CompletionParams],
    ) -> ModelResponse: ...
    @overload
    def completion(
        self, model: str, messages: Sequence[MessageLike] = ..., *, stream: bool | None = ..., **params: Any
    ) -> ModelResponse | CompletionStream: ...
    def completion(
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

    @overload
    async def acompletion(
        self,
        model: str,
        messages: Sequence[MessageLike] = ...,
        *,
        stream: Literal[True],
        **params: Unpack[CompletionParams],
    ) -> CompletionStream: ...
    @overload
    async def acompletion(
        self,
        model: str,
        messages: Sequence[MessageLike] = ...,
        *,
        stream: Literal[False] | None = ...,
        **params: Unpack[CompletionParams],
    ) -> ModelResponse: ...
    @overload
    async def acompletion(
        self, model: str, messages: Sequence[MessageLike] = ..., *, stream: bool | None = ..., **params: Any
    ) -> ModelResponse | CompletionStream: ...
    async def acompletion(
        self, model: str, messages: Sequence[MessageLike] = (), **params: Any
    ) -> ModelResponse | CompletionStream:
        """Async ``completion()``; a stream it returns is consumed with ``async for``."""
        if "model_list" in params:
            return await self._routed(params).acompletion(model, messages, **params)
        return await self.dispatcher.acomplete(build_request(model, messages, params))

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


def _checked_scope(scope: object) -> CacheScope:
    if scope not in SCOPES:
        raise bad_request(f"cache_scope must be one of {SCOPES}, got {scope!r}", param="cache_scope")
    return scope

"""The dispatch use case: one checked request in, one response or stream out.

Sync and async paths share every decision (routing, request building, retry policy, parsing);
they differ only in the I/O calls, which stay in short twin methods.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack, ExitStack
from typing import TypeVar

from ...ports.cache import Cache
from ...ports.clock import Clock
from ...ports.codec import CodecRegistry, Host, ProviderCall, ProviderCodec
from ...ports.credentials import Credentials
from ...ports.logger import Logger
from ...ports.observer import CallObserver
from ...ports.pricing import Pricing
from ...ports.transport import HttpRequest, HttpResponse, Transport
from ..models.errors import APIError
from ..models.params import provider_specific
from ..models.redaction import redact, redact_headers
from ..models.request import CompletionRequest, reject_not_implemented
from ..models.response import ModelResponse
from ..models.schema import attach_parsed
from ..models.stream import CompletionStream, ModelResponseStream
from ..models.validation import check_url
from . import authorize
from .attempts import Attempts
from .cache_gate import CacheGate
from .caching import CacheUse
from .costing import Costing
from .deadline import Deadline
from .fallbacks import FallbackChain, fallback_candidates
from .fanout import arun_all, fanout_count, run_all
from .mock import mock_result
from .observe import CallWatch, current_watch
from .params import select_params
from .retry import RetryPolicy
from .routing import provider_call, resolve_host
from .settings import DispatchSettings
from .stream_cache import RecordedStream, aiterate, astore_when_complete, store_when_complete
from .stream_watch import StreamWatch
from .streaming import AsyncPrimedChunks, aiter_chunks, iter_chunks, lift, primed

_MEMO_SIZE = 1024
K = TypeVar("K")
V = TypeVar("V")


class Dispatcher:
    """Routes requests to provider codecs and runs them over the transport.

    Args:
        transport: Sends HTTP requests.
        registry: Finds hosts and codecs.
        credentials: Supplies keys and base URLs by name.
        logger: Receives log events.
        clock: Time and sleeping (retries).
        cache: The client's response cache, if it has one.
        settings: Client-wide defaults.
        fallback_cache: Builds the cache ``caching=True`` uses when the client has none.
        observers: Told about every call they want (callbacks, tracing).
        pricing: Prices each answer's usage (``_hidden_params["response_cost"]``).
    """

    def __init__(
        self,
        *,
        transport: Transport,
        registry: CodecRegistry,
        credentials: Credentials,
        logger: Logger,
        clock: Clock,
        cache: Cache | None = None,
        settings: DispatchSettings | None = None,
        fallback_cache: Callable[[], Cache] | None = None,
        observers: Sequence[CallObserver] = (),
        pricing: Pricing | None = None,
    ) -> None:
        self.transport = transport
        self.registry = registry
        self.credentials = credentials
        self.logger = logger
        self.clock = clock
        self.cache = cache
        self.settings = settings or DispatchSettings()
        self._cache = CacheGate(cache, fallback_cache, self.settings.cache_scope, logger, clock)
        self.observers = tuple(observers)
        self.costing = Costing(pricing)
        self._routes: dict[tuple[str, str | None], tuple[Host, str]] = {}
        # Per-client memos of pure per-call work: a client calls the same few bases and URLs.
        self._safe_bases: dict[tuple[str, tuple[str, ...]], str] = {}
        self._checked_urls: dict[str, None] = {}

    def __repr__(self) -> str:
        return f"Dispatcher(transport={type(self.transport).__name__}, settings={self.settings!r})"

    # -- sync -------------------------------------------------------------------------------

    def complete(self, request: CompletionRequest) -> ModelResponse | CompletionStream:
        """Run ``request`` (then its fallbacks) and return the response, or the stream if ``stream``."""
        chain = self._chain(request)
        watch = self._watch(request, "completion")
        if watch is None:
            return chain.run(lambda attempt: self._answer(attempt, chain.deadline))
        watch.started()
        try:
            result = chain.run(lambda attempt: self._answer(attempt, chain.deadline))
        except BaseException as error:
            watch.close(error)
            raise
        if isinstance(result, CompletionStream):
            return watch.watch_stream(result)
        watch.succeeded(result)
        return result

    def _answer(self, request: CompletionRequest, deadline: Deadline) -> ModelResponse | CompletionStream:
        mocked = self._mocked(request)
        if mocked is not None:
            return mocked
        codec, call, http = self._prepare(request)
        if request.stream:
            return self._open_stream(codec, call, http, deadline)
        count = fanout_count(codec, request, call.provider)
        if count > 1:
            # Fanned-out requests share one wire request, so one cache entry would answer all n.
            return run_all(count, lambda: self._complete_one(codec, call, http, deadline, cacheable=False))
        return self._complete_one(codec, call, http, deadline)

    def _complete_one(
        self,
        codec: ProviderCodec,
        call: ProviderCall,
        http: HttpRequest,
        deadline: Deadline,
        *,
        cacheable: bool = True,
    ) -> ModelResponse:
        started = self.clock.monotonic()
        use = self._cache.use(codec, call, http) if cacheable and self._cache.applies(call) else None
        if use is not None and not use.control.no_cache:
            hit = self._from_entry(self._cache.read(use, call), codec, call, use, started)
            if hit is not None:
                return hit
        authed: list[ProviderCall] = []  # the call with the secrets the auth put in play (a token)
        response = self._attempts(call, deadline).run(
            http, lambda sent: self._send(codec, call, sent, authed)
        )
        call = authed[-1] if authed else call
        result = self._finish(codec, call, response, started)
        if use is not None and not use.control.no_store:
            self._cache.write(use, codec, call, response)
        return result

    def _send(
        self, codec: ProviderCodec, call: ProviderCall, http: HttpRequest, authed: list[ProviderCall]
    ) -> HttpResponse:
        auth = self.registry.auth(call.host.auth)
        response, call = authorize.send(self.transport, auth, call, http)
        authed.append(call)
        if response.status_code >= 400:
            raise codec.map_error(response.status_code, response.headers, response.content, call)
        return response

    def _open_stream(
        self, codec: ProviderCodec, call: ProviderCall, http: HttpRequest, deadline: Deadline
    ) -> CompletionStream:
        use = self._cache.use(codec, call, http) if self._cache.applies(call) else None
        if use is not None and not use.control.no_cache:
            hit = self._cache.replayed(self._cache.read(use, call), codec, call, use)
            if hit is not None:
                replayed = CompletionStream(sync_chunks=iter(hit), model=call.request.model)
                return self._stream_result(call, replayed, cache_hit=True)
        store = use if use is not None and not use.control.no_store else None
        auth = self.registry.auth(call.host.auth)

        def attempt(sent: HttpRequest) -> tuple[Iterator[ModelResponseStream], Callable[[], None]]:
            resources = ExitStack()
            try:
                response, authed = authorize.open_stream(self.transport, auth, call, sent, resources)
                if response.status_code >= 400:
                    raise codec.map_error(response.status_code, response.headers, response.read(), authed)
            except BaseException:
                resources.close()
                raise
            self._log_response(call, response.status_code, None)
            parser, pricer = codec.stream_parser(authed), self.costing.chunk_pricer(authed)
            checks = self._stream_checks(response.headers, sent, call.host.framing)
            if store is None:
                # Reading the first chunk inside the attempt retries a stream that fails before it.
                opened = primed(iter_chunks(response, parser, resources, authed, checks=checks, price=pricer))
            else:
                recorded = RecordedStream(response)
                chunks = iter_chunks(recorded, parser, resources, authed, checks=checks, price=pricer)
                opened = primed(
                    store_when_complete(
                        chunks, lambda: self._cache.store_stream(store, codec, authed, recorded)
                    )
                )
            lift(sent)  # the deadline held the stream until its first chunk; the read timeout from now
            return opened

        chunks, close = self._attempts(call, deadline).run(http, attempt)
        stream = CompletionStream(sync_chunks=chunks, model=call.request.model, on_close=close)
        return self._stream_result(call, stream)

    # -- async ------------------------------------------------------------------------------

    async def acomplete(self, request: CompletionRequest) -> ModelResponse | CompletionStream:
        """Async ``complete``; a stream it returns is an async iterator."""
        chain = self._chain(request)
        watch = self._watch(request, "acompletion")
        if watch is None:
            return await chain.arun(lambda attempt: self._aanswer(attempt, chain.deadline))
        await watch.astarted()
        try:
            result = await chain.arun(lambda attempt: self._aanswer(attempt, chain.deadline))
        except BaseException as error:
            await watch.aclose(error)
            raise
        if isinstance(result, CompletionStream):
            return watch.watch_stream(result)
        await watch.asucceeded(result)
        return result

    async def _aanswer(
        self, request: CompletionRequest, deadline: Deadline
    ) -> ModelResponse | CompletionStream:
        mocked = self._mocked(request)
        if mocked is not None:
            return mocked
        codec, call, http = self._prepare(request)
        if request.stream:
            return await self._aopen_stream(codec, call, http, deadline)
        count = fanout_count(codec, request, call.provider)
        if count > 1:
            return await arun_all(
                count, lambda: self._acomplete_one(codec, call, http, deadline, cacheable=False)
            )
        return await self._acomplete_one(codec, call, http, deadline)

    async def _acomplete_one(
        self,
        codec: ProviderCodec,
        call: ProviderCall,
        http: HttpRequest,
        deadline: Deadline,
        *,
        cacheable: bool = True,
    ) -> ModelResponse:
        started = self.clock.monotonic()
        use = await self._cache.ause(codec, call, http) if cacheable and self._cache.applies(call) else None
        if use is not None and not use.control.no_cache:
            hit = self._from_entry(await self._cache.aread(use, call), codec, call, use, started)
            if hit is not None:
                return hit
        authed: list[ProviderCall] = []  # the call with the secrets the auth put in play (a token)
        response = await self._attempts(call, deadline).arun(
            http, lambda sent: self._asend(codec, call, sent, authed)
        )
        call = authed[-1] if authed else call
        result = self._finish(codec, call, response, started)
        if use is not None and not use.control.no_store:
            await self._cache.awrite(use, codec, call, response)
        return result

    async def _asend(
        self, codec: ProviderCodec, call: ProviderCall, http: HttpRequest, authed: list[ProviderCall]
    ) -> HttpResponse:
        auth = self.registry.auth(call.host.auth)
        response, call = await authorize.asend(self.transport, auth, call, http)
        authed.append(call)
        if response.status_code >= 400:
            raise codec.map_error(response.status_code, response.headers, response.content, call)
        return response

    async def _aopen_stream(
        self, codec: ProviderCodec, call: ProviderCall, http: HttpRequest, deadline: Deadline
    ) -> CompletionStream:
        use = await self._cache.ause(codec, call, http) if self._cache.applies(call) else None
        if use is not None and not use.control.no_cache:
            hit = self._cache.replayed(await self._cache.aread(use, call), codec, call, use)
            if hit is not None:
                replayed = CompletionStream(async_chunks=aiterate(hit), model=call.request.model)
                return self._stream_result(call, replayed, cache_hit=True)
        store = use if use is not None and not use.control.no_store else None
        auth = self.registry.auth(call.host.auth)

        async def attempt(sent: HttpRequest) -> AsyncPrimedChunks:
            resources = AsyncExitStack()
            try:
                response, authed = await authorize.aopen_stream(self.transport, auth, call, sent, resources)
                if response.status_code >= 400:
                    raise codec.map_error(
                        response.status_code, response.headers, await response.aread(), authed
                    )
            except BaseException:
                await resources.aclose()
                raise
            self._log_response(call, response.status_code, None)
            parser, pricer = codec.stream_parser(authed), self.costing.chunk_pricer(authed)
            checks = self._stream_checks(response.headers, sent, call.host.framing)
            if store is None:
                chunks = aiter_chunks(response, parser, resources, authed, checks=checks, price=pricer)
                opened = await AsyncPrimedChunks(chunks).prime()
            else:
                recorded = RecordedStream(response)
                chunks = aiter_chunks(recorded, parser, resources, authed, checks=checks, price=pricer)
                stored = astore_when_complete(
                    chunks, lambda: self._cache.astore_stream(store, codec, authed, recorded)
                )
                opened = await AsyncPrimedChunks(stored).prime()
            lift(sent)  # the deadline held the stream until its first chunk; the read timeout from now
            return opened

        chunks = await self._attempts(call, deadline).arun(http, attempt)
        return self._stream_result(call, CompletionStream(async_chunks=chunks, model=call.request.model))

    # -- shared decisions -------------------------------------------------------------------

    def _from_entry(
        self, raw: bytes | None, codec: ProviderCodec, call: ProviderCall, use: CacheUse, started: float
    ) -> ModelResponse | None:
        """Re-parse a cached answer; anything unreadable is a miss with a warning."""
        response = self._cache.decode(raw, codec, call, use)
        if response is None:
            return None
        try:
            return self._finish(codec, call, response, started, cache_hit=True)
        except APIError as error:
            self._cache.warn(call, "entry", error)
            return None

    def _mocked(self, request: CompletionRequest) -> ModelResponse | CompletionStream | None:
        """Answer from ``mock_response``/``mock_tool_calls`` without routing or I/O, if given."""
        options = request.options
        if options.mock_response is None and options.mock_tool_calls is None:
            return None
        reject_not_implemented(request)
        return mock_result(request, int(self.clock.time()))

    def _prepare(self, request: CompletionRequest) -> tuple[ProviderCodec, ProviderCall, HttpRequest]:
        host, model = self._route(request.model, request.options.custom_llm_provider)
        reject_not_implemented(request)
        call = provider_call(request, host, model, self.credentials, self.settings)
        self.registry.auth(host.auth).check(call)  # a missing required key fails before any I/O
        codec = self.registry.codec(host.codec)
        fanout_count(codec, request, call.provider)  # n with stream is refused before any request
        # The codec encodes the parameters the host's rules let through (codecs import no dispatch).
        call = call.with_params(select_params(call, getattr(codec, "unsupported_params", ())))
        http = codec.build_request(call).with_limits(self.settings.limits)
        if http.url not in self._checked_urls:
            check_url(http.url, request.model)  # a file:// or broken URL is bad input, not retryable
            _remember(self._checked_urls, http.url, None)
        watch = current_watch()
        if watch is not None:
            watch.routed(call, self._safe_base(call))
        if self.logger.enabled("DEBUG"):
            self.logger.log(
                "DEBUG", "llmport request", provider=call.provider, model=call.model,
                url=http.safe_url, stream=request.stream,
            )  # fmt: skip
            self._log_provider_specific(call)
        return codec, call, http

    def _watch(self, request: CompletionRequest, call_type: str) -> CallWatch | None:
        return CallWatch.open(
            request, self.observers, self.logger, self.clock, self.costing.price, call_type=call_type
        )

    def _route(self, model: str, custom_llm_provider: str | None) -> tuple[Host, str]:
        key = (model, custom_llm_provider)
        route = self._routes.get(key)
        if route is None:
            route = resolve_host(model, custom_llm_provider, self.registry)
            _remember(self._routes, key, route)
        return route

    def _chain(self, request: CompletionRequest) -> FallbackChain:
        """Build the call's fallback chain, every entry checked before any network call."""
        deadline = Deadline(self.clock, request.options.deadline)
        return FallbackChain(request, fallback_candidates(request, self._route), deadline, self.logger)

    def _attempts(self, call: ProviderCall, deadline: Deadline) -> Attempts:
        retries = call.request.options.num_retries
        policy = RetryPolicy(self.settings.num_retries if retries is None else retries)
        return Attempts(call, policy, self.clock, self.logger, deadline)

    def _stream_checks(self, headers: Mapping[str, str], sent: HttpRequest, framing: str) -> StreamWatch:
        idle = self.settings.stream_idle_timeout
        if idle is None:
            idle = math.inf if sent.timeout.read is None else sent.timeout.read
        return StreamWatch(headers, sent.limits.max_event_bytes, idle, self.clock, framing)

    def _stream_result(
        self, call: ProviderCall, stream: CompletionStream, *, cache_hit: bool = False
    ) -> CompletionStream:
        stream._hidden_params.update(
            {
                "custom_llm_provider": call.provider,
                "api_base": self._safe_base(call),
                "cache_hit": cache_hit,
            }
        )
        return stream

    def _finish(
        self,
        codec: ProviderCodec,
        call: ProviderCall,
        response: HttpResponse,
        started: float,
        *,
        cache_hit: bool = False,
    ) -> ModelResponse:
        latency_ms = (self.clock.monotonic() - started) * 1000
        self._log_response(call, response.status_code, latency_ms)
        result = codec.parse_response(response, call)
        attach_parsed(result, call.request.options.response_model)
        secrets = call.secrets
        # Set in place: pydantic's __setattr__ checks cost more than the two assignments.
        private = result.__pydantic_private__ or {}
        private["_response_headers"] = redact_headers(response.headers, secrets)
        hidden = self.costing.hidden_params(call, result, private.get("_hidden_params"))  # priced when read
        hidden.update(
            {
                "custom_llm_provider": call.provider,
                "api_base": self._safe_base(call),
                "response_ms": latency_ms,
                "cache_hit": cache_hit,
            }
        )
        private["_hidden_params"] = hidden
        result.__pydantic_private__ = private
        return result

    def _safe_base(self, call: ProviderCall) -> str:
        """Return the call's base URL with its secrets scrubbed (remembered per base and secrets)."""
        key = (call.api_base, call.secrets)
        safe = self._safe_bases.get(key)
        if safe is None:
            safe = redact(call.api_base, key[1])
            _remember(self._safe_bases, key, safe)
        return safe

    def _log_provider_specific(self, call: ProviderCall) -> None:
        # Keywords neither litellm's nor OpenAI's go to the provider as given, as litellm sends them.
        extras = provider_specific(call.request.params)
        if extras:
            self.logger.log(
                "DEBUG", "llmport provider-specific params forwarded", provider=call.provider, params=extras
            )

    def _log_response(self, call: ProviderCall, status: int, latency_ms: float | None) -> None:
        if self.logger.enabled("DEBUG"):
            self.logger.log(
                "DEBUG", "llmport response", provider=call.provider, status=status, latency_ms=latency_ms
            )


def _remember(memo: dict[K, V], key: K, value: V) -> None:
    """Store ``value`` in a per-client memo, starting it afresh when it is full (bounded memory)."""
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = value

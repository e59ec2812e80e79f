"""Watching one call: its record, the events observers receive, and the one log line it leaves.

``CallWatch.open`` returns None when nobody listens (no observer wants the call and the logger
is silent), so an unobserved call pays nothing, streams included. Otherwise the watch is the
current one for the call's context (``current_watch``), so retries report their attempts
without threading it through every signature, and it closes exactly once: after a response,
after the error that ends the call (retries and fallbacks done), or, for a stream, after the
last chunk, the error that ends it, or the caller's ``close()``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator, Sequence
from contextlib import suppress
from contextvars import ContextVar
from functools import partial
from typing import Any

from ...ports.clock import Clock
from ...ports.codec import ProviderCall
from ...ports.logger import Logger, LogLevel
from ...ports.observer import CallObserver
from ..models.builder import stream_chunk_builder
from ..models.errors import APIError
from ..models.observation import CallRecord
from ..models.redaction import redact, redact_value, url_secrets
from ..models.request import CompletionRequest
from ..models.response import ModelResponse, Usage
from ..models.stream import CompletionStream, ModelResponseStream

Price = Callable[[str | None, tuple[str, ...], Usage], float | None]

_current: ContextVar[CallWatch | None] = ContextVar("llmport_call_watch", default=None)
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-goog-request-id")


def current_watch() -> CallWatch | None:
    """Return the watch of the call running in this context, if it is watched."""
    return _current.get()


class CallWatch:
    """Collects one call's record and reports it to observers and the logger, exactly once.

    Args:
        record: The call's record.
        observers: The observers that want this call.
        logger: Receives the call's log line (INFO, WARNING or ERROR) and DEBUG attempt events.
        clock: Times the call.
        price: Prices usage when a stream reports it.
    """

    def __init__(
        self,
        record: CallRecord,
        observers: Sequence[CallObserver],
        logger: Logger,
        clock: Clock,
        price: Price,
    ) -> None:
        self.record = record
        self.observers = observers
        self.logger = logger
        self.clock = clock
        self.price = price
        self._closed = False
        self._chunks: list[ModelResponseStream] | None = [] if observers else None
        self._token: Any = None

    @classmethod
    def open(
        cls,
        request: CompletionRequest,
        observers: Sequence[CallObserver],
        logger: Logger,
        clock: Clock,
        price: Price,
        *,
        call_type: str = "completion",
    ) -> CallWatch | None:
        """Start watching ``request``; None when no observer wants it and the logger is silent."""
        wanted = [observer for observer in observers if _safe_active(observer, request)]
        if not wanted and not logger.enabled("WARNING"):
            return None  # an unobserved call pays for these checks, nothing more
        options = request.options
        record = CallRecord(
            model=request.model, messages=request.messages, params=request.params,
            metadata=options.metadata, stream=request.stream, start_time=clock.time(),
            started=clock.monotonic(), callbacks=options.callbacks, call_type=call_type,
            secrets=_request_secrets(request),
        )  # fmt: skip
        watch = cls(record, wanted, logger, clock, price)
        watch._token = _current.set(watch)
        return watch

    def detach(self) -> None:
        """Stop being the context's current watch (the call returned, or its stream opened)."""
        token, self._token = self._token, None
        if token is not None:
            # Closed from another context (a stream read elsewhere): there is nothing to undo.
            with suppress(ValueError):
                _current.reset(token)

    # -- events from the dispatcher ---------------------------------------------------------

    def started(self) -> None:
        """Tell observers the call starts (sync path)."""
        for observer in self.observers:
            self._guard(partial(observer.started, self.record), "started")

    async def astarted(self) -> None:
        """Tell observers the call starts (async path)."""
        for observer in self.observers:
            await self._aguard(observer.astarted, "started")

    def routed(self, call: ProviderCall, api_base: str | None) -> None:
        """Record that a candidate (the primary, then each fallback) was routed to its provider."""
        record = self.record
        if record.provider is not None:
            record.fallbacks_tried += 1
        record.provider = call.provider
        record.api_base = api_base
        record.secrets = tuple(dict.fromkeys((*record.secrets, *call.secrets)))

    def attempted(self, error: APIError | None, started: float) -> None:
        """One HTTP attempt ended (``error`` None: it succeeded)."""
        record = self.record
        record.attempts += 1
        record.attempt_ended_at = self.clock.time()
        latency_ms = (self.clock.monotonic() - started) * 1000
        if self.logger.enabled("DEBUG"):
            self.logger.log(
                "DEBUG", f"llmport attempt provider={record.provider} model={record.model} "
                f"attempt={record.attempts} status={_outcome(error)} latency_ms={latency_ms:.0f}",
                provider=record.provider, model=record.model, attempt=record.attempts,
                status=_outcome(error), status_code=None if error is None else error.status_code,
                latency_ms=round(latency_ms, 1),
            )  # fmt: skip
        for observer in self.observers:
            self._guard(partial(observer.attempted, record, record.attempts, error, latency_ms), "attempt")

    def succeeded(self, response: ModelResponse) -> None:
        """Report the call's answer (sync path)."""
        self._answered(response)
        self.close(None)

    async def asucceeded(self, response: ModelResponse) -> None:
        """Report the call's answer (async path)."""
        self._answered(response)
        await self.aclose(None)

    def watch_stream(self, stream: CompletionStream) -> CompletionStream:
        """Report the call when ``stream`` ends, fails or is closed, instead of now."""
        self.detach()
        self._hidden(stream._hidden_params)
        stream._watch(self._sync_chunks, self._async_chunks, self._closed_early, self._aclosed_early)
        return stream

    def _closed_early(self) -> None:
        if not self._closed:
            self.record.stopped_early = True
            self.close(None)

    async def _aclosed_early(self) -> None:
        if not self._closed:
            self.record.stopped_early = True
            await self.aclose(None)

    # -- closing ----------------------------------------------------------------------------

    def close(self, error: BaseException | None) -> None:
        """Finish the record and report it (sync path); later calls do nothing."""
        if self._begin_close(error):
            for observer in self.observers:
                self._guard(partial(observer.finished, self.record), "finished")

    async def aclose(self, error: BaseException | None) -> None:
        """Finish the record and report it (async path); later calls do nothing."""
        if self._begin_close(error):
            for observer in self.observers:
                await self._aguard(observer.afinished, "finished")

    def _begin_close(self, error: BaseException | None) -> bool:
        if self._closed:
            return False
        self._closed = True
        self.detach()
        record = self.record
        record.error = error
        if isinstance(error, APIError) and record.request_id is None:
            record.request_id = error.request_id
        record.end_time = self.clock.time()
        record.latency_ms = (self.clock.monotonic() - record.started) * 1000
        if self._chunks:
            self._fold_chunks(self._chunks)
        self._log_line()
        return True

    # -- internals --------------------------------------------------------------------------

    def _answered(self, response: ModelResponse) -> None:
        record = self.record
        record.response = response
        record.usage = response.usage
        self._hidden(response._hidden_params)
        record.request_id = _request_id(response._response_headers)

    def _hidden(self, hidden: dict[str, Any]) -> None:
        record = self.record
        record.cache_hit = bool(hidden.get("cache_hit"))
        record.response_cost = hidden.get("response_cost", record.response_cost)
        record.fallbacks_tried = int(hidden.get("attempted_fallbacks", record.fallbacks_tried))

    def _chunk(self, chunk: ModelResponseStream) -> None:
        record = self.record
        if record.completion_start_time is None:
            record.completion_start_time = self.clock.time()
            record.ttft_ms = (self.clock.monotonic() - record.started) * 1000
        if chunk.usage is not None:
            record.usage = chunk.usage
            hidden = chunk.__dict__.get("_hidden_params")
            if hidden is not None:
                record.response_cost = hidden.get("response_cost")
        if self._chunks is not None:
            self._chunks.append(chunk)

    def _fold_chunks(self, chunks: list[ModelResponseStream]) -> None:
        record = self.record
        try:
            record.response = stream_chunk_builder(chunks)
        except Exception as error:  # a report must never fail the call
            self._warn("stream fold", error)
        if record.usage is not None and record.response_cost is None:
            record.response_cost = self.price(record.provider, (record.model,), record.usage)

    def _sync_chunks(
        self, chunks: Iterator[ModelResponseStream]
    ) -> Generator[ModelResponseStream, None, None]:
        try:
            for chunk in chunks:
                self._chunk(chunk)
                yield chunk
        except GeneratorExit:
            self.record.stopped_early = True
            self.close(None)
            raise
        except BaseException as error:
            self.close(error)
            raise
        self._price_stream()
        self.close(None)

    async def _async_chunks(
        self, chunks: AsyncIterator[ModelResponseStream]
    ) -> AsyncGenerator[ModelResponseStream, None]:
        try:
            async for chunk in chunks:
                self._chunk(chunk)
                yield chunk
        except GeneratorExit:
            self.record.stopped_early = True
            await self.aclose(None)
            raise
        except BaseException as error:
            await self.aclose(error)
            raise
        self._price_stream()
        await self.aclose(None)

    def _price_stream(self) -> None:
        record = self.record
        if record.usage is not None and record.response_cost is None:
            record.response_cost = self.price(record.provider, (record.model,), record.usage)

    def _log_line(self) -> None:
        record = self.record
        level = _level(record.error)
        if not self.logger.enabled(level):
            return
        usage = record.usage
        fields: dict[str, object] = {
            "provider": record.provider, "model": record.model, "status": _outcome(record.error),
            "latency_ms": _ms(record.latency_ms), "ttft_ms": _ms(record.ttft_ms),
            "prompt_tokens": usage.prompt_tokens if usage else None,
            "completion_tokens": usage.completion_tokens if usage else None,
            "cost": record.response_cost, "cache_hit": record.cache_hit, "attempts": record.attempts,
            "request_id": record.request_id,
        }  # fmt: skip
        shown = {**fields, "cost": _usd(record.response_cost)}
        text = " ".join(f"{name}={value}" for name, value in shown.items())
        error = record.error
        if isinstance(error, APIError):
            fields["status_code"] = error.status_code
            text += f" status_code={error.status_code}"
        fields.update(_metadata_fields(record.metadata, fields, record.secrets))
        self.logger.log(level, f"llmport call {redact(text, record.secrets)}", **fields)

    def _guard(self, action: Callable[[], object], what: str) -> None:
        try:
            action()
        except Exception as error:  # an observer must never break the call
            self._warn(what, error)

    async def _aguard(self, action: Callable[[CallRecord], Any], what: str) -> None:
        try:
            await action(self.record)
        except Exception as error:  # an observer must never break the call
            self._warn(what, error)

    def _warn(self, what: str, error: Exception) -> None:
        if self.logger.enabled("WARNING"):
            self.logger.log(
                "WARNING", f"llmport observer failed in {what}; ignored", error=type(error).__name__,
                detail=redact(str(error), self.record.secrets)[:200],
            )  # fmt: skip


def _request_secrets(request: CompletionRequest) -> tuple[str, ...]:
    """Return the secrets the caller gave, known before routing (a call can fail before it routes)."""
    options = request.options
    found = list(url_secrets(options.api_base))
    if options.api_key is not None:
        key = options.api_key.get_secret_value()
        # A key refused for a stray invisible character is still the key without it.
        found += [key, "".join(char for char in key if char.isprintable() and not char.isspace())]
    return tuple(dict.fromkeys(found))


def _safe_active(observer: CallObserver, request: CompletionRequest) -> bool:
    try:
        return observer.active(request)
    except Exception:  # an observer that cannot answer is left out, never breaks the call
        return False


def _outcome(error: BaseException | None) -> str:
    return "ok" if error is None else type(error).__name__


def _level(error: BaseException | None) -> LogLevel:
    if error is None:
        return "INFO"
    status = getattr(error, "status_code", None)
    return "ERROR" if isinstance(status, int) and status >= 500 else "WARNING"


def _usd(cost: float | None) -> str | None:
    # Fixed-point, so an operator reads 0.0000175 rather than 1.75e-05.
    return None if cost is None else f"{cost:.10f}".rstrip("0").rstrip(".") or "0"


def _ms(value: float | None) -> int | None:
    return None if value is None else round(value)


def _request_id(headers: dict[str, str]) -> str | None:
    lowered = {name.lower(): value for name, value in headers.items()}
    return next((lowered[name] for name in _REQUEST_ID_HEADERS if name in lowered), None)


def _metadata_fields(metadata: Any, taken: dict[str, object], secrets: tuple[str, ...]) -> dict[str, object]:
    if not metadata:
        return {}
    # The caller's metadata may hold anything; the call's own secrets are scrubbed here, as the
    # logger adapters only know key shapes.
    return {
        str(name): redact_value(value, secrets)
        for name, value in dict(metadata).items()
        if str(name) not in taken
    }

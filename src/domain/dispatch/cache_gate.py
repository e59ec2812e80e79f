"""The dispatcher's door to the response cache: key, read, write, replay; never a failed call.

Every cache failure (an unreachable store, an unreadable entry, a salt that cannot be fetched)
becomes a miss with one WARNING, so a cache can only make a call faster, never break it.
"""

from __future__ import annotations

from collections.abc import Callable

from ...ports.cache import Cache, CacheUnavailableError
from ...ports.clock import Clock
from ...ports.codec import ProviderCall, ProviderCodec
from ...ports.logger import Logger
from ...ports.transport import HttpRequest, HttpResponse
from ..models.cache_control import CacheScope
from ..models.errors import APIError
from ..models.redaction import redact
from ..models.stream import ModelResponseStream
from .caching import CachePolicy, CacheUse, CorruptEntryError, decode_entry, encode_entry, wants_cache
from .stream_cache import RecordedStream, replay


class CacheGate:
    """Reads and writes one client's cache on behalf of its calls.

    Args:
        cache: The client's cache, if any.
        fallback: Builds the cache ``caching=True`` uses when the client has none.
        scope: The client's ``cache_scope``.
        logger: Where cache failures are reported.
        clock: Entry ages.
    """

    def __init__(
        self,
        cache: Cache | None,
        fallback: Callable[[], Cache] | None,
        scope: CacheScope,
        logger: Logger,
        clock: Clock,
    ) -> None:
        self.cache = cache
        self._policy = CachePolicy(fallback, scope)
        self._logger = logger
        self._clock = clock
        attach = getattr(cache, "attach_logger", None)
        if callable(attach):  # a shared cache reports its outages where the client logs
            attach(logger)

    def applies(self, call: ProviderCall) -> bool:
        """Whether ``call`` may use a cache at all: when not, no key is computed and nothing awaited."""
        return wants_cache(call.request.options.cache, self.cache)

    def use(self, codec: ProviderCodec, call: ProviderCall, http: HttpRequest) -> CacheUse | None:
        """Return the call's cache and key, or None (no cache, or its salt is unreachable)."""
        try:
            return self._policy.use(self.cache, codec, call, http)
        except CacheUnavailableError:
            return None  # the adapter has reported its outage
        except Exception as error:
            self.warn(call, "read", error)
            return None

    async def ause(self, codec: ProviderCodec, call: ProviderCall, http: HttpRequest) -> CacheUse | None:
        """Async ``use``."""
        try:
            return await self._policy.ause(self.cache, codec, call, http)
        except CacheUnavailableError:
            return None
        except Exception as error:
            self.warn(call, "read", error)
            return None

    def read(self, use: CacheUse, call: ProviderCall) -> bytes | None:
        """Return the raw entry, or None (a miss, or a broken cache)."""
        try:
            return use.cache.get(use.key)
        except Exception as error:  # a broken cache is a miss, never a failed call
            self.warn(call, "read", error)
            return None

    async def aread(self, use: CacheUse, call: ProviderCall) -> bytes | None:
        """Async ``read``."""
        try:
            return await use.cache.aget(use.key)
        except Exception as error:
            self.warn(call, "read", error)
            return None

    def write(self, use: CacheUse, codec: ProviderCodec, call: ProviderCall, response: HttpResponse) -> None:
        """Store a provider's answer (its scrubbed entry); a failure is only logged."""
        entry = encode_entry(codec, response, self._clock.time(), call.secrets)
        try:
            use.cache.set(use.key, entry, use.control.ttl)
        except Exception as error:  # the answer is already good; losing the entry is harmless
            self.warn(call, "write", error)

    async def awrite(
        self, use: CacheUse, codec: ProviderCodec, call: ProviderCall, response: HttpResponse
    ) -> None:
        """Async ``write``."""
        entry = encode_entry(codec, response, self._clock.time(), call.secrets)
        try:
            await use.cache.aset(use.key, entry, use.control.ttl)
        except Exception as error:
            self.warn(call, "write", error)

    def store_stream(
        self, use: CacheUse, codec: ProviderCodec, call: ProviderCall, body: RecordedStream
    ) -> None:
        """Store a stream that ran to its terminal event (unless it outgrew the recording)."""
        response = body.complete()
        if response is not None:
            self.write(use, codec, call, response)

    async def astore_stream(
        self, use: CacheUse, codec: ProviderCodec, call: ProviderCall, body: RecordedStream
    ) -> None:
        """Async ``store_stream``."""
        response = body.complete()
        if response is not None:
            await self.awrite(use, codec, call, response)

    def decode(
        self, raw: bytes | None, codec: ProviderCodec, call: ProviderCall, use: CacheUse
    ) -> HttpResponse | None:
        """Return the stored answer if fresh; an unreadable entry is a miss with a warning."""
        if raw is None:
            return None
        try:
            return decode_entry(raw, codec, self._clock.time(), use.control.max_age)
        except CorruptEntryError as error:
            self.warn(call, "entry", error)
            return None

    def replayed(
        self, raw: bytes | None, codec: ProviderCodec, call: ProviderCall, use: CacheUse
    ) -> list[ModelResponseStream] | None:
        """Re-parse a cached stream into its chunks; anything unreadable is a miss with a warning."""
        response = self.decode(raw, codec, call, use)
        if response is None:
            return None
        try:
            return replay(codec, call, response)
        except APIError as error:
            self.warn(call, "entry", error)
            return None

    def warn(self, call: ProviderCall, what: str, error: Exception) -> None:
        """Report a cache failure (scrubbed, bounded) at WARNING."""
        if self._logger.enabled("WARNING"):
            self._logger.log(
                "WARNING", f"llmport cache {what} failed; treated as a miss", provider=call.provider,
                error=type(error).__name__, detail=redact(str(error), call.secrets)[:200],
            )  # fmt: skip

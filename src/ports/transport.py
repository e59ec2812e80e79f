"""The transport port: send an HTTP request, or open a streamed one; sync and async.

Requests and responses are plain frozen values so codecs stay pure and fakes stay trivial.
Transports translate their own failures into ``APIConnectionError``/``Timeout`` at the edge.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..domain.models.redaction import redact
from ..domain.models.request import TimeoutConfig

MiB = 1024 * 1024
DEFAULT_MAX_RESPONSE_BYTES = 64 * MiB
DEFAULT_MAX_EVENT_BYTES = 16 * MiB


@dataclass(frozen=True, slots=True)
class ResponseLimits:
    """Bounds on what one response may make llmport hold in memory.

    Attributes:
        max_response_bytes: The most bytes a whole (non-streamed) body may take on the wire.
        max_decoded_bytes: The most bytes a whole body may take once decompressed
            (``content-encoding``); checked as decompression goes, so a gzip bomb never inflates.
        max_event_bytes: The most bytes one line or event of a streamed body may take.
    """

    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    max_decoded_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES


class AttemptBudget:
    """The wall-clock time one attempt may still take: the call's deadline, seen by a transport.

    Per-read timeouts restart on every byte; this does not. A transport caps each socket wait
    at ``remaining()`` and gives up once it is spent. A stream's budget is ``lift``-ed once its
    first chunk is parsed: from then on only its read timeout governs it.

    Args:
        seconds: The time the attempt may take from now.
        now: A monotonic clock in seconds (the dispatcher's clock port).
    """

    __slots__ = ("_ends", "_now", "seconds")

    def __init__(self, seconds: float, now: Callable[[], float]) -> None:
        self.seconds = seconds
        self._now = now
        self._ends: float | None = now() + seconds

    def __repr__(self) -> str:
        return f"AttemptBudget(seconds={self.seconds:g}, lifted={self._ends is None})"

    def remaining(self) -> float:
        """Seconds left (``math.inf`` once lifted; zero or less once spent)."""
        return math.inf if self._ends is None else self._ends - self._now()

    @property
    def spent(self) -> bool:
        """Whether the attempt's time is up."""
        return self.remaining() <= 0

    def cap(self, timeout: float | None) -> float | None:
        """Return ``timeout`` shortened to the time left (at least a millisecond, so it fires)."""
        left = self.remaining()
        if left == math.inf:
            return timeout
        left = max(left, 0.001)
        return left if timeout is None else min(timeout, left)

    def lift(self) -> None:
        """Stop bounding the attempt (a stream whose first chunk has arrived)."""
        self._ends = None


# Immutable values: one shared default each, instead of one built per request.
_DEFAULT_TIMEOUT = TimeoutConfig()
_DEFAULT_LIMITS = ResponseLimits()


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request ready to send.

    Attributes:
        method: ``"POST"``, ``"GET"``...
        url: The full URL (may carry a key in the query for some providers; never logged as is).
        headers: Header names in lower case.
        body: The encoded body.
        timeout: Per-attempt timeouts.
        secrets: The secret values this request carries, for scrubbing anything derived from it.
        limits: Bounds on the size of the answer.
        budget: The wall-clock time the attempt may take, when the call has a deadline.
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    timeout: TimeoutConfig = _DEFAULT_TIMEOUT
    secrets: tuple[str, ...] = field(default=(), repr=False)
    limits: ResponseLimits = field(default=_DEFAULT_LIMITS, repr=False)
    budget: AttemptBudget | None = field(default=None, repr=False, compare=False)

    def json(self) -> Any:
        """Return the body parsed as JSON."""
        return json.loads(self.body)

    @property
    def safe_url(self) -> str:
        """The URL with secrets removed."""
        return redact(self.url, self.secrets)

    def with_limits(self, limits: ResponseLimits) -> HttpRequest:
        """Return this request bounded by ``limits`` (a direct copy: ``replace`` costs more)."""
        return HttpRequest(
            self.method, self.url, self.headers, self.body, self.timeout, self.secrets, limits, self.budget
        )

    def with_headers(self, headers: Mapping[str, str], secrets: tuple[str, ...]) -> HttpRequest:
        """Return this request with other ``headers`` and ``secrets``: a direct copy, as ``with_limits``."""
        return HttpRequest(
            self.method, self.url, headers, self.body, self.timeout, secrets, self.limits, self.budget
        )

    def __repr__(self) -> str:
        return f"HttpRequest({self.method} {self.safe_url}, {len(self.body)} bytes)"


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A complete HTTP response. ``chunks``, when set, is how a fake streams the body in pieces."""

    status_code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    chunks: tuple[bytes, ...] | None = None

    def __post_init__(self) -> None:
        lowered = {name.lower(): value for name, value in self.headers.items()}
        object.__setattr__(self, "headers", lowered)
        if self.chunks is not None and not self.content:
            object.__setattr__(self, "content", b"".join(self.chunks))

    def json(self) -> Any:
        """Return the body parsed as JSON."""
        return json.loads(self.content)

    def __repr__(self) -> str:
        # Never the body nor header values: a provider may echo the key in either.
        return f"HttpResponse({self.status_code}, headers={sorted(self.headers)}, {len(self.content)} bytes)"

    @classmethod
    def from_json(
        cls, data: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
    ) -> HttpResponse:
        """Build a JSON response."""
        return cls(
            status_code, {"content-type": "application/json", **(headers or {})}, json.dumps(data).encode()
        )

    @classmethod
    def from_sse(
        cls,
        events: Iterable[Any],
        *,
        done: bool = True,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """Build a server-sent-events response (kept for compatibility: ``llmport.testing.from_sse``)."""
        from ..testing.responses import from_sse  # test builders live with the test doubles

        return from_sse(events, done=done, status_code=status_code, headers=headers)


class StreamingResponse(Protocol):
    """An HTTP response whose body is read incrementally."""

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        ...

    @property
    def headers(self) -> Mapping[str, str]:
        """Headers with lower-case names."""
        ...

    def iter_bytes(self) -> Iterator[bytes]:
        """Yield the body as it arrives."""
        ...

    def read(self) -> bytes:
        """Read the whole (remaining) body."""
        ...


class AsyncStreamingResponse(Protocol):
    """Async counterpart of ``StreamingResponse``."""

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        ...

    @property
    def headers(self) -> Mapping[str, str]:
        """Headers with lower-case names."""
        ...

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        """Yield the body as it arrives."""
        ...

    async def aread(self) -> bytes:
        """Read the whole (remaining) body."""
        ...


@runtime_checkable
class Transport(Protocol):
    """Sends HTTP requests. Implementations: ``HttpxTransport``, ``FakeTransport``."""

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send a request and read the whole response."""
        ...

    def stream(self, request: HttpRequest) -> AbstractContextManager[StreamingResponse]:
        """Send a request and return its response for incremental reading."""
        ...

    async def asend(self, request: HttpRequest) -> HttpResponse:
        """Async ``send``."""
        ...

    def astream(self, request: HttpRequest) -> AbstractAsyncContextManager[AsyncStreamingResponse]:
        """Async ``stream``."""
        ...

    def close(self) -> None:
        """Release sync connections."""
        ...

    async def aclose(self) -> None:
        """Release async connections."""
        ...

"""``FakeTransport``: a plain function as the provider, and a record of every request sent.

This is how to test code that calls llmport, with no server and no patching::

    from llmport import Client
    from llmport.testing import FakeTransport, HttpResponse

    def provider(request):
        assert request.json()["model"] == "gpt-4o"
        return HttpResponse.from_json({"choices": [{"message": {"content": "hi"}}]})

    fake = FakeTransport(provider)
    client = Client(transport=fake, api_key="test")
    reply = client.completion("gpt-4o", [{"role": "user", "content": "hey"}])
    assert reply.choices[0].message.content == "hi"
    assert len(fake.requests) == 1

The handler may be sync or async, may raise llmport errors (``APIConnectionError``, ``Timeout``)
to simulate network failures, and may return a ``FakeStream`` to cut a stream short. Instead of
an ``HttpResponse`` it may return a plain ``str``, a ``ModelResponse`` or a list of
``ModelResponseStream`` chunks: the fake then answers in the request's own wire format (OpenAI,
Anthropic, Gemini, Bedrock Converse, Responses, Ollama or Cohere, told by the endpoint), streamed
when the request asks for a stream. The reply builders in ``llmport.testing`` (``openai_reply``,
``gemini_stream``, ``bedrock_reply``...) make any other answer without writing wire JSON.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

from ...domain.models.response import ModelResponse
from ...domain.models.stream import ModelResponseStream
from ...ports.transport import HttpRequest, HttpResponse
from .fake_formats import as_answer


@dataclass(frozen=True)
class FakeStream:
    """A streamed answer whose parts may include an exception, raised when the reader reaches it."""

    status_code: int = 200
    headers: Mapping[str, str] = field(default_factory=lambda: {"content-type": "text/event-stream"})
    parts: tuple[bytes | BaseException, ...] = ()


FakeAnswer = HttpResponse | FakeStream
HandlerResult = FakeAnswer | ModelResponse | str | Sequence[ModelResponseStream]
Handler = Callable[[HttpRequest], HandlerResult | Awaitable[HandlerResult]]
_ALLOWED = (
    "an HttpResponse (e.g. from llmport.testing.openai_reply(...) or gemini_stream(...)), "
    "a FakeStream, a ModelResponse, a list of ModelResponseStream chunks or a str"
)


class FakeTransport:
    """A transport whose answers come from ``handler`` (or a fixed list of ``responses``).

    Args:
        handler: Called with each ``HttpRequest``; returns an ``HttpResponse``, a ``FakeStream``,
            a ``ModelResponse``, a list of ``ModelResponseStream`` chunks or a ``str``.
        responses: Answers returned in order instead of a handler (the last one repeats).

    Attributes:
        requests: Every request sent, in order.
    """

    def __init__(self, handler: Handler | None = None, *, responses: Iterable[HandlerResult] = ()) -> None:
        queued = list(responses)
        if handler is None and not queued:
            raise ValueError("FakeTransport needs a handler or at least one response")
        self._handler = handler
        self._queued = queued
        self._lock = threading.Lock()
        self.requests: list[HttpRequest] = []
        self.closed = False

    def __repr__(self) -> str:
        return f"FakeTransport(requests={len(self.requests)})"

    @property
    def last_request(self) -> HttpRequest:
        """The most recent request (raises ``IndexError`` when none was sent)."""
        return self.requests[-1]

    def send(self, request: HttpRequest) -> HttpResponse:
        """Answer with the handler's response, read whole."""
        return _complete(self._answer_sync(request))

    @contextmanager
    def stream(self, request: HttpRequest) -> Iterator[_FakeStreaming]:
        """Answer with the handler's response, for incremental reading."""
        yield _FakeStreaming(self._answer_sync(request))

    async def asend(self, request: HttpRequest) -> HttpResponse:
        """Async ``send``."""
        return _complete(await self._answer_async(request))

    @asynccontextmanager
    async def astream(self, request: HttpRequest) -> AsyncIterator[_FakeStreaming]:
        """Async ``stream``."""
        yield _FakeStreaming(await self._answer_async(request))

    def close(self) -> None:
        """Mark the transport closed (for tests of resource handling)."""
        self.closed = True

    async def aclose(self) -> None:
        """Async ``close``."""
        self.closed = True

    def _answer_sync(self, request: HttpRequest) -> FakeAnswer:
        answer = self._call(request)
        if inspect.isawaitable(answer):
            answer.close()  # type: ignore[attr-defined]
            raise TypeError("an async FakeTransport handler can only serve acompletion()")
        return _checked(answer, request)

    async def _answer_async(self, request: HttpRequest) -> FakeAnswer:
        answer = self._call(request)
        return _checked(await answer if inspect.isawaitable(answer) else answer, request)

    def _call(self, request: HttpRequest) -> HandlerResult | Awaitable[HandlerResult]:
        with self._lock:
            self.requests.append(request)
            if self._handler is None:
                return self._queued.pop(0) if len(self._queued) > 1 else self._queued[0]
        return self._handler(request)


def _checked(result: object, request: HttpRequest) -> FakeAnswer:
    answer = as_answer(result, request)
    if not isinstance(answer, HttpResponse | FakeStream):
        raise TypeError(f"a FakeTransport handler must return {_ALLOWED}, not {type(result).__name__}")
    return answer


def _complete(answer: FakeAnswer) -> HttpResponse:
    if isinstance(answer, HttpResponse):
        return answer
    for part in answer.parts:
        if isinstance(part, BaseException):
            raise part
    return HttpResponse(answer.status_code, answer.headers, b"".join(answer.parts))  # type: ignore[arg-type]


class _FakeStreaming:
    """A fake answer read incrementally, sync or async."""

    def __init__(self, answer: FakeAnswer) -> None:
        self.status_code = answer.status_code
        self.headers = {name.lower(): value for name, value in answer.headers.items()}
        if isinstance(answer, FakeStream):
            self._parts: tuple[bytes | BaseException, ...] = answer.parts
        else:
            self._parts = answer.chunks if answer.chunks is not None else (answer.content,)

    def iter_bytes(self) -> Iterator[bytes]:
        for part in self._parts:
            if isinstance(part, BaseException):
                raise part
            yield part

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        for part in self.iter_bytes():
            yield part

    async def aread(self) -> bytes:
        return self.read()

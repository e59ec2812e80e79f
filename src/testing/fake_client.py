"""``fake_client(fn)``: a ``Client`` whose every call is answered by a plain function.

The function sees the checked request (``model`` as the caller named it, OpenAI-format
``messages``, ``params``, ``stream``, ``options``) and returns the answer's text, a
``ModelResponse``, a list of ``ModelResponseStream`` chunks or a list of text pieces; it may
raise an llmport error (``llmport.RateLimitError(...)``) to play a provider failure. Every call
goes through the real dispatch: routing, the host rows' parameter rules, retries, streaming,
fallbacks, caching and callbacks. Only the wire is replaced, by OpenAI's format for every
provider, so a test needs to know no wire format (pydantic-ai calls this a ``FunctionModel``);
a wire format's own mapping (Anthropic's refusal of ``presence_penalty``) is therefore not
applied: test that against ``FakeTransport`` and the reply builders::

    client = fake_client(lambda request: f"echo: {request.messages[-1]['content']}")
    reply = client.completion("gpt-4o", [{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == "echo: hi"
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..adapters.providers.openai import OpenAICodec
from ..adapters.providers.registry import ProviderRegistry
from ..adapters.transport.fake import FakeTransport
from ..adapters.transport.fake_formats import openai_answer
from ..app.client import Client
from ..domain.models.request import CompletionRequest
from ..ports.auth import Auth, AuthScheme
from ..ports.codec import CodecRegistry, ProviderCall
from ..ports.transport import HttpRequest, HttpResponse

ReplyFunction = Callable[[CompletionRequest], Any]
_REMEMBERED = 1024  # requests in flight whose wire body maps back to the checked request


class _FunctionCodec(OpenAICodec):
    """The OpenAI codec, remembering which checked request each wire body came from."""

    def __init__(self) -> None:
        super().__init__()
        self._requests: OrderedDict[bytes, CompletionRequest] = OrderedDict()
        self._lock = threading.Lock()

    def build_request(self, call: ProviderCall) -> HttpRequest:
        http = super().build_request(call)
        with self._lock:
            self._requests[http.body] = call.request
            self._requests.move_to_end(http.body)
            while len(self._requests) > _REMEMBERED:
                self._requests.popitem(last=False)
        return http

    def request_for(self, http: HttpRequest) -> CompletionRequest:
        with self._lock:
            return self._requests[http.body]


class _FunctionRegistry:
    """Every built-in host and route, every wire format replaced by ``_FunctionCodec``."""

    def __init__(self, base: CodecRegistry, codec: _FunctionCodec) -> None:
        self._base = base
        self._codec = codec

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)  # whatever else the dispatcher asks of a registry

    def host(self, prefix: str) -> Any:
        return self._base.host(prefix)

    def host_for_bare_model(self, model: str) -> Any:
        return self._base.host_for_bare_model(model)

    def codec(self, name: str) -> _FunctionCodec:  # noqa: ARG002 - every format speaks OpenAI's here
        return self._codec

    def auth(self, scheme: AuthScheme) -> Auth:
        return self._base.auth(scheme)


def fake_client(fn: ReplyFunction, **client_arguments: Any) -> Client:
    """Return a ``Client`` whose calls are all answered by ``fn(request)``.

    Args:
        fn: Called once per attempt with the ``CompletionRequest``; returns a ``str``, a
            ``ModelResponse``, a list of chunks or a list of text pieces, or raises an llmport error.
        **client_arguments: More ``Client(...)`` arguments (``num_retries``, ``logger``, ``cache``...).
            ``api_key`` defaults to a placeholder so no environment variable is needed.
    """
    codec = _FunctionCodec()

    def answer(http: HttpRequest) -> HttpResponse:
        request = codec.request_for(http)
        return openai_answer(fn(request), stream=request.stream)

    client_arguments.setdefault("api_key", "fake-key")
    registry = _FunctionRegistry(client_arguments.pop("registry", None) or ProviderRegistry(), codec)
    return Client(transport=FakeTransport(answer), registry=registry, **client_arguments)

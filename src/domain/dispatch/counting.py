"""Exact token counts from a provider's own count endpoint (Anthropic ``count_tokens``...).

A codec that speaks such an endpoint has two optional methods, ``build_count_request(call)``
and ``parse_count_response(response, call) -> int``; the Gemini codec can add its
``countTokens`` the same way. The request goes through the same routing, credentials, retries
and error mapping as a completion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...ports.transport import HttpRequest
from ..models.errors import unsupported
from ..models.request import CompletionRequest
from . import authorize
from .attempts import Attempts
from .deadline import Deadline
from .params import select_params
from .retry import RetryPolicy
from .routing import provider_call

if TYPE_CHECKING:
    from .use_case import Dispatcher


def provider_count(dispatcher: Dispatcher, request: CompletionRequest) -> int:
    """Ask the provider how many input tokens ``request`` has.

    Raises:
        UnsupportedParamsError: when the provider's codec has no count endpoint.
        APIError: the provider's failure, as for a completion.
    """
    host, model = dispatcher._route(request.model, request.options.custom_llm_provider)
    codec = dispatcher.registry.codec(host.codec)
    build = getattr(codec, "build_count_request", None)
    parse = getattr(codec, "parse_count_response", None)
    if build is None or parse is None:
        raise unsupported(
            f"exact token counts need a provider count endpoint, and llmport speaks none for {host.prefix}; "
            "leave exact=False for an estimate",
            param="exact",
            provider=host.prefix,
            model=request.model,
        )
    call = provider_call(request, host, model, dispatcher.credentials, dispatcher.settings)
    auth = dispatcher.registry.auth(host.auth)
    auth.check(call)  # a missing required key fails before any I/O
    call = call.with_params(select_params(call, getattr(codec, "unsupported_params", ())))
    retries = request.options.num_retries
    policy = RetryPolicy(dispatcher.settings.num_retries if retries is None else retries)
    attempts = Attempts(call, policy, dispatcher.clock, dispatcher.logger, Deadline(dispatcher.clock, None))

    def send(http: HttpRequest) -> int:
        response, authed = authorize.send(dispatcher.transport, auth, call, http)
        if response.status_code >= 400:
            raise codec.map_error(response.status_code, response.headers, response.content, authed)
        count: int = parse(response, authed)
        return count

    return attempts.run(build(call), send)

"""The auth step of one attempt: credentials on the request just before it is sent.

Runs inside the attempt, after the cache key and the deadline cap, so a retry re-signs or
re-reads a refreshed token. A 401 answer is sent once more when the auth says it refreshed.
The secrets the auth put in play join the request's and the call's, so a token that was never
in ``call.secrets`` is still scrubbed from errors, logs and reprs.
"""

from __future__ import annotations

from contextlib import AsyncExitStack, ExitStack
from dataclasses import replace

from ...ports.auth import Auth, Authorized
from ...ports.codec import ProviderCall
from ...ports.transport import AsyncStreamingResponse, HttpRequest, HttpResponse, StreamingResponse, Transport

UNAUTHORIZED = 401


def with_secrets(call: ProviderCall, authorized: Authorized) -> tuple[ProviderCall, HttpRequest]:
    """Return ``call`` and the request to send, both carrying the secrets ``authorized`` put in play."""
    request = authorized.request
    if not authorized.secrets:
        return call, request
    known = call.secrets
    new = tuple(s for s in authorized.secrets if s and s not in known)
    if not new:
        return call, request
    if any(s not in request.secrets for s in new):
        request = replace(request, secrets=(*request.secrets, *new))
    return call.with_secrets(new), request


def send(
    transport: Transport, auth: Auth, call: ProviderCall, http: HttpRequest
) -> tuple[HttpResponse, ProviderCall]:
    """Send ``http`` with credentials (once more after a refreshed 401); return the answer and the call."""
    call_now, request = with_secrets(call, auth.apply(http, call))
    response = transport.send(request)
    if response.status_code == UNAUTHORIZED and auth.refresh(call):
        call_now, request = with_secrets(call, auth.apply(http, call))
        response = transport.send(request)
    return response, call_now


async def asend(
    transport: Transport, auth: Auth, call: ProviderCall, http: HttpRequest
) -> tuple[HttpResponse, ProviderCall]:
    """Async ``send``."""
    call_now, request = with_secrets(call, await auth.aapply(http, call))
    response = await transport.asend(request)
    if response.status_code == UNAUTHORIZED and await auth.arefresh(call):
        call_now, request = with_secrets(call, await auth.aapply(http, call))
        response = await transport.asend(request)
    return response, call_now


def open_stream(
    transport: Transport, auth: Auth, call: ProviderCall, http: HttpRequest, resources: ExitStack
) -> tuple[StreamingResponse, ProviderCall]:
    """Open a streamed ``http`` with credentials, its response held by ``resources``."""
    call_now, request = with_secrets(call, auth.apply(http, call))
    response = resources.enter_context(transport.stream(request))
    if response.status_code == UNAUTHORIZED and auth.refresh(call):
        resources.close()  # release the refused answer's connection before sending again
        call_now, request = with_secrets(call, auth.apply(http, call))
        response = resources.enter_context(transport.stream(request))
    return response, call_now


async def aopen_stream(
    transport: Transport, auth: Auth, call: ProviderCall, http: HttpRequest, resources: AsyncExitStack
) -> tuple[AsyncStreamingResponse, ProviderCall]:
    """Async ``open_stream``."""
    call_now, request = with_secrets(call, await auth.aapply(http, call))
    response = await resources.enter_async_context(transport.astream(request))
    if response.status_code == UNAUTHORIZED and await auth.arefresh(call):
        await resources.aclose()
        call_now, request = with_secrets(call, await auth.aapply(http, call))
        response = await resources.enter_async_context(transport.astream(request))
    return response, call_now

"""The fault matrix's fallback rows: a chain across providers, each speaking its own recorded protocol.

The primary speaks ``wire`` on one fault server; its fallback speaks the other codec's protocol
on a second one. Asserted: requests each server saw, time slept on the fake clock, which model
answered, and the errors that must not fall back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from llmport import AuthenticationError, ContextWindowExceededError, RateLimitError, ServiceUnavailableError

from .conftest import Caller
from .fault_server import FaultServer, Reply, Stream
from .wire import PROTOCOLS, SECRET_KEY, WireProtocol

BODY_OR_STREAM = pytest.mark.parametrize("stream", [False, True], ids=["body", "stream"])
# Two backoffs (0.5 s and 1 s, each scaled down by up to 25 % of jitter) before the primary gives up.
TWO_BACKOFFS = (0.375 + 0.75, 0.5 + 1.0)


def other(wire: WireProtocol) -> WireProtocol:
    """The protocol of a different codec, so every chain crosses providers."""
    return next(protocol for protocol in PROTOCOLS if protocol.name != wire.name)


@pytest.fixture
def backup() -> Iterator[FaultServer]:
    """The fallback's own fault server."""
    with FaultServer() as srv:
        yield srv
        assert srv.pending == 0, f"{srv.pending} scripted action(s) were never requested"


def entry(wire: WireProtocol, server: FaultServer) -> dict[str, Any]:
    """A fallback entry pointing at ``server`` with the codec of ``wire``."""
    return {"model": wire.model, "api_base": wire.api_base(server.root_url), "api_key": SECRET_KEY}


def success(wire: WireProtocol, *, stream: bool) -> Reply | Stream:
    return Stream(wire.stream) if stream else Reply(200, wire.success_body)


@BODY_OR_STREAM
def test_retries_exhausted_then_the_other_provider_answers(
    caller: Caller, server: FaultServer, backup: FaultServer, wire: WireProtocol, stream: bool
) -> None:
    fallback = other(wire)
    server.queue(*[Reply(503, wire.error_body(503))] * 3)
    backup.queue(success(fallback, stream=stream))

    response = caller.call(stream=stream, fallbacks=[entry(fallback, backup)])

    assert len(server.requests) == 3  # the first attempt and num_retries=2
    assert len(backup.requests) == 1
    assert backup.requests[0].path == fallback.path
    assert TWO_BACKOFFS[0] <= caller.slept <= TWO_BACKOFFS[1]
    text = fallback.stream_text if stream else fallback.success_text
    assert response.choices[0].message.content == text


def test_the_response_names_the_model_that_answered(
    caller: Caller, server: FaultServer, backup: FaultServer, wire: WireProtocol
) -> None:
    fallback = other(wire)
    server.queue(Reply(429, wire.error_body(429)))
    backup.queue(success(fallback, stream=False))

    response = caller.complete(num_retries=0, fallbacks=[entry(fallback, backup)])

    assert response._hidden_params["model"] == fallback.model
    assert response._hidden_params["attempted_fallbacks"] == 1
    assert response._hidden_params["custom_llm_provider"] == fallback.name


def test_a_context_window_error_goes_to_context_window_fallbacks_without_retrying(
    caller: Caller, server: FaultServer, backup: FaultServer, wire: WireProtocol
) -> None:
    fallback = other(wire)
    server.queue(Reply(400, wire.context_window_body))
    backup.queue(success(fallback, stream=False))

    response = caller.complete(context_window_fallbacks=[entry(fallback, backup)])

    assert len(server.requests) == 1
    assert caller.slept == 0
    assert response._hidden_params["model"] == fallback.model


def test_a_context_window_error_without_fallbacks_is_raised(
    caller: Caller, server: FaultServer, wire: WireProtocol
) -> None:
    server.queue(Reply(400, wire.context_window_body))

    with pytest.raises(ContextWindowExceededError) as caught:
        caller.complete()

    assert caught.value.status_code == 400
    assert caught.value.llm_provider == wire.name


def test_an_authentication_error_never_falls_back(
    caller: Caller, server: FaultServer, backup: FaultServer, wire: WireProtocol
) -> None:
    server.queue(*[Reply(401, wire.error_body(401))] * (1 + wire.resends_after_401))

    with pytest.raises(AuthenticationError) as caught:
        caller.complete(fallbacks=[entry(other(wire), backup)])

    assert caught.value.status_code == 401
    assert len(server.requests) == 1 + wire.resends_after_401
    assert backup.requests == []


def test_when_every_model_fails_the_last_error_is_raised_with_the_chain(
    caller: Caller, server: FaultServer, backup: FaultServer, wire: WireProtocol
) -> None:
    fallback = other(wire)
    server.queue(Reply(503, wire.error_body(503)))
    backup.queue(Reply(429, fallback.error_body(429)))

    with pytest.raises(RateLimitError) as caught:
        caller.complete(num_retries=0, fallbacks=[entry(fallback, backup)])

    assert caught.value.llm_provider == fallback.name
    assert isinstance(caught.value.__context__, ServiceUnavailableError)
    chain = "\n".join(getattr(caught.value, "__notes__", []))
    assert wire.model in chain
    assert fallback.model in chain
    assert SECRET_KEY not in chain

"""Google OAuth for Vertex: tokens from google-auth, refreshed when due, off the loop when async.

Two kinds of credentials: a ``google.auth.credentials.Credentials`` subclass that counts its
refreshes, and a real service-account JSON document (an RSA key made here) whose token URI is a
loopback token endpoint that verifies the signed grant.
"""

from __future__ import annotations

import asyncio
import datetime
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from google.auth.credentials import Credentials

import llmport
from llmport.adapters.providers.google_oauth import (
    PROJECT_PLACEHOLDER,
    GoogleCredentialsSource,
    atoken,
    authorized_request,
)
from llmport.testing import HttpRequest

from .google_token_server import TokenServer


class CountingCredentials(Credentials):  # type: ignore[misc]
    """Credentials whose refresh mints ``token-<n>`` valid for an hour, and records the thread."""

    def __init__(self, quota_project: str | None = None) -> None:
        super().__init__()
        self.refreshes = 0
        self.threads: list[int] = []
        self._quota_project_id = quota_project

    def refresh(self, request: Any) -> None:
        self.refreshes += 1
        self.threads.append(threading.get_ident())
        self.token = f"token-{self.refreshes}"
        self.expiry = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(hours=1)

    def expire(self) -> None:
        self.expiry = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(seconds=1)


def source_with(credentials: CountingCredentials, project: str | None = "p-adc") -> GoogleCredentialsSource:
    return GoogleCredentialsSource(loader=lambda source: (credentials, project), request_factory=object)


@pytest.fixture
def token_server() -> Iterator[TokenServer]:
    with TokenServer() as server:
        yield server


def test_the_token_is_fetched_once_and_reused_until_it_expires() -> None:
    credentials = CountingCredentials()
    source = source_with(credentials)
    assert source.cached_token(None) is None
    assert source.token(None).value == "token-1"
    assert source.token(None).value == "token-1"
    assert credentials.refreshes == 1
    credentials.expire()
    assert source.cached_token(None) is None
    assert source.token(None).value == "token-2"
    assert source.token(None, force=True).value == "token-3"  # after a 401


async def test_async_refresh_runs_off_the_event_loop() -> None:
    credentials = CountingCredentials()
    source = source_with(credentials)
    loop_thread = threading.get_ident()
    first = await atoken(source, None)
    assert first.value == "token-1"
    assert credentials.threads[0] != loop_thread
    assert (await atoken(source, None)).value == "token-1"  # cached: no thread, no refresh
    assert credentials.refreshes == 1
    await asyncio.gather(*(atoken(source, None, force=True) for _ in range(3)))
    assert credentials.refreshes == 4
    assert loop_thread not in credentials.threads


def test_headers_quota_project_and_project_placeholder() -> None:
    credentials = CountingCredentials(quota_project="billing-proj")
    token = source_with(credentials).token(None)
    request = HttpRequest(
        method="POST", url=f"https://h/v1/projects/{PROJECT_PLACEHOLDER}/x", headers={}, body=b""
    )
    sent = authorized_request(request, token)
    assert sent.headers["authorization"] == "Bearer token-1"
    assert sent.headers["x-goog-user-project"] == "billing-proj"
    assert sent.url == "https://h/v1/projects/p-adc/x"
    assert "token-1" in sent.secrets
    nameless = source_with(CountingCredentials(), project=None).token(None)
    with pytest.raises(llmport.BadRequestError, match="vertex_project"):
        authorized_request(request, nameless)


def test_a_real_service_account_gets_its_token_from_the_token_endpoint(token_server: TokenServer) -> None:
    document = token_server.service_account()
    source = GoogleCredentialsSource()
    token = source.token(document)
    assert token.value == token_server.issued[0]
    assert token.project == "proj-from-key"
    assert source.token(document).value == token_server.issued[0]  # still valid: no second exchange
    assert source.token(document, force=True).value == token_server.issued[1]
    assert len(token_server.issued) == 2
    private_key = token_server.service_account().split('"private_key": ')[1].split('", ')[0].strip('"')
    assert any("PRIVATE KEY" in secret for secret in token.secrets)  # the inline key is scrubbed too
    assert private_key  # the document really carries one


def test_a_service_account_file_path_works_too(token_server: TokenServer, tmp_path: Any) -> None:
    path = tmp_path / "sa.json"
    path.write_text(token_server.service_account())
    token = GoogleCredentialsSource().token(str(path))
    assert token.value == token_server.issued[0]


def test_a_refused_grant_is_an_authentication_error_without_the_key(token_server: TokenServer) -> None:
    token_server.refuse = True
    document = token_server.service_account()
    with pytest.raises(llmport.AuthenticationError) as caught:
        GoogleCredentialsSource().token(document)
    text = f"{caught.value!s} {caught.value!r} {caught.value.__cause__!r} {caught.value.__context__!r}"
    assert "PRIVATE KEY" not in text


def test_an_unreachable_token_endpoint_is_a_connection_error(token_server: TokenServer) -> None:
    document = token_server.service_account()
    token_server.stop()
    with pytest.raises(llmport.APIConnectionError):
        GoogleCredentialsSource().token(document)


def test_unreadable_credentials_are_an_authentication_error(tmp_path: Any) -> None:
    with pytest.raises(llmport.AuthenticationError, match="cannot be read"):
        GoogleCredentialsSource().token(str(tmp_path / "missing.json"))
    with pytest.raises(llmport.AuthenticationError, match="cannot be read"):
        GoogleCredentialsSource().token('{"type": "service_account", "broken')

"""Google OAuth for Vertex AI: an access token from google-auth, refreshed when it expires.

Credentials come from ``vertex_credentials`` / ``VERTEXAI_CREDENTIALS`` (a service-account or
other ADC JSON document, as a string or a file path) or else from Application Default
Credentials (``google.auth.default``). google-auth does every token exchange; this module only
decides when (the token is missing or expired, or the server answered 401), keeps one
credentials object per source for the process, and runs the blocking refresh off the event loop
on async paths. google-auth is the ``vertex`` extra, imported on first use.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ...domain.models.errors import APIConnectionError, AuthenticationError, BadRequestError
from ...ports.auth import Authorized, AuthScheme
from ...ports.codec import ProviderCall
from ...ports.transport import HttpRequest

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
PROJECT_PLACEHOLDER = "{project}"
"""What a Vertex URL holds when no project was configured: the credentials' own project fills it."""
_EXTRA = "pip install 'llmport[vertex]'"


@dataclass(frozen=True, slots=True)
class Token:
    """A current access token and what goes with it.

    Attributes:
        value: The OAuth access token.
        quota_project: The credentials' quota project (sent as ``x-goog-user-project``), if any.
        project: The project the credentials belong to, if they say.
        secrets: Secret values in play: the token, and the private key of a JSON given inline.
    """

    value: str
    quota_project: str | None
    project: str | None
    secrets: tuple[str, ...]


@dataclass
class _Entry:
    credentials: Any
    project: str | None
    secrets: tuple[str, ...]
    lock: threading.Lock


Loader = Callable[[str | None], tuple[Any, str | None]]


class GoogleCredentialsSource:
    """Loads Google credentials once per source and hands out fresh tokens.

    Args:
        loader: Turns a source (``vertex_credentials`` value, or None for ADC) into
            ``(credentials, project)``; the default uses google-auth. Tests pass their own.
        request_factory: Builds google-auth's HTTP transport for refreshes (default:
            ``google.auth.transport.requests.Request``).
    """

    def __init__(
        self, loader: Loader | None = None, request_factory: Callable[[], Any] | None = None
    ) -> None:
        self._loader = loader or load_google_credentials
        self._request_factory = request_factory
        self._entries: dict[str | None, _Entry] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GoogleCredentialsSource({len(self._entries)} loaded)"

    def cached_token(self, source: str | None) -> Token | None:
        """Return the current token without any I/O, or None when loading or a refresh is due."""
        entry = self._entries.get(source)
        if entry is None or not entry.credentials.valid:
            return None
        return _token(entry)

    def token(self, source: str | None, *, force: bool = False) -> Token:
        """Return a valid token, loading the credentials and refreshing the token when needed (blocking).

        Raises:
            AuthenticationError: when no credentials can be found or the token endpoint refuses them.
            APIConnectionError: when the token endpoint cannot be reached.
        """
        entry = self._entry(source)
        with entry.lock:
            if force or not entry.credentials.valid:
                self._refresh(entry)
            return _token(entry)

    def _entry(self, source: str | None) -> _Entry:
        entry = self._entries.get(source)
        if entry is not None:
            return entry
        with self._lock:
            if source not in self._entries:
                credentials, project = self._load(source)
                self._entries[source] = _Entry(
                    credentials, project, _inline_secrets(source), threading.Lock()
                )
            return self._entries[source]

    def _load(self, source: str | None) -> tuple[Any, str | None]:
        failure: str | None = None
        try:
            return self._loader(source)
        except (ValueError, OSError) as error:  # malformed JSON, unreadable file
            failure = f"the Vertex credentials cannot be read ({type(error).__name__})"
        except Exception as error:  # google.auth.exceptions.DefaultCredentialsError and kin
            if type(error).__module__.startswith("google.auth"):
                failure = (
                    "no Google credentials found: pass vertex_credentials=, set VERTEXAI_CREDENTIALS "
                    "or GOOGLE_APPLICATION_CREDENTIALS, or run `gcloud auth application-default login`"
                )
            else:
                raise
        # Raised outside the except block: google-auth's error may quote the credentials' JSON.
        raise AuthenticationError(failure, "vertex_ai", None)

    def _refresh(self, entry: _Entry) -> None:
        request = (self._request_factory or _requests_transport)()
        problem: tuple[type[Exception], str] | None = None
        try:
            entry.credentials.refresh(request)
        except Exception as error:
            name = type(error).__name__
            if name == "TransportError":
                problem = (APIConnectionError, "the Google token endpoint cannot be reached")
            elif type(error).__module__.startswith("google.auth") or name == "RefreshError":
                problem = (AuthenticationError, f"Google refused the Vertex credentials ({name})")
            else:
                raise
        if problem is not None:
            raise problem[0](problem[1], "vertex_ai", None)


def _token(entry: _Entry) -> Token:
    credentials = entry.credentials
    value = str(credentials.token)
    return Token(
        value, getattr(credentials, "quota_project_id", None), entry.project, (value, *entry.secrets)
    )


def _inline_secrets(source: str | None) -> tuple[str, ...]:
    if source is None or not source.lstrip().startswith("{"):
        return ()
    try:
        info = json.loads(source)
    except ValueError:
        return ()
    return tuple(str(info[k]) for k in ("private_key", "client_secret", "refresh_token") if info.get(k))


def _requests_transport() -> Any:
    try:
        from google.auth.transport.requests import Request
    except ImportError:
        raise _missing_extra() from None
    return Request()


def _missing_extra() -> BadRequestError:
    return BadRequestError(
        f"vertex_ai needs google-auth and requests: {_EXTRA}", "vertex_ai", None, param="model"
    )


def load_google_credentials(source: str | None) -> tuple[Any, str | None]:
    """Load credentials with google-auth: a JSON document (string or file path), or ADC when None.

    Only the two document types litellm users pass are read (``service_account`` and
    ``authorized_user``), each through its own loader, as google-auth recommends; any other
    kind (external accounts...) goes through ADC (``GOOGLE_APPLICATION_CREDENTIALS``).
    """
    try:
        import google.auth
        from google.oauth2 import credentials as user_credentials
        from google.oauth2 import service_account
    except ImportError:
        raise _missing_extra() from None
    if source is None:
        credentials, project = google.auth.default(scopes=list(SCOPES))
        return credentials, project
    text = source.strip()
    if not text.startswith("{"):
        with open(os.path.expanduser(text), encoding="utf-8") as file:
            text = file.read()
    info = json.loads(text)
    kind = info.get("type") if isinstance(info, dict) else None
    if kind == "service_account":
        loaded = service_account.Credentials.from_service_account_info(info, scopes=list(SCOPES))  # type: ignore[no-untyped-call]
        return loaded, info.get("project_id")
    if kind == "authorized_user":
        user = user_credentials.Credentials.from_authorized_user_info(info, scopes=list(SCOPES))  # type: ignore[no-untyped-call]
        return user, info.get("quota_project_id")
    raise ValueError("only service_account and authorized_user documents are read; use ADC for others")


def authorized_request(request: HttpRequest, token: Token) -> HttpRequest:
    """Return ``request`` with the Bearer token, the quota project and the credentials' project filled in.

    Raises:
        BadRequestError: when the URL needs a project and neither the call nor the credentials give one.
    """
    headers = {**request.headers, "authorization": f"Bearer {token.value}"}
    if token.quota_project and "x-goog-user-project" not in headers:
        headers["x-goog-user-project"] = token.quota_project
    url = request.url
    if PROJECT_PLACEHOLDER in url:
        if not token.project:
            raise BadRequestError(
                "vertex_ai needs its project: pass vertex_project= or set VERTEXAI_PROJECT "
                "(the credentials name none)",
                "vertex_ai", None, param="vertex_project",
            )  # fmt: skip
        url = url.replace(PROJECT_PLACEHOLDER, token.project)
    secrets = tuple(s for s in token.secrets if s not in request.secrets)
    return replace(request, url=url, headers=headers, secrets=(*request.secrets, *secrets))


async def atoken(source_obj: GoogleCredentialsSource, source: str | None, *, force: bool = False) -> Token:
    """Async ``token``: a valid cached token without a thread hop, else the blocking work in a thread."""
    if not force:
        cached = source_obj.cached_token(source)
        if cached is not None:
            return cached
    return await asyncio.to_thread(source_obj.token, source, force=force)


def credentials_source(call: ProviderCall) -> str | None:
    """Return the call's ``vertex_credentials`` setting (JSON or a path), or None for ADC."""
    return call.settings.get("credentials")


class GoogleOAuth:
    """The ``google_oauth`` auth: a Bearer token from google-auth on every attempt (Vertex AI).

    The token is reused while valid and refreshed when expired, on a 401 (once), and off the
    event loop on async paths. A caller's own ``authorization`` header (``extra_headers``) is
    left as is.

    Args:
        scheme: The host row's scheme.
        source: Where credentials and tokens come from (one per auth, i.e. per client).
    """

    def __init__(self, scheme: AuthScheme, source: GoogleCredentialsSource | None = None) -> None:
        self.scheme = scheme
        self._source = source or GoogleCredentialsSource()

    def __repr__(self) -> str:
        return f"GoogleOAuth({self._source!r})"

    def check(self, call: ProviderCall) -> None:
        """Before any network call: google-auth must be installed (the ``vertex`` extra)."""
        if "authorization" in _caller_headers(call):
            return
        if importlib.util.find_spec("google.auth") is None or importlib.util.find_spec("requests") is None:
            raise _missing_extra()

    def apply(self, request: HttpRequest, call: ProviderCall) -> Authorized:
        """Return ``request`` with a valid token (refreshed first when due: blocking)."""
        if "authorization" in request.headers:
            return Authorized(request)
        try:
            token = self._source.token(credentials_source(call))
        except AuthenticationError as error:
            raise _with_hint(error, call) from None
        return Authorized(authorized_request(request, token), token.secrets)

    async def aapply(self, request: HttpRequest, call: ProviderCall) -> Authorized:
        """Async ``apply``: a valid cached token at once, a refresh in a worker thread."""
        if "authorization" in request.headers:
            return Authorized(request)
        try:
            token = await atoken(self._source, credentials_source(call))
        except AuthenticationError as error:
            raise _with_hint(error, call) from None
        return Authorized(authorized_request(request, token), token.secrets)

    def refresh(self, call: ProviderCall) -> bool:
        """After a 401: fetch a new token; True, so the request is sent once more."""
        if "authorization" in _caller_headers(call):
            return False  # the caller's own token: nothing to refresh
        self._source.token(credentials_source(call), force=True)
        return True

    async def arefresh(self, call: ProviderCall) -> bool:
        """Async ``refresh`` (in a worker thread)."""
        if "authorization" in _caller_headers(call):
            return False
        await atoken(self._source, credentials_source(call), force=True)
        return True


def _with_hint(error: AuthenticationError, call: ProviderCall) -> AuthenticationError:
    hint = f"; with a Google AI Studio key (GEMINI_API_KEY) the route is 'gemini/{call.model}'"
    return AuthenticationError(error.message + hint, call.provider, call.request.model)


def _caller_headers(call: ProviderCall) -> set[str]:
    return {name.lower() for name in call.request.options.extra_headers}

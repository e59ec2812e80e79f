"""The auth port: how one attempt's request gets its credentials, sync and async.

Credentials are applied by the dispatcher inside each attempt, after the cache key and the
deadline cap were computed and just before the transport sends, so a retry re-signs (SigV4
over the final body, a fresh ``x-amz-date``) or re-reads a refreshed token, and no credential
ever enters a cache key. A codec's ``build_request`` never adds credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .transport import HttpRequest

if TYPE_CHECKING:
    from .codec import ProviderCall


@dataclass(frozen=True, slots=True)
class AuthScheme:
    """The auth a host row names: typed data, resolved to an ``Auth`` by the registry.

    Attributes:
        name: The scheme's registry name: ``"bearer"``, ``"header"``, ``"none"``, or one added later
            (``"sigv4"``, ``"google_oauth"``, a user's own).
        header: The header a ``"header"`` scheme puts the key in (``x-api-key``, ``api-key``,
            ``x-goog-api-key``).
        required: Whether a call to the host's default base without a credential fails before
            any network call (a server of your own may need none).
    """

    name: str
    header: str | None = None
    required: bool = True


@dataclass(frozen=True, slots=True)
class Authorized:
    """A request with its credentials, and the secrets now in play.

    Attributes:
        request: The request to send (headers added or signed).
        secrets: Secret values now in play (a refreshed token, a session token...), scrubbed from
            errors, logs and reprs even when they were never in ``call.secrets``.
    """

    request: HttpRequest
    secrets: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Authorized({self.request!r}, {len(self.secrets)} secrets)"


@runtime_checkable
class Auth(Protocol):
    """Puts credentials on one attempt's request. Built-ins: bearer, a named header key, none."""

    def check(self, call: ProviderCall) -> None:
        """Before any network call: raise ``AuthenticationError`` when a required credential is missing."""
        ...

    def apply(self, request: HttpRequest, call: ProviderCall) -> Authorized:
        """Return ``request`` with credentials, and the secrets in play."""
        ...

    async def aapply(self, request: HttpRequest, call: ProviderCall) -> Authorized:
        """Async ``apply``: blocking work (a token refresh) runs off the event loop."""
        ...

    def refresh(self, call: ProviderCall) -> bool:
        """After a 401: refresh the credential; True means the request is sent once more."""
        ...

    async def arefresh(self, call: ProviderCall) -> bool:
        """Async ``refresh``."""
        ...

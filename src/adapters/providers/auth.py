"""The built-in auths: a bearer token, a key in a named header, none.

Each is built from the host row's ``AuthScheme`` by the registry. The key-required check lives
here: a call to the host's own default base without a key fails before any network call,
while a server of your own (any other base) may need none. An explicit header the caller set
(``extra_headers``) is left as is, as it was before auth was its own step.
"""

from __future__ import annotations

from ...domain.models.errors import AuthenticationError
from ...ports.auth import Authorized, AuthScheme
from ...ports.codec import ProviderCall
from ...ports.transport import HttpRequest


class KeyAuth:
    """The common part of the key-carrying auths: the check, and a header set per attempt.

    Args:
        scheme: The host row's scheme (``required`` drives the check).
    """

    header = "authorization"

    def __init__(self, scheme: AuthScheme) -> None:
        self.scheme = scheme

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.header!r}, required={self.scheme.required})"

    def check(self, call: ProviderCall) -> None:
        """Raise ``AuthenticationError`` when the host's default base is called without a key."""
        if call.api_key is None and self.scheme.required and call.api_base == _default_base(call):
            names = " or ".join(call.host.key_env) or "a key"
            raise AuthenticationError(
                f"no API key for {call.provider}: pass api_key= or set {names}",
                call.provider,
                call.request.model,
            )

    def apply(self, request: HttpRequest, call: ProviderCall) -> Authorized:
        """Put the key in the header (unless the caller set that header)."""
        if call.api_key is None or self.header in request.headers:
            return Authorized(request)
        key = call.api_key.get_secret_value()
        headers = {**request.headers, self.header: self.value(key)}
        secrets = request.secrets if key in request.secrets else (*request.secrets, key)
        return Authorized(request.with_headers(headers, secrets), (key,))

    async def aapply(self, request: HttpRequest, call: ProviderCall) -> Authorized:
        """``apply``: nothing blocks."""
        return self.apply(request, call)

    def refresh(self, call: ProviderCall) -> bool:  # noqa: ARG002 - the port's signature
        """Return False: a static key cannot be refreshed, so a 401 is final."""
        return False

    async def arefresh(self, call: ProviderCall) -> bool:  # noqa: ARG002 - the port's signature
        """``refresh``."""
        return False

    def value(self, key: str) -> str:
        """Return the header value for ``key``."""
        return key


def _default_base(call: ProviderCall) -> str | None:
    try:
        return call.host.base_for(call.settings)
    except KeyError:
        return None  # a base that needs a missing setting is not the one being called


class BearerAuth(KeyAuth):
    """``authorization: Bearer <key>`` (OpenAI and most compatible hosts)."""

    def value(self, key: str) -> str:
        """``Bearer <key>``."""
        return f"Bearer {key}"


class HeaderKeyAuth(KeyAuth):
    """The bare key in a named header: ``x-api-key`` (Anthropic), ``api-key`` (Azure), ``x-goog-api-key``."""

    def __init__(self, scheme: AuthScheme) -> None:
        super().__init__(scheme)
        if not scheme.header:
            raise ValueError("a 'header' auth scheme names its header")
        self.header = scheme.header.lower()


class NoAuth(KeyAuth):
    """No credentials at all (keyless local servers such as Ollama): never checks, never sends a key."""

    def check(self, call: ProviderCall) -> None:
        """Nothing is required."""

    def apply(self, request: HttpRequest, call: ProviderCall) -> Authorized:  # noqa: ARG002
        """Return the request as built."""
        return Authorized(request)

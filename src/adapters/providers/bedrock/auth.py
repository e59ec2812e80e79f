"""Bedrock's auth strategy: a Bedrock API key as a bearer token, else SigV4 signed by botocore.

Applied by the dispatcher on every attempt, after the cache key and the deadline cap, over the
exact body bytes the codec built: a retry is signed again with a fresh ``X-Amz-Date`` and a
fresh snapshot of (possibly refreshed) credentials. The secret key and the session token of
that snapshot are handed back as secrets in play, so they are scrubbed wherever the call's key
would be. Credential lookups that may block (profiles, SSO, STS AssumeRole, instance metadata)
run off the event loop in ``aapply``.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from ....ports.auth import Authorized, AuthScheme
from ....ports.codec import ProviderCall
from ....ports.transport import HttpRequest
from .aws import CredentialSources, ProfileConfig, endpoint_region, region_for, sign


class SigV4Auth:
    """The ``sigv4`` auth scheme (Bedrock): bearer API key when one is given, else SigV4.

    Args:
        scheme: The host row's scheme.
    """

    def __init__(self, scheme: AuthScheme) -> None:
        self.scheme = scheme
        self._profiles = ProfileConfig()
        self._sources = CredentialSources(self._profiles)

    def __repr__(self) -> str:
        return f"SigV4Auth(required={self.scheme.required})"

    def check(self, call: ProviderCall) -> None:
        """Nothing to check before sending: botocore's default chain may find credentials anywhere.

        Finding them can block (files, SSO, instance metadata), so it happens in ``apply`` /
        ``aapply``, which raise ``AuthenticationError`` when no source has any.
        """

    def apply(self, request: HttpRequest, call: ProviderCall) -> Authorized:
        """Return ``request`` with a bearer key, or signed with SigV4 for this attempt."""
        if call.api_key is not None:
            return self._bearer(request, call.api_key.get_secret_value())
        frozen = self._sources.frozen(call)
        region = endpoint_region(request.url) or region_for(call, self._profiles)
        signed = sign(request, frozen, region)
        new = tuple(value for value in (frozen.secret_key, frozen.token) if value)
        secrets = (*signed.secrets, *(value for value in new if value not in signed.secrets))
        return Authorized(replace(signed, secrets=secrets), new)

    async def aapply(self, request: HttpRequest, call: ProviderCall) -> Authorized:
        """``apply``; a credential lookup that may block runs in a worker thread."""
        if call.api_key is not None or self._sources.ready(call):
            return self.apply(request, call)
        return await asyncio.to_thread(self.apply, request, call)

    def refresh(self, call: ProviderCall) -> bool:  # noqa: ARG002 - the port's signature
        """Return False: AWS refuses bad credentials with 403, and botocore refreshes on its own."""
        return False

    async def arefresh(self, call: ProviderCall) -> bool:  # noqa: ARG002 - the port's signature
        """``refresh``."""
        return False

    @staticmethod
    def _bearer(request: HttpRequest, key: str) -> Authorized:
        if "authorization" in request.headers:
            return Authorized(request)  # the caller set it through extra_headers
        headers = {**request.headers, "authorization": f"Bearer {key}"}
        secrets = request.secrets if key in request.secrets else (*request.secrets, key)
        return Authorized(replace(request, headers=headers, secrets=secrets), (key,))

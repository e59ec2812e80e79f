"""AWS credentials, region and SigV4 signing for Bedrock, all through botocore.

Nothing here hand-writes SigV4: a request is signed by ``botocore.auth.SigV4Auth`` (service
``bedrock``) over the exact body bytes the codec built, on every attempt, with a frozen snapshot
of the credentials (refreshable ones are refreshed by botocore as they near expiry).

Where the credentials come from, first match wins (litellm's order):
1. ``aws_access_key_id`` + ``aws_secret_access_key`` (+ ``aws_session_token``), given or in env;
2. ``aws_role_name`` + ``aws_session_name``: STS AssumeRole through botocore's own fetcher, with
   the credentials of 1, the profile, or the default chain as the source;
3. ``aws_profile_name`` (a named profile of the shared config: keys, SSO, role chains...);
4. botocore's default chain (env, shared config, SSO, web identity, container, instance metadata).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import AuthenticationError
from ....domain.models.redaction import redact
from ....ports.codec import ProviderCall
from ....ports.transport import HttpRequest
from ._botocore import botocore

SERVICE = "bedrock"  # the signing name, although the host is bedrock-runtime
DEFAULT_REGION = "us-west-2"  # litellm's default when nothing names a region
_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:bedrock:([a-z0-9-]+):")
_DEFAULT_HOST = re.compile(r"^https://bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:/|$)")
# Headers signed besides host and the x-amz-* ones botocore adds: the others are sent unsigned,
# so a proxy that rewrites user-agent or accept cannot break the signature.
_SIGNED = ("content-type",)


def arn_region(model_id: str) -> str | None:
    """Return the region of an ARN model id (``arn:aws:bedrock:<region>:...``), if it is one."""
    match = _ARN_REGION.match(model_id.removeprefix("converse/"))
    return match.group(1) if match else None


def endpoint_region(url: str) -> str | None:
    """Return the region of a ``bedrock-runtime.<region>.amazonaws.com`` URL, if it is one."""
    match = _DEFAULT_HOST.match(url)
    return match.group(1) if match else None


def sign(request: HttpRequest, credentials: Any, region: str) -> HttpRequest:
    """Return ``request`` signed with SigV4 by botocore (``credentials``: a frozen botocore snapshot).

    Only ``host``, ``content-type`` and ``x-amz-*`` headers are signed; the body is signed as is
    and must be sent byte for byte.
    """
    signed = {
        name: value for name, value in request.headers.items() if name in _SIGNED or name.startswith("x-amz")
    }
    aws = botocore("awsrequest").AWSRequest(
        method=request.method, url=request.url, data=request.body, headers=signed
    )
    key = botocore("credentials").Credentials(
        credentials.access_key, credentials.secret_key, credentials.token
    )
    botocore("auth").SigV4Auth(key, SERVICE, region).add_auth(aws)
    headers = {name: value for name, value in request.headers.items() if name not in signed}
    headers.update({name.lower(): value for name, value in aws.headers.items()})
    # The answer's bounds and the attempt's deadline survive signing.
    return request.with_headers(headers, request.secrets)


class ProfileConfig:
    """botocore sessions per profile name, built once: a profile's region and credentials.

    One per adapter instance, so configuration lives in a client, never in the process.
    """

    def __init__(self) -> None:
        self._sessions: dict[str | None, Any] = {}
        self._lock = threading.Lock()

    def session(self, profile: str | None) -> Any:
        """Return the botocore session of ``profile`` (None: the default profile and environment)."""
        with self._lock:
            if profile not in self._sessions:
                self._sessions[profile] = botocore("session").Session(profile=profile)
            return self._sessions[profile]

    def region(self, profile: str | None) -> str | None:
        """Return the region ``profile`` configures (``region`` in ~/.aws/config, AWS_DEFAULT_REGION)."""
        configured = self.session(profile).get_config_variable("region")
        return str(configured) if configured else None


def region_for(call: ProviderCall, profiles: ProfileConfig) -> str:
    """Return the region of ``call``: an ARN's, the settings', the profile's, or us-west-2.

    The settings' region is ``aws_region_name``, then ``AWS_REGION_NAME``, then ``AWS_REGION``;
    the profile is ``aws_profile_name`` or the default one (``AWS_DEFAULT_REGION`` too); us-west-2
    is litellm's default. An ARN's region wins because the resource answers only there.
    """
    found = arn_region(call.model) or call.settings.get("given_region")
    if found:
        return found
    return profiles.region(call.settings.get("aws_profile_name")) or DEFAULT_REGION


class CredentialSources:
    """Finds and keeps the AWS credentials of calls (botocore objects, refreshed by botocore).

    One per auth adapter, so a client's credentials live in the client: sessions and assumed
    roles are built once per distinct source and reused by every later call.
    """

    def __init__(self, profiles: ProfileConfig) -> None:
        self._profiles = profiles
        self._cache: dict[tuple[str | None, ...], Any] = {}
        self._lock = threading.Lock()

    def frozen(self, call: ProviderCall) -> Any:
        """Return a consistent ``(access_key, secret_key, token)`` snapshot for one attempt.

        Raises:
            AuthenticationError: when no source yields credentials, or botocore fails to load them.
        """
        failure: AuthenticationError | None = None
        frozen = None
        try:
            found = self.credentials(call)
            frozen = None if found is None else found.get_frozen_credentials()
        except Exception as error:  # botocore's credential errors and STS's ClientError share no base
            failure = _credential_failure(error, call)
        if failure is not None:
            raise failure  # outside the except block: botocore's error is not chained
        if frozen is None:
            raise AuthenticationError(
                "no AWS credentials for bedrock: pass aws_access_key_id= and aws_secret_access_key=, "
                "aws_profile_name=, or a Bedrock API key (api_key= or AWS_BEARER_TOKEN_BEDROCK), or "
                "configure the AWS default chain (AWS_ACCESS_KEY_ID, ~/.aws/config, SSO, instance role)",
                call.provider,
                call.request.model,
            )
        return frozen

    def ready(self, call: ProviderCall) -> bool:
        """Whether ``frozen`` can answer without blocking (static keys, or cached and fresh)."""
        static = _static(call.settings)
        if static is not None:
            return True
        found = self._cache.get(_key(call.settings))
        refresh_needed = getattr(found, "refresh_needed", None)
        return found is not None and (refresh_needed is None or not refresh_needed())

    def credentials(self, call: ProviderCall) -> Any:
        """Return the botocore credentials object for ``call`` (None when none is found)."""
        static = _static(call.settings)
        if static is not None:
            return static
        key = _key(call.settings)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = self._build(call.settings, region_for(call, self._profiles))
            return self._cache[key]

    def _build(self, settings: Mapping[str, str], region: str) -> Any:
        profile, role = settings.get("aws_profile_name"), settings.get("aws_role_name")
        session = self._profiles.session(profile)
        source = _keys(settings) or session.get_credentials()
        if not role or source is None:
            return source
        module = botocore("credentials")
        fetcher = module.AssumeRoleCredentialFetcher(
            client_creator=functools.partial(session.create_client, region_name=region),  # STS's region
            source_credentials=source,
            role_arn=role,
            extra_args={"RoleSessionName": settings.get("aws_session_name") or "llmport"},
        )
        return module.DeferredRefreshableCredentials(
            method="assume-role", refresh_using=fetcher.fetch_credentials
        )


def _credential_failure(error: Exception, call: ProviderCall) -> AuthenticationError:
    """Return the error for credentials botocore could not load (expired SSO, refused AssumeRole...)."""
    if not type(error).__module__.startswith("botocore"):
        raise error
    message = redact(f"AWS credentials could not be loaded ({type(error).__name__}): {error}", call.secrets)
    return AuthenticationError(message, call.provider, call.request.model)


def _keys(settings: Mapping[str, str]) -> Any:
    access, secret = settings.get("aws_access_key_id"), settings.get("aws_secret_access_key")
    if not (access and secret):
        return None
    return botocore("credentials").Credentials(access, secret, settings.get("aws_session_token"))


def _static(settings: Mapping[str, str]) -> Any:
    """Keys given outright (and no role to assume with them): used as they are."""
    return None if settings.get("aws_role_name") else _keys(settings)


def _key(settings: Mapping[str, str]) -> tuple[str | None, ...]:
    names = ("aws_access_key_id", "aws_profile_name", "aws_role_name", "aws_session_name")
    return tuple(settings.get(name) for name in names)

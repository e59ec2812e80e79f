"""litellm's environment helpers: which provider a model string means, and what its calls still need.

``get_llm_provider`` and ``validate_environment`` read the current client's routing table,
settings and credentials (the environment, by default): the resolution ``completion()`` itself
applies, so they cannot disagree with it.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from ..domain.dispatch.routing import first_value, resolve_settings
from ..domain.models.errors import BadRequestError
from ..ports.codec import Host
from ..ports.credentials import Credentials
from .default import completion, current_client

# The schemes whose credential is one key from the environment; the others (SigV4, Google
# OAuth, a user's own) may find theirs in a profile or a metadata server, which only a call tells.
_KEY_SCHEMES = frozenset({"bearer", "header"})


def get_llm_provider(
    model: str,
    custom_llm_provider: str | None = None,
    api_base: str | None = None,
    api_key: str | None = None,
    litellm_params: Any = None,
) -> tuple[str, str, str | None, str | None]:
    """Return ``(model, provider, api_key, api_base)`` as ``completion()`` resolves them.

    ``model`` loses its provider prefix (``"groq/llama-3.1-8b-instant"`` → ``"llama-3.1-8b-instant"``,
    ``"groq"``). The key and base are the ones a call would use: the arguments, else the
    module or client settings, else the environment, else the host's default base. litellm
    returns them for OpenAI-compatible hosts only; llmport for every host.

    Raises:
        BadRequestError: when no provider matches ``model`` (as litellm's).
    """
    del litellm_params  # litellm's internal pass-through; nothing here reads it
    dispatcher = current_client().dispatcher
    host, name = dispatcher._route(model, custom_llm_provider)
    credentials, settings = dispatcher.credentials, dispatcher.settings
    key = api_key or _secret(settings.api_key) or first_value(credentials, host.key_env)
    base = api_base or settings.api_base or first_value(credentials, host.base_env)
    return name, host.prefix, key, base or _default_base(host, credentials)


def validate_environment(
    model: str | None = None, api_key: str | None = None, api_base: str | None = None
) -> dict[str, Any]:
    """Return ``{"keys_in_environment": bool, "missing_keys": [names]}`` for calls to ``model``.

    A missing key is named by its first environment variable (``OPENAI_API_KEY``), a missing base
    URL or host setting (Azure's base, Bedrock's region) likewise. Hosts whose credentials
    come from elsewhere than one variable (Bedrock's SigV4, Vertex's Google OAuth) are not
    checked for them: a profile or a metadata server may hold them, which only a call tells.
    Without a model, or with one no provider matches, litellm's answer: nothing in the
    environment, nothing named.
    """
    if model is None:
        return {"keys_in_environment": False, "missing_keys": []}
    dispatcher = current_client().dispatcher
    try:
        host, _name = dispatcher._route(model, None)
    except BadRequestError:
        return {"keys_in_environment": False, "missing_keys": []}
    credentials, settings = dispatcher.credentials, dispatcher.settings
    missing: list[str] = []
    has_key = api_key or settings.api_key or first_value(credentials, host.key_env)
    if host.auth.name in _KEY_SCHEMES and host.auth.required and host.key_env and not has_key:
        missing.append(host.key_env[0])
    if not (api_base or settings.api_base or first_value(credentials, host.base_env)):
        missing += _missing_for_base(host, credentials)
    return {"keys_in_environment": not missing, "missing_keys": missing}


def check_valid_key(model: str, api_key: str) -> bool:
    """Return whether ``api_key`` works for ``model``: one short completion, as litellm makes.

    A network call (``max_tokens=10``, no retries). Any failure gives False, as in litellm: a
    refused key, but also an unreachable host or an unknown model.
    """
    try:
        completion(model, [{"role": "user", "content": "Hey, how's it going?"}], api_key=api_key,
                   max_tokens=10, num_retries=0)  # fmt: skip
    except Exception:  # litellm's contract: any failure means "not valid"
        return False
    return True


def _missing_for_base(host: Host, credentials: Credentials) -> list[str]:
    """Name what the host's default base URL lacks (its base variable when it has no default)."""
    if host.default_base is None:
        return list(host.base_env[:1])
    try:
        host.base_for(resolve_settings(host, None, credentials))
    except KeyError as lacking:
        setting = next((s for s in host.settings if s.name == lacking.args[0]), None)
        return list(setting.env[:1]) if setting is not None else [str(lacking.args[0])]
    return []


def _default_base(host: Host, credentials: Credentials) -> str | None:
    try:
        return host.base_for(resolve_settings(host, None, credentials))
    except KeyError:
        return None  # a setting the base needs (Bedrock's region...) is not set


def _secret(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()

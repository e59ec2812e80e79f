"""Model resolution and the choice of key, base URL and version for a call."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType

from pydantic import SecretStr

from ...ports.codec import CodecRegistry, Host, ProviderCall
from ...ports.credentials import Credentials
from ..models.errors import AuthenticationError, BadRequestError, bad_request
from ..models.request import CompletionRequest
from .settings import DispatchSettings


def resolve_host(model: str, custom_llm_provider: str | None, registry: CodecRegistry) -> tuple[Host, str]:
    """Find the host serving ``model`` and the provider-side model name.

    ``provider/model`` uses the prefix when it names a known provider (a model name may itself
    contain slashes, as in ``hosted_vllm/meta-llama/Llama-3``); ``custom_llm_provider`` overrides
    the prefix; otherwise a well-known bare name decides.

    Raises:
        BadRequestError: when no provider can be told, saying which prefix to use.
    """
    if custom_llm_provider:
        host = registry.host(custom_llm_provider)
        if host is None:
            raise bad_request(
                f"unknown custom_llm_provider {custom_llm_provider!r}", param="custom_llm_provider"
            )
        return host, model.removeprefix(f"{custom_llm_provider}/")
    prefix, slash, rest = model.partition("/")
    if slash:
        host = registry.host(prefix)
        if host is not None:
            if not rest:
                raise bad_request(
                    f"model {model!r} names a provider but no model", param="model", model=model
                )
            return _variant(registry, prefix, rest) or (host, rest)
    host = registry.host_for_bare_model(model)
    if host is not None:
        return host, model
    unknown = f" ({prefix!r} is not a provider prefix llmport knows)" if slash else ""
    raise BadRequestError(
        f"llmport cannot tell which provider serves {model!r}{unknown}: prefix it with the provider, "
        f"e.g. 'openai/{model}' for an OpenAI-compatible server, or pass custom_llm_provider=",
        "llmport",
        model,
        param="model",
    )


def _variant(registry: CodecRegistry, prefix: str, rest: str) -> tuple[Host, str] | None:
    """Another wire format of the same provider, if the registry knows one for this name.

    ``openai/responses/<model>`` (litellm's spelling) asks for it by name; ``openai/<model>``
    gets it when the registry's host table sends that model there (Responses-only models).
    """
    sub, slash, tail = rest.partition("/")
    if slash and tail:
        host = registry.host(f"{prefix}/{sub}")
        if host is not None:
            return host, tail
    host = registry.host(f"{prefix}/{rest}")
    return None if host is None else (host, rest)


def provider_call(
    request: CompletionRequest,
    host: Host,
    model: str,
    credentials: Credentials,
    settings: DispatchSettings,
) -> ProviderCall:
    """Pick key, base URL, host settings and timeouts: call arguments, then settings, then the environment.

    The key-required check is the auth's (``Auth.check``), run by the dispatcher next.

    Raises:
        AuthenticationError: for a key that cannot travel in an HTTP header.
        BadRequestError: when the host has no default base URL and none was given, or a
            setting the default base needs is missing.
    """
    options = request.options
    resolved = resolve_settings(host, request, credentials)
    api_base = options.api_base or settings.api_base or first_value(credentials, host.base_env)
    api_base = api_base or _default_base(host, resolved, request.model)
    if not api_base:
        hint = f" or set {host.base_env[0]}" if host.base_env else ""
        raise bad_request(
            f"{host.prefix} needs a base URL: pass api_base={hint}", param="api_base", model=request.model
        )
    api_key = _checked_key(options.api_key or settings.api_key or _first(credentials, host.key_env), host)
    drop = options.drop_params if options.drop_params is not None else settings.drop_params
    return ProviderCall(
        request=request,
        host=host,
        model=options.deployment_id or host.provider_model(model),
        api_base=api_base,
        api_key=api_key,
        api_version=resolved.get("api_version") or options.api_version,
        timeout=options.timeout or settings.timeout,
        drop_params=drop,
        settings=MappingProxyType(resolved),
    )


def resolve_settings(
    host: Host, request: CompletionRequest | None, credentials: Credentials
) -> dict[str, str]:
    """Resolve ``host.settings``: a call keyword (client option or provider extra), then env, then default.

    Without a ``request`` (a question about the host, not a call), from env and defaults alone.
    """
    resolved: dict[str, str] = {}
    for setting in host.settings:
        value = None if request is None else _from_call(request, setting.kwargs)
        if value is None:
            value = first_value(credentials, setting.env) or setting.default
        if value is not None:
            resolved[setting.name] = value
    return resolved


def setting_kwargs(host: Host) -> frozenset[str]:
    """Return the call keywords ``host`` reads as settings: they are not body parameters."""
    return frozenset(name for setting in host.settings for name in setting.kwargs)


def _from_call(request: CompletionRequest, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = getattr(request.options, name, None)
        if value is None:
            value = request.params.get(name)
        if value is not None:
            return _text(value)
    return None


def _text(value: object) -> str:
    # A structured value (litellm takes vertex_credentials as a dict too) travels as JSON text,
    # the form the setting's env variable holds; str() would give Python's repr.
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value)
    return str(value)


def _default_base(host: Host, resolved: dict[str, str], model: str) -> str | None:
    """Return the host's default base, its ``{setting}`` placeholders filled (Bedrock's region...)."""
    try:
        return host.base_for(resolved)
    except KeyError as missing:
        name = missing.args[0]
        given = next((s for s in host.settings if s.name == name), None)
        ways = [f"{kwarg}=" for kwarg in given.kwargs] + list(given.env) if given else []
        hint = f": pass {' or set '.join(ways)}" if ways else ""
        raise bad_request(f"{host.prefix} needs its {name}{hint}", param=name, model=model) from None


def _checked_key(key: SecretStr | None, host: Host) -> SecretStr | None:
    """Strip surrounding whitespace and refuse keys that cannot travel in an HTTP header."""
    if key is None:
        return None
    value = key.get_secret_value().strip()
    if not value.isascii() or not value.isprintable():
        # Typically an invisible character pasted with the key; never echo the key itself.
        raise AuthenticationError(
            f"the API key for {host.prefix} contains non-printable or non-ASCII characters "
            "(an invisible character pasted with it?)",
            host.prefix,
            None,
        )
    return SecretStr(value) if value != key.get_secret_value() else key


def _first(credentials: Credentials, names: tuple[str, ...]) -> SecretStr | None:
    for name in names:
        value = credentials.get(name)
        if value is not None:
            return value
    return None


def first_value(credentials: Credentials, names: tuple[str, ...]) -> str | None:
    """Return the value of the first of ``names`` the credentials hold (as plain text), or None."""
    secret = _first(credentials, names)
    return None if secret is None else secret.get_secret_value()

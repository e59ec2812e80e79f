"""Model resolution and the choice of key, base URL and version for a call."""

from __future__ import annotations

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
    """Pick key, base URL, version and timeouts: the call's arguments, then settings, then the environment.

    Raises:
        AuthenticationError: when the host needs a key and none was found (before any network call).
        BadRequestError: when the host has no default base URL and none was given.
    """
    options = request.options
    api_base = (
        options.api_base or settings.api_base or _first_value(credentials, host.base_env) or host.default_base
    )
    if not api_base:
        hint = f" or set {host.base_env[0]}" if host.base_env else ""
        raise bad_request(
            f"{host.prefix} needs a base URL: pass api_base={hint}", param="api_base", model=request.model
        )
    api_key = _checked_key(options.api_key or settings.api_key or _first(credentials, host.key_env), host)
    # A server of your own (any base but the provider's) may need no key: vLLM, proxies, fakes.
    if api_key is None and host.key_required and api_base == host.default_base:
        raise AuthenticationError(
            f"no API key for {host.prefix}: pass api_key= or set {' or '.join(host.key_env) or 'a key'}",
            host.prefix,
            request.model,
        )
    version = options.api_version or _first_value(credentials, host.version_env) or host.default_version
    drop = options.drop_params if options.drop_params is not None else settings.drop_params
    return ProviderCall(
        request=request,
        host=host,
        model=options.deployment_id or host.provider_model(model),
        api_base=api_base,
        api_key=api_key,
        api_version=version,
        timeout=options.timeout or settings.timeout,
        drop_params=drop,
    )


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


def _first_value(credentials: Credentials, names: tuple[str, ...]) -> str | None:
    secret = _first(credentials, names)
    return None if secret is None else secret.get_secret_value()

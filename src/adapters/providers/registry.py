"""The codec registry: prefix → host row, bare model name → host, codec name → codec (lazy)."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from ...domain.models.errors import BadRequestError
from ...ports.auth import Auth, AuthScheme
from ...ports.codec import Host, ProviderCodec
from .hosts import ALIASES, BARE_MODELS, HOSTS, PLANNED, RESPONSES_ROUTES, responses_only

K = TypeVar("K")
V = TypeVar("V")

# Codec name → "module:Class", imported on first use so unused wire formats cost nothing.
CODECS: Mapping[str, str] = {
    "openai": ".openai:OpenAICodec",
    "anthropic": ".anthropic.codec:AnthropicCodec",
    "bedrock_converse": ".bedrock.codec:BedrockConverseCodec",
    "responses": ".responses.codec:ResponsesCodec",
    "gemini": ".gemini.codec:GeminiCodec",
    "vertex": ".gemini.vertex:VertexCodec",
    "ollama": ".ollama.codec:OllamaCodec",
    "cohere": ".cohere.codec:CohereCodec",
}
# Auth scheme name → "module:Class" (built with the host's ``AuthScheme``), imported on first use
# so an auth's library (botocore, google-auth) loads only when a host using it is called.
AUTHS: Mapping[str, str] = {
    "bearer": ".auth:BearerAuth",
    "header": ".auth:HeaderKeyAuth",
    "none": ".auth:NoAuth",
    "sigv4": ".bedrock.auth:SigV4Auth",
    "google_oauth": ".google_oauth:GoogleOAuth",
}


class ProviderRegistry:
    """The default ``CodecRegistry``, an immutable value: hosts as data, codecs imported on first use.

    ``ProviderRegistry()`` holds the built-in hosts; rows, codecs, auth schemes and bare model
    names given here are added to the built-ins (a row with a built-in prefix replaces that
    row). ``with_hosts``, ``with_codecs``, ``with_auths`` and ``with_bare_models`` return new
    registries and leave this one unchanged, so a client's cached routes can never go stale.

    Args:
        hosts: Host rows to add; later rows win on the same prefix.
        codecs: Extra or replacement codec instances by name (e.g. a user's own wire format).
        auths: Extra or replacement auth schemes by name, as ``"module:Class"`` (absolute) or a
            class taking the host's ``AuthScheme``.
        bare_models: Model-name prefix → host prefix, looked at before the built-in ones
            (``{"mymodel-": "acme"}`` sends ``mymodel-7b`` to the ``acme`` row).
        builtins: Start from the built-in hosts and bare model names (False: only those given).
    """

    def __init__(
        self,
        hosts: Iterable[Host] = (),
        codecs: Mapping[str, ProviderCodec] | None = None,
        auths: Mapping[str, str | Callable[[AuthScheme], Auth]] | None = None,
        bare_models: Mapping[str, str] | None = None,
        *,
        builtins: bool = True,
    ) -> None:
        rows = [*HOSTS, *hosts] if builtins else list(hosts)
        self._hosts: Mapping[str, Host] = MappingProxyType({host.prefix: host for host in rows})
        self._given_codecs: Mapping[str, ProviderCodec] = MappingProxyType(dict(codecs or {}))
        self._auth_kinds: Mapping[str, str | Callable[[AuthScheme], Auth]] = MappingProxyType(
            {**AUTHS, **(auths or {})}
        )
        extra = tuple(((prefix,), host) for prefix, host in (bare_models or {}).items())
        self._bare_models = extra + (BARE_MODELS if builtins else ())
        # Built on first use (memoised; not part of the value).
        self._codecs: dict[str, ProviderCodec] = dict(self._given_codecs)
        self._auths: dict[AuthScheme, Auth] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ProviderRegistry(hosts={len(self._hosts)}, codecs={sorted({*CODECS, *self._given_codecs})})"

    def __deepcopy__(self, memo: dict[int, Any]) -> ProviderRegistry:
        return self  # an immutable value; dependency-injector copies provider arguments

    def with_hosts(self, *rows: Host) -> ProviderRegistry:
        """Return a registry with these rows added (a row replaces the one with its prefix)."""
        return self._extended(hosts=rows)

    def with_codecs(self, **codecs: ProviderCodec) -> ProviderRegistry:
        """Return a registry with these codecs added by name (``with_codecs(myformat=MyCodec())``)."""
        return self._extended(codecs=codecs)

    def with_auths(self, **auths: str | Callable[[AuthScheme], Auth]) -> ProviderRegistry:
        """Return a registry with these auth schemes added by name."""
        return self._extended(auths=auths)

    def with_bare_models(self, bare_models: Mapping[str, str]) -> ProviderRegistry:
        """Return a registry routing these model-name prefixes to these host prefixes."""
        return self._extended(bare_models=bare_models)

    def _extended(
        self,
        hosts: Iterable[Host] = (),
        codecs: Mapping[str, ProviderCodec] | None = None,
        auths: Mapping[str, str | Callable[[AuthScheme], Auth]] | None = None,
        bare_models: Mapping[str, str] | None = None,
    ) -> ProviderRegistry:
        extended = ProviderRegistry(
            [*self._hosts.values(), *hosts],
            {**self._given_codecs, **(codecs or {})},
            {**self._auth_kinds, **(auths or {})},
            builtins=False,
        )
        extra = tuple(((prefix,), host) for prefix, host in (bare_models or {}).items())
        extended._bare_models = extra + self._bare_models
        return extended

    def host(self, prefix: str) -> Host | None:
        """Return the host row for ``prefix``; a planned provider raises saying it is not available yet.

        A two-part prefix names another wire format of a provider (``openai/responses``), and
        ``openai/<model>`` names the Responses row for a Responses-only model (``hosts.RESPONSES_ONLY``).
        """
        host = self._hosts.get(prefix)
        if host is None and "/" in prefix:
            return self._variant(prefix)
        if host is None and prefix in PLANNED:
            raise _not_available(prefix, None)
        return host

    def _variant(self, prefix: str) -> Host | None:
        target = ALIASES.get(prefix)
        provider, _, model = prefix.partition("/")
        if target is None and provider in RESPONSES_ROUTES and responses_only(model):
            target = RESPONSES_ROUTES[provider]
        return self._hosts.get(target) if target is not None else None

    def host_for_bare_model(self, model: str) -> Host | None:
        """Return the host of a well-known bare model name (``claude-*`` → anthropic...).

        Responses-only models (``gpt-5-pro``, ``gpt-5-codex``...) go to the ``responses`` row.
        """
        if responses_only(model) and "responses" in self._hosts:
            return self._hosts["responses"]
        for prefixes, provider in self._bare_models:
            if model.startswith(prefixes):
                host = self._hosts.get(provider)
                if host is None:
                    raise _not_available(provider, model)
                return host
        return None

    @property
    def hosts(self) -> tuple[Host, ...]:
        """Every host row, in registration order."""
        return tuple(self._hosts.values())

    def codec(self, name: str) -> ProviderCodec:
        """Return the codec named ``name``, imported and built once."""
        return self._once(self._codecs, name, _load)

    def auth(self, scheme: AuthScheme) -> Auth:
        """Return the auth for ``scheme``, imported and built once per scheme."""
        return self._once(self._auths, scheme, self._build_auth)

    def _once(self, built: dict[K, V], key: K, build: Callable[[K], V]) -> V:
        """Return ``built[key]``, building it once under the lock (readers after that take no lock)."""
        value = built.get(key)
        if value is not None:
            return value
        with self._lock:
            if key not in built:
                built[key] = build(key)
            return built[key]

    def _build_auth(self, scheme: AuthScheme) -> Auth:
        kind = self._auth_kinds.get(scheme.name)
        if kind is None:
            raise BadRequestError(f"no auth scheme named {scheme.name!r} is registered", "llmport", None)
        factory: Callable[[AuthScheme], Auth] = _import(kind) if isinstance(kind, str) else kind
        return factory(scheme)


def _not_available(provider: str, model: str | None) -> BadRequestError:
    work = PLANNED.get(provider, "a codec of its own")
    subject = f"the {provider!r} provider"
    if model:
        subject = f"{model!r} resolves to the {provider!r} provider, which"
    hint = "; for an OpenAI-compatible server use the 'openai/' prefix with api_base="
    return BadRequestError(
        f"{subject} is not available in llmport yet (it arrives with {work}){hint}",
        provider,
        model,
        param="model",
    )


def _load(name: str) -> ProviderCodec:
    target = CODECS.get(name)
    if target is None:
        raise BadRequestError(f"no codec named {name!r} is registered", "llmport", None, param="model")
    codec: ProviderCodec = _import(target)()
    return codec


def _import(target: str) -> Any:
    """Import ``"module:Name"`` (a leading dot: relative to this package)."""
    module_name, _, name = target.partition(":")
    return getattr(importlib.import_module(module_name, __package__), name)

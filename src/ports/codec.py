"""The provider-codec port: how one wire format is spoken, and where each host is.

A ``Host`` is data (prefix, default base URL, key names, auth scheme, framing, per-host
settings); a ``ProviderCodec`` is behaviour (build the request, parse the response and stream,
map errors). Many hosts share one codec: every OpenAI-compatible vendor is a ``Host`` row over
the OpenAI codec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

from pydantic import SecretStr

from ..domain.models.errors import APIError
from ..domain.models.redaction import redact, url_secrets
from ..domain.models.request import CompletionRequest, TimeoutConfig
from ..domain.models.response import ModelResponse
from ..domain.models.stream import ModelResponseStream
from .auth import Auth, AuthScheme
from .transport import HttpRequest, HttpResponse

BEARER = AuthScheme("bearer")


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ParamRules:
    """How a target treats OpenAI-named body parameters (data, applied by ``select_params``).

    Attributes:
        unsupported: Parameters the target rejects: an ``UnsupportedParamsError``, or dropped
            with ``drop_params``.
        allowed_values: Parameters the target takes with only these values (o-series
            ``temperature`` is 1 only); any other value is treated as unsupported.
        value_maps: Values renamed per parameter, e.g. Mistral's ``tool_choice`` "required" → "any".
        renames: OpenAI name → the target's name, e.g. ``max_tokens`` → ``max_completion_tokens``;
            an explicit value under the target's own name wins.
    """

    unsupported: frozenset[str] = frozenset()
    allowed_values: Mapping[str, tuple[Any, ...]] = field(default_factory=_empty)
    value_maps: Mapping[str, Mapping[Any, Any]] = field(default_factory=_empty)
    renames: Mapping[str, str] = field(default_factory=_empty)

    def __deepcopy__(self, memo: dict[int, Any]) -> ParamRules:
        # An immutable value (read-only mappings, which cannot be copied): a copy is itself. This
        # makes host rows deep-copyable, as dependency-injector copies provider arguments.
        return self

    def __or__(self, other: ParamRules) -> ParamRules:
        """Combine two rule sets; ``other`` wins where both speak of one parameter."""
        return ParamRules(
            unsupported=self.unsupported | other.unsupported,
            allowed_values=MappingProxyType({**self.allowed_values, **other.allowed_values}),
            value_maps=MappingProxyType({**self.value_maps, **other.value_maps}),
            renames=MappingProxyType({**self.renames, **other.renames}),
        )


@dataclass(frozen=True, slots=True)
class ModelRule:
    """Parameter rules for the models of a host whose names start with one of ``prefixes``.

    Attributes:
        prefixes: Model-name prefixes, e.g. ``("o1", "o3", "o4", "gpt-5")``.
        params: The rules those models add to the host's.
        excludes: Prefixes exempted even though they match, e.g. ``"gpt-5-chat"``.
    """

    prefixes: tuple[str, ...]
    params: ParamRules
    excludes: tuple[str, ...] = ()

    def matches(self, model: str) -> bool:
        """Whether ``model`` (the provider-side name, prefix removed) is covered."""
        name = model.rsplit("/", 1)[-1].lower()
        return name.startswith(self.prefixes) and not name.startswith(self.excludes)


@dataclass(frozen=True, slots=True)
class HostSetting:
    """A per-host setting (region, project, location, API version...) and where its value comes from.

    Resolved before the codec runs, into ``ProviderCall.settings``: the call's keywords, then the
    environment (through the credentials port), then ``default``.

    Attributes:
        name: The setting's name in ``ProviderCall.settings`` (``"api_version"``, ``"region"``...).
        kwargs: Call keywords that give it, in order (``("aws_region_name",)``); a keyword used for
            a setting is not sent in the body.
        env: Environment variables that give it, in order.
        default: The value when nothing gives one.
        secret: Whether the value is a credential (scrubbed wherever the call's secrets are).
    """

    name: str
    kwargs: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    default: str | None = None
    secret: bool = False


@dataclass(frozen=True, slots=True)
class Host:
    """Where and how to reach one provider prefix: one row of data, no behaviour.

    Attributes:
        prefix: The model prefix and ``llm_provider`` name, e.g. ``"openai"``.
        codec: The wire format's registry name, e.g. ``"openai"``.
        default_base: The base URL used when neither the call nor the environment gives one.
        key_env: Environment-variable names of the API key, in order of preference.
        base_env: Environment-variable names of the base URL, in order of preference.
        auth: How credentials are put on each attempt (resolved by ``CodecRegistry.auth``); its
            ``required`` says whether a call to the default base without a key fails before sending.
        framing: How a streamed body is framed: ``"sse"``, ``"ndjson"``, ``"json_array"``,
            ``"aws_eventstream"``.
        settings: Per-host settings (``HostSetting``), resolved into ``ProviderCall.settings``.
            ``default_base`` and ``endpoint`` may name them as ``{name}`` (and ``{model}``).
        endpoint: The path the codec appends to the base (a base already ending with it is kept).
        model_namespace: Put before a model id without a slash (Fireworks' ``accounts/fireworks/models/``).
        params: Parameter rules for every model of the host.
        model_rules: Extra parameter rules for model families (reasoning models and the like).
        options: Codec-specific data (URL styles).
        source: Where the row's facts are documented.
        as_of: When the row was last written against ``source`` (ISO date).
    """

    prefix: str
    codec: str
    default_base: str | None
    key_env: tuple[str, ...] = ()
    base_env: tuple[str, ...] = ()
    auth: AuthScheme = BEARER
    framing: str = "sse"
    settings: tuple[HostSetting, ...] = ()
    endpoint: str = "/chat/completions"
    model_namespace: str = ""
    params: ParamRules = field(default_factory=ParamRules)
    model_rules: tuple[ModelRule, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    as_of: str = ""

    def __deepcopy__(self, memo: dict[int, Any]) -> Host:
        # A row is an immutable value (its options a read-only mapping): a copy is itself, so
        # `providers.Singleton(ProviderRegistry, hosts=[row])` works in a host's container.
        return self

    @property
    def key_required(self) -> bool:
        """Whether a call to the default base without a key fails before sending (``auth.required``)."""
        return self.auth.required and self.auth.name != "none"

    def base_for(self, settings: Mapping[str, str]) -> str | None:
        """Return ``default_base`` with its ``{setting}`` placeholders filled.

        Raises:
            KeyError: naming a setting the base needs that ``settings`` lacks.
        """
        base = self.default_base
        return base.format_map(settings) if base and "{" in base else base

    def provider_model(self, model: str) -> str:
        """Return the model id the provider expects: a bare id goes under ``model_namespace``."""
        if not self.model_namespace or "/" in model:
            return model  # already a path, e.g. accounts/<account>/models/<id>
        return self.model_namespace + model

    def rules_for(self, model: str) -> ParamRules:
        """Return the parameter rules for ``model``: the host's, then each matching model rule's."""
        rules = self.params
        for rule in self.model_rules:
            if rule.matches(model):
                rules = rules | rule.params
        return rules


@dataclass(frozen=True, slots=True)
class ProviderCall:
    """Everything a codec needs to build one provider request.

    Attributes:
        request: The checked caller request.
        host: The resolved host row.
        model: The provider-side model (or Azure deployment) name, prefix removed.
        api_base: The base URL to use.
        api_key: The key, if any.
        api_version: The API version, if the host uses one (also ``settings["api_version"]``).
        timeout: Per-attempt timeouts.
        drop_params: Whether parameters the target cannot take are dropped instead of rejected.
        settings: The host's settings, resolved (``Host.settings``).
        params: The body parameters the dispatcher selected (``select_params``: unsupported ones
            refused or dropped, values mapped, names translated); what a codec encodes.
        extra_secrets: Secrets an auth put in play (a refreshed token), scrubbed like the key.
    """

    request: CompletionRequest
    host: Host
    model: str
    api_base: str
    api_key: SecretStr | None
    api_version: str | None
    timeout: TimeoutConfig
    drop_params: bool = False
    settings: Mapping[str, str] = field(default_factory=_empty)
    params: Mapping[str, Any] = field(default_factory=_empty)
    extra_secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def provider(self) -> str:
        """The ``llm_provider`` name."""
        return self.host.prefix

    @property
    def secrets(self) -> tuple[str, ...]:
        """Secret values in play, for scrubbing: the key and any credentials in the base URL."""
        key: tuple[str, ...] = (self.api_key.get_secret_value(),) if self.api_key is not None else ()
        if self.host.settings:  # most hosts have none: this runs several times per call
            key += tuple(s for s in (self.settings.get(h.name) for h in self.host.settings if h.secret) if s)
        return key + self.extra_secrets + url_secrets(self.api_base)

    def with_params(self, params: Mapping[str, Any]) -> ProviderCall:
        """Return this call carrying the selected ``params`` (a direct copy: ``replace`` costs more)."""
        return ProviderCall(
            self.request, self.host, self.model, self.api_base, self.api_key, self.api_version,
            self.timeout, self.drop_params, self.settings, params, self.extra_secrets,
        )  # fmt: skip

    def with_secrets(self, secrets: tuple[str, ...]) -> ProviderCall:
        """Return this call with more secrets in play (an auth's refreshed token)."""
        return ProviderCall(
            self.request, self.host, self.model, self.api_base, self.api_key, self.api_version,
            self.timeout, self.drop_params, self.settings, self.params, self.extra_secrets + secrets,
        )  # fmt: skip

    def __repr__(self) -> str:
        base = redact(self.api_base, self.secrets)
        return f"ProviderCall(provider={self.provider!r}, model={self.model!r}, api_base={base!r})"


class StreamParser(Protocol):
    """Turns a provider's streamed bytes into chunks; one parser per stream."""

    def feed(self, data: bytes) -> list[ModelResponseStream]:
        """Consume the next bytes (split anywhere) and return the chunks they complete."""
        ...

    def finish(self) -> list[ModelResponseStream]:
        """Flush at end of body; raise ``APIConnectionError`` if the terminal event never came."""
        ...


@runtime_checkable
class ProviderCodec(Protocol):
    """One wire format: request building, response and stream parsing, error mapping.

    ``supports_n`` says whether the wire format answers ``n > 1`` itself; when it does not, the
    dispatcher sends n requests and merges them.
    """

    name: str
    version: str
    supports_n: bool
    unsupported_params: frozenset[str]
    """Parameters of litellm's signature the wire format has no place for (``select_params`` refuses them)."""

    def build_request(self, call: ProviderCall) -> HttpRequest:
        """Encode the call as an HTTP request, without credentials (the dispatcher's auth step adds them).

        Encodes ``call.params`` (already selected); raises ``UnsupportedParamsError`` for values it
        cannot map.
        """
        ...

    def parse_response(self, response: HttpResponse, call: ProviderCall) -> ModelResponse:
        """Decode a successful response."""
        ...

    def stream_parser(self, call: ProviderCall) -> StreamParser:
        """Return a fresh parser for one streamed response."""
        ...

    def map_error(
        self, status_code: int, headers: Mapping[str, str], body: bytes, call: ProviderCall
    ) -> APIError:
        """Turn an HTTP error answer into the most specific ``APIError``."""
        ...


@runtime_checkable
class CodecRegistry(Protocol):
    """Finds hosts by prefix or by well-known bare model name, and codecs by name."""

    def host(self, prefix: str) -> Host | None:
        """Return the host row for a prefix, if known."""
        ...

    def host_for_bare_model(self, model: str) -> Host | None:
        """Return the host serving a well-known bare model name (``gpt-4o`` → openai), if any."""
        ...

    def codec(self, name: str) -> ProviderCodec:
        """Return the codec for a wire-format name (loaded on first use)."""
        ...

    def auth(self, scheme: AuthScheme) -> Auth:
        """Return the auth for a host's scheme (built on first use)."""
        ...

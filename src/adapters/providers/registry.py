"""The codec registry: prefix → host row, bare model name → host, codec name → codec (lazy)."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable, Mapping

from ...domain.models.errors import BadRequestError
from ...ports.codec import Host, ProviderCodec
from .hosts import BARE_MODELS, HOSTS, PLANNED

# Codec name → "module:Class", imported on first use so unused wire formats cost nothing.
CODECS: Mapping[str, str] = {
    "openai": ".openai:OpenAICodec",
    "anthropic": ".anthropic.codec:AnthropicCodec",
    "gemini": ".gemini.codec:GeminiCodec",
}


class ProviderRegistry:
    """The default ``CodecRegistry``: hosts as data, codecs imported on first use.

    Args:
        hosts: Host rows (defaults to the built-in table); later rows win on the same prefix.
        codecs: Extra or replacement codec instances by name (e.g. a user's own wire format).
    """

    def __init__(
        self, hosts: Iterable[Host] = HOSTS, codecs: Mapping[str, ProviderCodec] | None = None
    ) -> None:
        self._hosts = {host.prefix: host for host in hosts}
        self._codecs: dict[str, ProviderCodec] = dict(codecs or {})
        self._lock = threading.Lock()

    def host(self, prefix: str) -> Host | None:
        """Return the host row for ``prefix``; a planned provider raises saying it is not available yet."""
        host = self._hosts.get(prefix)
        if host is None and prefix in PLANNED:
            raise _not_available(prefix, None)
        return host

    def host_for_bare_model(self, model: str) -> Host | None:
        """Return the host of a well-known bare model name (``claude-*`` → anthropic...)."""
        for prefixes, provider in BARE_MODELS:
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
        codec = self._codecs.get(name)
        if codec is not None:
            return codec
        with self._lock:
            if name not in self._codecs:
                self._codecs[name] = _load(name)
            return self._codecs[name]

    def register(self, host: Host, codec: ProviderCodec | None = None) -> None:
        """Add or replace a host row (and optionally its codec instance)."""
        self._hosts[host.prefix] = host
        if codec is not None:
            self._codecs[host.codec] = codec


def _not_available(provider: str, model: str | None) -> BadRequestError:
    work = PLANNED.get(provider, "a codec of its own")
    subject = f"the {provider!r} provider"
    if model:
        subject = f"{model!r} resolves to the {provider!r} provider, which"
    hint = (
        f"; with a Google AI Studio key (GEMINI_API_KEY) the route is 'gemini/{model}'"
        if provider == "vertex_ai" and model
        else "; for an OpenAI-compatible server use the 'openai/' prefix with api_base="
    )
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
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(module_name, __package__)
    codec: ProviderCodec = getattr(module, class_name)()
    return codec

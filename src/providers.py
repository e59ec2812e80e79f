"""The public extension API: add a provider as a host row, or a wire format as a codec.

- **A host row** (``Host``) says where and how to reach one model prefix: base URL, key
  variables, auth scheme, stream framing, per-host settings, parameter rules (``ParamRules``,
  ``ModelRule``). An OpenAI-compatible vendor is one row with ``codec="openai"``. Rows are
  immutable values; ``dataclasses.replace(row, prefix=..., default_base=...)`` makes a new one.
- **A codec** (``ProviderCodec``) speaks one wire format: it builds the request from a
  ``ProviderCall``, parses the answer, and makes a ``StreamParser`` for streams (usually a
  ``FramedStream`` of one of the framers and a ``FrameDecoder`` of its own). Errors go through
  ``build_error`` (classification by status and structured code, retry-after, request id,
  secrets scrubbed).
- **The registry** (``ProviderRegistry``) is an immutable value: ``ProviderRegistry()`` holds
  the built-in rows (``HOSTS``), and ``with_hosts``/``with_codecs``/``with_auths``/
  ``with_bare_models`` return extended copies. ``Client(hosts=[...], codecs={...})`` adds to the
  built-ins; a row with a built-in prefix replaces that row.

docs/extending.md walks through both, per client and through the container.
"""

from .adapters.providers._json import json_post
from .adapters.providers.errors import ErrorFields, build_error, decode_body, invalid_response
from .adapters.providers.framing import (
    FRAMERS,
    FramedStream,
    JSONArrayFramer,
    LineFramer,
    SSEEvent,
    SSEFramer,
)
from .adapters.providers.hosts import BARE_MODELS, HOSTS
from .adapters.providers.registry import AUTHS, CODECS, ProviderRegistry
from .ports.auth import Auth, Authorized, AuthScheme
from .ports.codec import (
    CodecRegistry,
    Host,
    HostSetting,
    ModelRule,
    ParamRules,
    ProviderCall,
    ProviderCodec,
    StreamParser,
)
from .ports.framing import FrameDecoder, Framer, FramingError
from .ports.transport import HttpRequest, HttpResponse

__all__ = [
    "AUTHS",
    "BARE_MODELS",
    "CODECS",
    "FRAMERS",
    "HOSTS",
    "Auth",
    "AuthScheme",
    "Authorized",
    "CodecRegistry",
    "ErrorFields",
    "FrameDecoder",
    "FramedStream",
    "Framer",
    "FramingError",
    "Host",
    "HostSetting",
    "HttpRequest",
    "HttpResponse",
    "JSONArrayFramer",
    "LineFramer",
    "ModelRule",
    "ParamRules",
    "ProviderCall",
    "ProviderCodec",
    "ProviderRegistry",
    "SSEEvent",
    "SSEFramer",
    "StreamParser",
    "build_error",
    "decode_body",
    "invalid_response",
    "json_post",
]

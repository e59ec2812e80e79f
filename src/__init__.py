"""llmport: one ``completion()``/``acompletion()`` for every LLM provider.

litellm's call signature, OpenAI-shaped responses and exceptions, a hexagonal core.
``import llmport as litellm`` is the intended drop-in. Importing this package loads nothing
heavy: each public name is imported on first access.
"""

from __future__ import annotations

import importlib as _importlib
import sys as _sys
import types as _types
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

__version__ = "0.1.0"

if _TYPE_CHECKING:
    from . import exceptions as exceptions
    from . import providers as providers
    from . import testing as testing
    from . import types as types
    from .adapters.cache.disk import DiskCache
    from .adapters.cache.memory import MemoryCache
    from .adapters.transport.aiohttp_transport import AiohttpTransport
    from .app.client import Client
    from .app.default import acompletion, completion, current_client, use_client
    from .domain.models.builder import stream_chunk_builder
    from .domain.models.errors import (
        APIConnectionError,
        APIError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadGatewayError,
        BadRequestError,
        ConflictError,
        ContentPolicyViolationError,
        ContextWindowExceededError,
        InternalServerError,
        LLMPortError,
        NetworkDisabledError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ServiceUnavailableError,
        Timeout,
        UnprocessableEntityError,
        UnsupportedParamsError,
    )
    from .domain.models.response import (
        ChatCompletionMessageToolCall,
        Choices,
        CompletionTokensDetails,
        Function,
        FunctionCall,
        Message,
        ModelResponse,
        PromptTokensDetails,
        Usage,
    )
    from .domain.models.stream import (
        ChatCompletionDeltaToolCall,
        CompletionStream,
        CustomStreamWrapper,
        Delta,
        ModelResponseStream,
        StreamingChoices,
    )

_ERRORS = (
    "APIConnectionError", "APIError", "APIResponseValidationError", "APIStatusError",
    "APITimeoutError", "AuthenticationError", "BadGatewayError", "BadRequestError", "ConflictError",
    "ContentPolicyViolationError", "ContextWindowExceededError", "InternalServerError",
    "LLMPortError", "NetworkDisabledError", "NotFoundError", "PermissionDeniedError", "RateLimitError",
    "ServiceUnavailableError", "Timeout", "UnprocessableEntityError", "UnsupportedParamsError",
)  # fmt: skip
_RESPONSE = (
    "ChatCompletionMessageToolCall", "Choices", "CompletionTokensDetails", "Function", "FunctionCall",
    "Message", "ModelResponse", "PromptTokensDetails", "Usage",
)  # fmt: skip
_STREAM = (
    "ChatCompletionDeltaToolCall", "CompletionStream", "CustomStreamWrapper", "Delta",
    "ModelResponseStream", "StreamingChoices",
)  # fmt: skip

_EXPORTS: dict[str, str] = {
    "AiohttpTransport": ".adapters.transport.aiohttp_transport",
    "Client": ".app.client",
    "DiskCache": ".adapters.cache.disk",
    "MemoryCache": ".adapters.cache.memory",
    "completion": ".app.default",
    "acompletion": ".app.default",
    "current_client": ".app.default",
    "use_client": ".app.default",
    "stream_chunk_builder": ".domain.models.builder",
    **dict.fromkeys(_ERRORS, ".domain.models.errors"),
    **dict.fromkeys(_RESPONSE, ".domain.models.response"),
    **dict.fromkeys(_STREAM, ".domain.models.stream"),
}

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AiohttpTransport",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "ChatCompletionDeltaToolCall",
    "ChatCompletionMessageToolCall",
    "Choices",
    "Client",
    "CompletionStream",
    "CompletionTokensDetails",
    "ConflictError",
    "ContentPolicyViolationError",
    "ContextWindowExceededError",
    "CustomStreamWrapper",
    "Delta",
    "DiskCache",
    "Function",
    "FunctionCall",
    "InternalServerError",
    "LLMPortError",
    "MemoryCache",
    "Message",
    "NetworkDisabledError",
    "ModelResponse",
    "ModelResponseStream",
    "NotFoundError",
    "PermissionDeniedError",
    "PromptTokensDetails",
    "RateLimitError",
    "ServiceUnavailableError",
    "StreamingChoices",
    "Timeout",
    "UnprocessableEntityError",
    "UnsupportedParamsError",
    "Usage",
    "acompletion",
    "completion",
    "current_client",
    "stream_chunk_builder",
    "use_client",
]


# litellm's module settings; assigning one configures the default client (see app/settings.py).
_MODULE_SETTINGS = frozenset(
    {"drop_params", "num_retries", "request_timeout", "api_key", "api_base", "set_verbose",
     "suppress_debug_info", "telemetry"}
)  # fmt: skip


# Public submodules, imported on first attribute access (`llmport.exceptions.RateLimitError`).
_SUBMODULES = frozenset({"exceptions", "providers", "testing", "types"})


class _LLMPortModule(_types.ModuleType):
    """The module type of ``llmport``: routes litellm-style setting assignments to the default client."""

    def __setattr__(self, name: str, value: _Any) -> None:
        if name in _MODULE_SETTINGS:
            _importlib.import_module(".app.default", __name__).set_module_setting(name, value)
        elif _rebindable(self, name, value):
            super().__setattr__(name, value)
        else:
            raise _importlib.import_module(".app.settings", __name__).unknown_setting(name)


def _rebindable(module: _types.ModuleType, name: str, value: _Any) -> bool:
    # Submodules, dunders, and rebinding an existing name (a test monkeypatching `completion`).
    existing = name.startswith("__") or name in _EXPORTS or name in module.__dict__
    return existing or isinstance(value, _types.ModuleType)


_sys.modules[__name__].__class__ = _LLMPortModule


def __getattr__(name: str) -> _Any:
    if name in _MODULE_SETTINGS:
        return _importlib.import_module(".app.default", __name__).module_setting(name)
    if name in _SUBMODULES:
        return _importlib.import_module(f".{name}", __name__)  # the import binds it here
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'llmport' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    # Public names only: the exports, the public submodules and the version.
    return sorted({*__all__, *_SUBMODULES, "__version__"})

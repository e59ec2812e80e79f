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
    from . import utils as utils
    from .adapters.cache.disk import DiskCache
    from .adapters.cache.memory import MemoryCache
    from .adapters.cache.redis_cache import RedisCache
    from .adapters.logging.loguru_logger import LoguruLogger
    from .adapters.logging.stdlib_logger import StdlibLogger
    from .adapters.transport.aiohttp_transport import AiohttpTransport
    from .app.batch import acompletion_with_retries, batch_completion, completion_with_retries
    from .app.client import Client
    from .app.cost import completion_cost, cost_per_token, register_model
    from .app.default import acompletion, completion, current_client, use_client
    from .app.environment import check_valid_key, get_llm_provider, validate_environment
    from .app.model_info import (
        ModelNotMappedError,
        get_max_tokens,
        get_model_info,
        get_supported_openai_params,
        model_cost,
        supports_function_calling,
        supports_parallel_function_calling,
        supports_prompt_caching,
        supports_reasoning,
        supports_response_schema,
        supports_vision,
    )
    from .app.router import Router
    from .app.tokens import token_counter
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
        ThoughtSignature,
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
    "Message", "ModelResponse", "PromptTokensDetails", "ThoughtSignature", "Usage",
)  # fmt: skip
_STREAM = (
    "ChatCompletionDeltaToolCall", "CompletionStream", "CustomStreamWrapper", "Delta",
    "ModelResponseStream", "StreamingChoices",
)  # fmt: skip

_EXPORTS: dict[str, str] = {
    "AiohttpTransport": ".adapters.transport.aiohttp_transport",
    "Client": ".app.client",
    "Router": ".app.router",
    "DiskCache": ".adapters.cache.disk",
    "MemoryCache": ".adapters.cache.memory",
    "RedisCache": ".adapters.cache.redis_cache",
    "completion": ".app.default",
    "acompletion": ".app.default",
    "current_client": ".app.default",
    "use_client": ".app.default",
    "stream_chunk_builder": ".domain.models.builder",
    "completion_cost": ".app.cost",
    "cost_per_token": ".app.cost",
    "register_model": ".app.cost",
    "token_counter": ".app.tokens",
    "get_llm_provider": ".app.environment",
    "check_valid_key": ".app.environment",
    "batch_completion": ".app.batch",
    "completion_with_retries": ".app.batch",
    "acompletion_with_retries": ".app.batch",
    "validate_environment": ".app.environment",
    "get_model_info": ".app.model_info",
    "supports_function_calling": ".app.model_info",
    "supports_parallel_function_calling": ".app.model_info",
    "supports_vision": ".app.model_info",
    "supports_response_schema": ".app.model_info",
    "supports_reasoning": ".app.model_info",
    "supports_prompt_caching": ".app.model_info",
    "get_supported_openai_params": ".app.model_info",
    "get_max_tokens": ".app.model_info",
    "ModelNotMappedError": ".app.model_info",
    "model_cost": ".app.model_info",
    "StdlibLogger": ".adapters.logging.stdlib_logger",
    "LoguruLogger": ".adapters.logging.loguru_logger",
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
    "LoguruLogger",
    "MemoryCache",
    "Message",
    "NetworkDisabledError",
    "ModelNotMappedError",
    "ModelResponse",
    "ModelResponseStream",
    "NotFoundError",
    "PermissionDeniedError",
    "PromptTokensDetails",
    "RateLimitError",
    "RedisCache",
    "Router",
    "ServiceUnavailableError",
    "StdlibLogger",
    "StreamingChoices",
    "ThoughtSignature",
    "Timeout",
    "UnprocessableEntityError",
    "UnsupportedParamsError",
    "Usage",
    "acompletion",
    "acompletion_with_retries",
    "batch_completion",
    "check_valid_key",
    "completion",
    "completion_cost",
    "completion_with_retries",
    "cost_per_token",
    "current_client",
    "get_llm_provider",
    "get_max_tokens",
    "get_model_info",
    "get_supported_openai_params",
    "model_cost",
    "register_model",
    "stream_chunk_builder",
    "supports_function_calling",
    "supports_parallel_function_calling",
    "supports_prompt_caching",
    "supports_reasoning",
    "supports_response_schema",
    "supports_vision",
    "token_counter",
    "use_client",
    "validate_environment",
]


# litellm's module settings; assigning one configures the default client (see app/settings.py).
_MODULE_SETTINGS = frozenset(
    {"drop_params", "num_retries", "request_timeout", "api_key", "api_base", "set_verbose",
     "suppress_debug_info", "telemetry", "callbacks", "success_callback", "failure_callback"}
)  # fmt: skip


# litellm APIs beyond chat completions: reading one says so, rather than a bare AttributeError.
_NOT_PROVIDED = {
    **dict.fromkeys(("embedding", "aembedding"), "embeddings"),
    **dict.fromkeys(("image_generation", "aimage_generation"), "image generation"),
    **dict.fromkeys(("transcription", "atranscription", "speech", "aspeech"), "audio"),
    **dict.fromkeys(("moderation", "amoderation"), "moderation"),
    **dict.fromkeys(("text_completion", "atext_completion"), "legacy text completion"),
    # The Responses API itself is a wire format here: completion("responses/<model>", ...).
    **dict.fromkeys(("responses", "aresponses"), "responses() function"),
}  # fmt: skip

# Public submodules, imported on first attribute access (`llmport.exceptions.RateLimitError`).
_SUBMODULES = frozenset({"exceptions", "providers", "testing", "types", "utils"})


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
        kind = _NOT_PROVIDED.get(name)
        reason = "" if kind is None else f": llmport provides chat completions only, not litellm's {kind}"
        raise AttributeError(f"module 'llmport' has no attribute {name!r}{reason}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    # Public names only: the exports, the public submodules and the version.
    return sorted({*__all__, *_SUBMODULES, "__version__"})

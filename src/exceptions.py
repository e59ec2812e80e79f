"""Every exception llmport raises, as ``litellm.exceptions`` names them (also reachable from ``llmport``).

``APIError`` and its subclasses carry ``status_code``, ``llm_provider``, ``model``,
``request_id`` and ``retry_after``; ``BadRequestError`` is also a ``ValueError``.
"""

from .app.model_info import ModelNotMappedError
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

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "ConflictError",
    "ContentPolicyViolationError",
    "ContextWindowExceededError",
    "InternalServerError",
    "LLMPortError",
    "ModelNotMappedError",
    "NetworkDisabledError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServiceUnavailableError",
    "Timeout",
    "UnprocessableEntityError",
    "UnsupportedParamsError",
]

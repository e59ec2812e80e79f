"""The exception tree, mirroring openai-python's under llmport's own base, with litellm's names.

::

    LLMPortError
    └── APIError                          message, status_code, llm_provider, model, request_id, ...
        ├── APIConnectionError            the request did not get an HTTP answer
        │   └── Timeout                   (alias APITimeoutError)
        ├── APIResponseValidationError    an answer we could not parse
        └── APIStatusError                an HTTP error answer
            ├── BadRequestError (also ValueError)             400
            │   ├── ContextWindowExceededError
            │   ├── ContentPolicyViolationError
            │   └── UnsupportedParamsError
            ├── AuthenticationError                         401
            ├── PermissionDeniedError                       403
            ├── NotFoundError                               404
            ├── ConflictError                               409
            ├── UnprocessableEntityError                    422
            ├── RateLimitError                              429
            ├── InternalServerError                         500 and other 5xx
            ├── BadGatewayError                             502
            └── ServiceUnavailableError                     503, 529

Classification uses the HTTP status first and refines it with the provider's structured error
``code``/``type``; it never looks at message text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .redaction import redact


class LLMPortError(Exception):
    """Base of every exception llmport raises."""


class APIError(LLMPortError):
    """An error talking to a provider, or one the provider reported.

    Attributes:
        message: The provider's (or llmport's) message, secrets removed.
        status_code: The HTTP status, when there was one.
        llm_provider: The provider prefix, e.g. ``"openai"``.
        model: The model the call asked for.
        request_id: The provider's request id header, when sent.
        retry_after: Seconds the provider asked us to wait, when it said so (for an HTTP date,
            computed from the dispatcher's clock when the call gives up or retries).
        retry_at: The epoch time the provider named, when its ``retry-after`` was an HTTP date.
        body: The provider's error body (parsed JSON or text), secrets removed.
        code: The provider's structured error code, if any.
        type: The provider's structured error type, if any.
        param: The request parameter the provider blamed, if any.
        headers: Response headers, secret ones removed.
    """

    default_status: int | None = None

    def __init__(
        self,
        message: str,
        llm_provider: str | None = None,
        model: str | None = None,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        retry_at: float | None = None,
        body: object = None,
        code: str | None = None,
        type: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.llm_provider = llm_provider
        self.model = model
        self.status_code = status_code if status_code is not None else self.default_status
        self.request_id = request_id
        self.retry_after = retry_after
        self.retry_at = retry_at
        self.body = body
        self.code = code
        self.type = type
        self.param = param
        self.headers: dict[str, str] = dict(headers or {})

    def __str__(self) -> str:
        where = self.model or ""
        if self.llm_provider and not where.startswith(f"{self.llm_provider}/"):
            where = "/".join(part for part in (self.llm_provider, self.model) if part)
        parts = [f"{type(self).__name__}:"]
        if where:
            parts.append(f"[{where}]")
        if self.status_code is not None:
            parts.append(f"status {self.status_code}:")
        parts.append(self.message)
        if self.request_id:
            parts.append(f"(request_id={self.request_id})")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status_code={self.status_code!r}, "
            f"llm_provider={self.llm_provider!r}, model={self.model!r}, request_id={self.request_id!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments break Exception's default pickling (multiprocessing, caches).
        return (_rebuild, (type(self), self.message, self._fields()))

    def _fields(self) -> dict[str, Any]:
        return {
            "llm_provider": self.llm_provider,
            "model": self.model,
            "status_code": self.status_code,
            "request_id": self.request_id,
            "retry_after": self.retry_after,
            "retry_at": self.retry_at,
            "body": self.body,
            "code": self.code,
            "type": self.type,
            "param": self.param,
            "headers": self.headers,
        }


def _rebuild(cls: type[APIError], message: str, fields: dict[str, Any]) -> APIError:
    return cls(message, **fields)


class APIConnectionError(APIError):
    """The request got no HTTP answer: DNS, refused connection, dropped stream, TLS."""


class Timeout(APIConnectionError):
    """The provider did not answer (or stream) within the timeout."""

    default_status = 408


APITimeoutError = Timeout


class NetworkDisabledError(APIConnectionError):
    """llmport refused to send beyond loopback: network access is off (``LLMPORT_ALLOW_NETWORK=0``).

    Raised before any connection and never retried.
    """


class APIResponseValidationError(APIError):
    """The provider answered, but with something llmport could not parse."""


class APIStatusError(APIError):
    """The provider answered with an HTTP error status."""


class BadRequestError(APIStatusError, ValueError):
    """The request was rejected as invalid (400), or llmport rejected it before sending."""

    default_status = 400


class ContextWindowExceededError(BadRequestError):
    """The prompt (plus requested completion) does not fit the model's context window."""


class ContentPolicyViolationError(BadRequestError):
    """The provider refused the request on content-policy grounds."""


class UnsupportedParamsError(BadRequestError):
    """A parameter the target provider or model cannot take, or llmport does not implement yet."""


class AuthenticationError(APIStatusError):
    """The key is missing, invalid or revoked (401)."""

    default_status = 401


class PermissionDeniedError(APIStatusError):
    """The key is valid but not allowed to do this (403)."""

    default_status = 403


class NotFoundError(APIStatusError):
    """The model, deployment or endpoint does not exist (404)."""

    default_status = 404


class ConflictError(APIStatusError):
    """The provider reported a conflicting concurrent request (409)."""

    default_status = 409


class UnprocessableEntityError(APIStatusError):
    """The request was well-formed but could not be processed (422)."""

    default_status = 422


class RateLimitError(APIStatusError):
    """Too many requests or tokens, or quota exhausted (429)."""

    default_status = 429


class InternalServerError(APIStatusError):
    """The provider failed (500 and 5xx without a more specific class)."""

    default_status = 500


class BadGatewayError(APIStatusError):
    """A gateway in front of the provider failed (502)."""

    default_status = 502


class ServiceUnavailableError(APIStatusError):
    """The provider is overloaded or down (503, Anthropic's 529)."""

    default_status = 503


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: Timeout,
    409: ConflictError,
    413: BadRequestError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    500: InternalServerError,
    502: BadGatewayError,
    503: ServiceUnavailableError,
    504: Timeout,
    529: ServiceUnavailableError,
}

# Structured codes and types from provider error bodies (OpenAI, Azure, Anthropic, Mistral...).
_BY_CODE: dict[str, type[APIError]] = {
    "context_length_exceeded": ContextWindowExceededError,
    "string_above_max_length": ContextWindowExceededError,
    "content_filter": ContentPolicyViolationError,
    "content_policy_violation": ContentPolicyViolationError,
    "responsibleaipolicyviolation": ContentPolicyViolationError,
    "invalid_api_key": AuthenticationError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "permission_denied": PermissionDeniedError,
    "not_found_error": NotFoundError,
    "model_not_found": NotFoundError,
    "deploymentnotfound": NotFoundError,
    "rate_limit_exceeded": RateLimitError,
    "rate_limit_error": RateLimitError,
    "insufficient_quota": RateLimitError,
    "tokens": RateLimitError,
    "requests": RateLimitError,
    "overloaded_error": ServiceUnavailableError,
    "server_error": InternalServerError,
    "api_error": InternalServerError,
    "invalid_request_error": BadRequestError,
    "request_too_large": BadRequestError,
    "timeout_error": Timeout,
}


def classify(status_code: int | None, code: str | None = None, type_: str | None = None) -> type[APIError]:
    """Pick the exception class for an HTTP status and the provider's structured error code/type.

    The status decides the family; a code or type only refines it to a subclass of that family
    (a 401 whose type is ``invalid_request_error`` stays an ``AuthenticationError``). Without a
    status (an error event inside a stream) the code, then the type, decide.

    Args:
        status_code: HTTP status, or None for in-stream errors.
        code: The provider's ``error.code``.
        type_: The provider's ``error.type``.

    Returns:
        The most specific exception class.
    """
    hints = [_BY_CODE.get(key.lower()) for key in (code, type_) if isinstance(key, str)]
    specific = [cls for cls in hints if cls is not None]
    if status_code is None:
        return specific[0] if specific else APIError
    base = _by_status(status_code)
    for cls in specific:
        if issubclass(cls, base):
            return cls
    return base


def _by_status(status_code: int) -> type[APIError]:
    known = _BY_STATUS.get(status_code)
    if known is not None:
        return known
    if status_code >= 500:
        return InternalServerError
    if status_code >= 400:
        return BadRequestError
    return APIStatusError


def bad_request(message: str, *, param: str, model: str | None = None) -> BadRequestError:
    """Build the error raised for invalid input before any network call.

    The message may quote the caller's value, and a value in the wrong place can be a key:
    well-known key shapes are scrubbed here, the call's own key by ``build_request``.
    """
    return BadRequestError(redact(message), "llmport", model, param=param)


def unsupported(
    message: str, *, param: str, provider: str | None, model: str | None
) -> UnsupportedParamsError:
    """Build the error for a parameter the target cannot take (or llmport does not implement yet)."""
    return UnsupportedParamsError(redact(message), provider, model, param=param)

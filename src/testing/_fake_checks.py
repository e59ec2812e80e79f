"""Request checks of the fake OpenAI server: errors, auth, validation, magic models, loopback hosts.

Pure functions over decoded requests; each failed check raises `FakeApiError` carrying the exact
status, body and headers the real provider would send, so the HTTP layer only has to write it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Mapping
from typing import Any

JsonDict = dict[str, Any]

STREAM_DROP_MODEL = "fake-stream-drop"
STREAM_ERROR_MODEL = "fake-stream-error"
CONTEXT_ERROR_MODEL = "fake-error-context"
_MAX_DELAY_MS = 30_000
_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_NOT_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
    "your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not "
    "valid JSON.)"
)
_CONTEXT_MESSAGE = (
    "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 "
    "tokens. Please reduce the length of the messages."
)
_BAD_KEY = "Incorrect API key provided: sk-****. You can find your API key in your account settings."
_NO_KEY = "Incorrect API key provided: <none>. Send one as 'Authorization: Bearer <key>'."
_AZURE_NO_VERSION = "The api-version query parameter (?api-version=) is required for all requests."
_AZURE_BAD_KEY = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
    "valid key for an active subscription and use a correct regional API endpoint for your resource."
)
# (type, code, message) per status, worded like the real API so client error mapping is exercised.
_STATUS_ERRORS: dict[int, tuple[str, str | None, str]] = {
    401: ("invalid_request_error", "invalid_api_key", _BAD_KEY),
    403: ("invalid_request_error", "unsupported_country_region_territory", "Country not supported"),
    404: ("invalid_request_error", "model_not_found", "The model `{model}` does not exist."),
    429: (
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for {model} on requests per min (RPM): Limit 3, Used 3, Requested 1. "
        "Please try again in 1s.",
    ),
    500: ("server_error", None, "The server had an error while processing your request. Sorry about that!"),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


class FakeApiError(Exception):
    """An HTTP error response the fake server sends instead of a completion.

    Attributes:
        status: The HTTP status code.
        payload: The JSON body, already in the provider's error shape.
        headers: Extra response headers (e.g. ``retry-after``).
    """

    def __init__(self, status: int, payload: JsonDict, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.payload = payload
        self.headers = dict(headers or {})


def openai_error(
    status: int,
    message: str,
    *,
    type_: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> FakeApiError:
    """Build a `FakeApiError` with OpenAI's ``{"error": {message, type, param, code}}`` body."""
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    return FakeApiError(status, body, headers)


def _bad_request(message: str, param: str | None, code: str | None = None) -> FakeApiError:
    return openai_error(400, message, param=param, code=code)


def loopback_address(host: str) -> tuple[str, socket.AddressFamily, str]:
    """Return (bind address, address family, host as written in URLs) for a loopback host.

    Raises:
        ValueError: If ``host`` is not ``localhost``, a 127.x.x.x address or ``::1``.
    """
    if host.lower() == "localhost":
        # One concrete family: clients resolving localhost to ::1 first would otherwise miss us.
        return "127.0.0.1", socket.AF_INET, "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise ValueError(f"FakeOpenAIServer only listens on loopback addresses, not {host!r}")
    if address.version == 6:
        return host, socket.AF_INET6, f"[{host}]"
    return host, socket.AF_INET, host


def check_bearer(headers: Mapping[str, str]) -> None:
    """Reject a request without a usable ``Authorization: Bearer`` key, never echoing the key.

    Raises:
        FakeApiError: 401 ``invalid_api_key`` when the key is missing, empty or ``sk-invalid``.
    """
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise openai_error(401, _NO_KEY, code="invalid_api_key")
    if token.strip() == "sk-invalid":
        raise openai_error(401, _BAD_KEY, code="invalid_api_key")


def check_azure(headers: Mapping[str, str], query: Mapping[str, str], *, require_auth: bool) -> None:
    """Apply Azure's checks in Azure's order: ``api-version`` first, then the ``api-key`` header.

    Raises:
        FakeApiError: 400 ``MissingApiVersionParameter`` or 401, in Azure's error shape.
    """
    if not query.get("api-version"):
        raise FakeApiError(
            400, {"error": {"code": "MissingApiVersionParameter", "message": _AZURE_NO_VERSION}}
        )
    key = headers.get("api-key", "").strip()
    if require_auth and key in ("", "sk-invalid"):
        raise FakeApiError(401, {"error": {"code": "401", "message": _AZURE_BAD_KEY}})


def validate_chat_request(body: Any, *, default_model: str | None = None) -> JsonDict:
    """Check a chat request like OpenAI does and return a copy with ``model`` filled in.

    Args:
        body: The decoded JSON body (None when it was not JSON).
        default_model: Used when the body has no model (Azure puts the deployment in the path).

    Returns:
        A shallow copy of ``body`` whose ``model`` is a non-empty string.

    Raises:
        FakeApiError: 400 with OpenAI's error shape, for the first problem found.
    """
    if not isinstance(body, dict):
        raise _bad_request(_NOT_JSON, None)
    checked = dict(body)
    checked.setdefault("model", default_model)
    if not isinstance(checked["model"], str) or not checked["model"]:
        raise _bad_request("you must provide a model parameter", "model")
    _validate_messages(checked.get("messages"))
    _validate_number(checked, "temperature", 0, 2)
    _validate_number(checked, "top_p", 0, 1)
    for name in ("n", "max_tokens", "max_completion_tokens"):
        _validate_positive_int(checked, name)
    if checked.get("stream_options") is not None and checked.get("stream") is not True:
        message = "The 'stream_options' parameter is only allowed when 'stream' is enabled."
        raise _bad_request(message, "stream_options")
    return checked


def _validate_messages(messages: Any) -> None:
    if not isinstance(messages, list) or not messages:
        raise _bad_request("Invalid 'messages': expected a non-empty array of messages.", "messages")
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role is None:
            raise _bad_request(f"Missing required parameter: 'messages[{i}].role'.", "messages")
        if role not in _ROLES:
            raise _bad_request(f"Invalid value for 'messages[{i}].role': {role!r}.", "messages")


def _validate_number(body: JsonDict, name: str, low: float, high: float) -> None:
    value = body.get(name)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad_request(f"Invalid type for '{name}': expected a decimal.", name, "invalid_type")
    if value > high:
        message = (
            f"Invalid '{name}': decimal above maximum value. Expected a value <= {high}, but got {value}."
        )
        raise _bad_request(message, name, "decimal_above_max_value")
    if value < low:
        message = (
            f"Invalid '{name}': decimal below minimum value. Expected a value >= {low}, but got {value}."
        )
        raise _bad_request(message, name, "decimal_below_min_value")


def _validate_positive_int(body: JsonDict, name: str) -> None:
    value = body.get(name)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        message = f"Invalid '{name}': expected an integer >= 1, but got {value!r} instead."
        raise _bad_request(message, name, "integer_below_min_value")


def magic_error(model: str) -> FakeApiError | None:
    """Return the scripted error of ``fake-error-<status>`` / ``fake-error-context``, else None.

    A 429 carries ``retry-after: 1`` like the real API; statuses outside 400-599 are not magic.
    """
    if model == CONTEXT_ERROR_MODEL:
        return _bad_request(_CONTEXT_MESSAGE, "messages", "context_length_exceeded")
    match = re.fullmatch(r"fake-error-(\d{3})", model)
    status = int(match.group(1)) if match else 0
    if not 400 <= status <= 599:
        return None
    default_type = "invalid_request_error" if status < 500 else "server_error"
    type_, code, message = _STATUS_ERRORS.get(status, (default_type, None, f"Fake HTTP {status} error."))
    headers = {"retry-after": "1", "x-ratelimit-remaining-requests": "0"} if status == 429 else {}
    return openai_error(status, message.format(model=model), type_=type_, code=code, headers=headers)


def magic_delay(model: str) -> float:
    """Return the seconds to wait before answering ``fake-delay-<ms>`` (capped at 30 s), else 0."""
    match = re.fullmatch(r"fake-delay-(\d+)", model)
    return min(int(match.group(1)), _MAX_DELAY_MS) / 1000 if match else 0.0


def models_list() -> JsonDict:
    """Return the ``GET /v1/models`` body: a few ordinary ids plus the magic ones."""
    magic = ["fake-error-429", "fake-error-500", "fake-error-503", CONTEXT_ERROR_MODEL]
    ids = ["gpt-4o-mini", "gpt-4o", "gpt-3.5-turbo", *magic, STREAM_DROP_MODEL, STREAM_ERROR_MODEL]
    data = [{"id": i, "object": "model", "created": 1_700_000_000, "owned_by": "llmport-fake"} for i in ids]
    return {"object": "list", "data": data}

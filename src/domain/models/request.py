"""A completion request after checking: what to send, and how to send it.

``build_request`` is the single place where caller keywords are sorted into body parameters,
client-side options and provider-specific extras, and where bad input is rejected (before any
network call) with a ``BadRequestError`` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel, SecretStr

from . import client_options as checks
from .cache_control import CacheControl
from .errors import BadRequestError, bad_request, unsupported
from .fallback_entries import FallbackEntry, parse_fallbacks
from .messages import normalize_messages
from .params import BODY_PARAMS, CLIENT_PARAMS, NOT_YET, NOT_YET_PREFIXES
from .redaction import header_secrets, redact, url_secrets
from .schema import response_format_for
from .validation import check_body, check_headers


@dataclass(frozen=True, slots=True)
class TimeoutConfig:
    """Per-attempt timeouts in seconds (None: wait forever), as ``httpx.Timeout`` splits them."""

    connect: float | None = 5.0
    read: float | None = 600.0
    write: float | None = 600.0
    pool: float | None = 600.0

    @classmethod
    def parse(cls, value: object) -> TimeoutConfig:
        """Accept seconds (number or numeric string) or an ``httpx.Timeout``-like object."""
        if isinstance(value, TimeoutConfig):
            return value
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            seconds = _seconds(value)
            return cls(connect=seconds, read=seconds, write=seconds, pool=seconds)
        if all(hasattr(value, name) for name in ("connect", "read", "write", "pool")):
            return cls(
                *(_optional_seconds(getattr(value, name)) for name in ("connect", "read", "write", "pool"))
            )
        raise bad_request(
            f"timeout must be seconds or an httpx.Timeout, got {type(value).__name__}", param="timeout"
        )


def _seconds(value: float | str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is None:
        # Raised outside the except block: float()'s error, quoting the value, is not chained.
        raise bad_request(f"timeout must be a number of seconds, got {value!r}", param="timeout")
    if not 0 < seconds < math.inf:  # NaN fails too
        raise bad_request(
            f"timeout must be a positive, finite number of seconds, got {value!r}", param="timeout"
        )
    return seconds


def _optional_seconds(value: object) -> float | None:
    return None if value is None else _seconds(value)  # type: ignore[arg-type]


_NO_CACHE_CONTROL = CacheControl()  # immutable: one shared default, not one built per call


@dataclass(frozen=True, slots=True)
class CallOptions:
    """Client-side options of one call; none of them reaches the request body as such."""

    timeout: TimeoutConfig | None = None
    api_key: SecretStr | None = None
    api_base: str | None = None
    api_version: str | None = None
    custom_llm_provider: str | None = None
    deployment_id: str | None = None
    organization: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    extra_body: Mapping[str, Any] = field(default_factory=dict)
    drop_params: bool | None = None
    additional_drop_params: tuple[str, ...] = ()
    metadata: Mapping[str, Any] | None = None
    call_id: str | None = None
    mock_response: object = None
    mock_tool_calls: tuple[dict[str, Any], ...] | None = None
    num_retries: int | None = None
    response_model: type[BaseModel] | None = None
    cache: CacheControl = _NO_CACHE_CONTROL
    not_implemented: tuple[str, ...] = ()
    fallbacks: tuple[FallbackEntry, ...] = ()
    deadline: float | None = None
    callbacks: tuple[tuple[str, object], ...] = ()
    """The call's own callbacks, each tagged ``"any"`` (``callbacks=``), ``"success"`` or ``"failure"``."""

    def __repr__(self) -> str:
        # Only names: api_base can carry credentials, extra headers a key, metadata anything.
        set_names = [name for name in self.__dataclass_fields__ if getattr(self, name) not in (None, {}, ())]
        return f"CallOptions(set={set_names})"


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    """A checked request: the model as named by the caller, wire-ready messages and parameters.

    Attributes:
        model: The caller's model string, e.g. ``"openai/gpt-4o"`` or ``"gpt-4o"``.
        messages: Normalised message dicts.
        params: Body parameters that were set (OpenAI names), plus provider-specific extras.
        stream: Whether the caller asked for a stream.
        options: Client-side options.
    """

    model: str
    messages: list[dict[str, Any]]
    params: dict[str, Any]
    stream: bool
    options: CallOptions

    def __repr__(self) -> str:
        # Messages can be large and private; the repr names the shape, not the content.
        return (
            f"CompletionRequest(model={self.model!r}, messages=<{len(self.messages)}>, "
            f"params={sorted(self.params)}, stream={self.stream})"
        )


def build_request(model: object, messages: object, kwargs: Mapping[str, Any]) -> CompletionRequest:
    """Check the caller's arguments and sort them into a ``CompletionRequest``.

    Args:
        model: The ``model`` argument.
        messages: The ``messages`` argument.
        kwargs: Every other keyword argument of the call.

    Returns:
        The checked request.

    Raises:
        BadRequestError: for invalid input, naming the field (the call's key scrubbed from it).
    """
    try:
        return _build_request(model, messages, kwargs)
    except BadRequestError as error:
        # A value in the wrong place may be the key (timeout=<key>); errors may quote values.
        secrets = _call_secrets(kwargs)
        error.message = redact(error.message, secrets)
        error.args = (error.message,)
        raise


def _call_secrets(kwargs: Mapping[str, Any]) -> tuple[str, ...]:
    key = kwargs.get("api_key")
    secret = key.get_secret_value() if isinstance(key, SecretStr) else key
    bases = (kwargs.get("api_base"), kwargs.get("base_url"))
    found = [secret] if isinstance(secret, str) else []
    for base in bases:
        found += url_secrets(base) if isinstance(base, str) else ()
    headers = kwargs.get("extra_headers")
    if isinstance(headers, Mapping):
        found += header_secrets({str(name): value for name, value in headers.items()})
    return tuple(found)


def _build_request(model: object, messages: object, kwargs: Mapping[str, Any]) -> CompletionRequest:
    if not isinstance(model, str) or not model.strip():
        raise bad_request(f"model must be a non-empty string, got {model!r}", param="model")
    wire_messages = normalize_messages(messages, model=model)
    if not wire_messages:
        raise bad_request("messages must contain at least one message", param="messages", model=model)
    params: dict[str, Any] = {}
    client: dict[str, Any] = {}
    for name, value in kwargs.items():
        if _not_yet(name, value) is not None:
            client.setdefault("not_implemented", []).append(name)
        elif name in CLIENT_PARAMS:
            client[name] = value
        elif value is not None:
            params[name] = value  # known OpenAI parameters and provider-specific extras alike
    stream = _stream_flag(params.pop("stream", None))
    _check_params(params, model)
    response_model = _response_model(params)
    options = _options(client, model, response_model)
    if client.get("fallbacks") or client.get("context_window_fallbacks"):
        options = replace(options, fallbacks=parse_fallbacks(kwargs, wire_messages, model, build_request))
    body = {name: value for name, value in params.items() if name not in _CHECKED_LISTS}
    check_body(model, messages=wire_messages, **body, extra_body=options.extra_body)
    check_headers(options.extra_headers, model)
    return CompletionRequest(
        model=model, messages=wire_messages, params=params, stream=stream, options=options
    )


def _not_yet(name: str, value: object) -> str | None:
    if value is None or value is False or name in BODY_PARAMS:
        return None
    return NOT_YET.get(name) or next(
        (why for prefix, why in NOT_YET_PREFIXES.items() if name.startswith(prefix)), None
    )


def reject_not_implemented(request: CompletionRequest) -> None:
    """Raise for a litellm client-side parameter llmport does not implement yet.

    Called after routing, so a call naming an unavailable provider hears about the provider first.

    Raises:
        UnsupportedParamsError: naming the parameter and the work that brings it.
    """
    for name in request.options.not_implemented:
        raise unsupported(
            f"{name} is not implemented in llmport yet: {_not_yet(name, True)}",
            param=name,
            provider=None,
            model=request.model,
        )


def _stream_flag(value: object) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise bad_request(f"stream must be a bool, got {value!r}", param="stream")
    return value


def _check_params(params: dict[str, Any], model: str) -> None:
    n = params.get("n")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise bad_request(f"n must be a positive integer, got {n!r}", param="n", model=model)
    for name in _CHECKED_LISTS:
        _check_json_list(params, name, model)


_CHECKED_LISTS = ("tools", "functions")  # checked item by item by _check_json_list


def _check_json_list(params: dict[str, Any], name: str, model: str) -> None:
    value = params.get(name)
    if value is None:
        return
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise bad_request(
            f"{name} must be a list of dicts, got {type(value).__name__}", param=name, model=model
        )
    items = list(value)
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise bad_request(f"{name}[{index}] must be a dict", param=f"{name}[{index}]", model=model)
        check_body(model, **{f"{name}[{index}]": item})
    params[name] = items


def _response_model(params: dict[str, Any]) -> type[BaseModel] | None:
    value = params.get("response_format")
    if isinstance(value, type) and issubclass(value, BaseModel):
        params["response_format"] = response_format_for(value)
        return value
    if value is not None and not isinstance(value, Mapping):
        raise bad_request("response_format must be a dict or a pydantic model class", param="response_format")
    return None


def _options(client: dict[str, Any], model: str, response_model: type[BaseModel] | None) -> CallOptions:
    get = client.get
    api_key = get("api_key")
    timeout = get("timeout", get("request_timeout"))
    # Most calls give only a key, a base or a timeout: the other options are checked when given.
    rare = {} if client.keys().isdisjoint(_RARE_OPTIONS) else _rare_options(client, model)
    return CallOptions(
        timeout=None if timeout is None else TimeoutConfig.parse(timeout),
        api_key=None if api_key is None else _secret(api_key, model),
        api_base=get("api_base") or get("base_url"),
        api_version=get("api_version"),
        custom_llm_provider=get("custom_llm_provider"),
        deployment_id=get("deployment_id"),
        organization=get("organization"),
        drop_params=get("drop_params"),
        response_model=response_model,
        **rare,
    )


def _rare_options(client: dict[str, Any], model: str) -> dict[str, Any]:
    get = client.get
    retries_name = "num_retries" if get("num_retries") is not None else "max_retries"
    headers = {**(get("headers") or {}), **(get("extra_headers") or {})}
    return {
        "extra_headers": {str(k): str(v) for k, v in headers.items()},
        "extra_body": dict(get("extra_body") or {}),
        "additional_drop_params": tuple(get("additional_drop_params") or ()),
        "metadata": checks.metadata(get("metadata"), model),
        "call_id": checks.call_id(get("litellm_call_id"), model),
        "mock_response": get("mock_response"),
        "mock_tool_calls": checks.mock_tool_calls(get("mock_tool_calls"), model),
        "num_retries": _retries(get(retries_name), retries_name, model),
        "cache": CacheControl.parse(get("caching"), get("cache"), model),
        "not_implemented": tuple(get("not_implemented", ())),
        "deadline": _deadline(get("deadline"), model),
        "callbacks": _callbacks(client),
    }


# The options `_options` reads itself; every other client keyword (and the not-implemented list the
# caller's keywords may add) takes `_rare_options`, so a keyword added to the table is never skipped.
_COMMON_OPTIONS = frozenset(
    {
        "api_key", "timeout", "request_timeout", "api_base", "base_url", "api_version",
        "custom_llm_provider", "deployment_id", "organization", "drop_params",
    }
)  # fmt: skip
_RARE_OPTIONS = (CLIENT_PARAMS | {"not_implemented"}) - _COMMON_OPTIONS


_CALLBACK_KINDS = {"callbacks": "any", "success_callback": "success", "failure_callback": "failure"}


def _callbacks(client: Mapping[str, Any]) -> tuple[tuple[str, object], ...]:
    if client.keys().isdisjoint(_CALLBACK_KINDS):
        return ()
    found: list[tuple[str, object]] = []
    for name, kind in _CALLBACK_KINDS.items():
        value = client.get(name)
        if value is None:
            continue
        if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
            raise bad_request(f"{name} must be a list of callbacks", param=name)
        for index, item in enumerate(value):
            if isinstance(item, str):
                raise bad_request(
                    f"{name}[{index}] names a litellm integration ({item!r}); llmport takes callables "
                    "and CustomLogger objects only",
                    param=f"{name}[{index}]",
                )
            found.append((kind, item))
    return tuple(found)


def _deadline(value: object, model: str) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise bad_request(
            f"deadline must be a positive number of seconds, got {value!r}", param="deadline", model=model
        )
    return float(value)


def _secret(value: object, model: str) -> SecretStr:
    if isinstance(value, SecretStr):
        return value
    if not isinstance(value, str):
        raise bad_request("api_key must be a string", param="api_key", model=model)
    return SecretStr(value)


def _retries(value: object, name: str, model: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_request(f"{name} must be a non-negative integer, got {value!r}", param=name, model=model)
    return value

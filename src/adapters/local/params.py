"""OpenAI chat-completions body -> keyword arguments of llama-cpp-python's ``create_chat_completion``.

Omitted sampling parameters take OpenAI's defaults (temperature 1, top_p 1), not llama.cpp's,
because the caller speaks the OpenAI wire format; ``repeat_penalty`` is pinned to 1.0 (no
penalty) unless the caller asks for one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..providers.hosts import LOCAL_REFUSED
from .models import LocalError

# Sent by llmport's OpenAI codec but meaningless in-process: accepted and ignored.
IGNORED = frozenset({"model", "messages", "stream", "stream_options", "user", "metadata", "store"})
# Parameters a local model cannot honour: refused rather than silently dropped. The host row
# declares the same set, so the codec refuses (or, with drop_params, drops) them before sending.
REFUSED = LOCAL_REFUSED
_NUMBERS = ("temperature", "top_p", "min_p", "presence_penalty", "frequency_penalty", "repeat_penalty")
_INTEGERS = ("top_k", "seed")


@dataclass(frozen=True)
class Generation:
    """One decoded request: how many choices, whether streamed, and llama.cpp's arguments."""

    model: str
    messages: list[dict[str, Any]]
    n: int
    stream: bool
    include_usage: bool
    kwargs: dict[str, Any]


def decode(body: Any) -> Generation:
    """Check an OpenAI chat body and translate it.

    Raises:
        LocalError: 400 naming the field for anything missing, malformed or unsupported.
    """
    if not isinstance(body, Mapping):
        raise LocalError(400, "the request body is not a JSON object")
    model, messages = body.get("model"), body.get("messages")
    if not isinstance(model, str) or not model:
        raise LocalError(400, "model is required", param="model")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise LocalError(400, "messages must be a non-empty list of message objects", param="messages")
    for name in body:
        if name in REFUSED:
            raise LocalError(400, f"local models do not support {name!r}", "unsupported_parameter", name)
    options = body.get("stream_options")
    return Generation(
        model=model,
        messages=[_plain(message) for message in messages],
        n=_count(body.get("n")),
        stream=bool(body.get("stream")),
        include_usage=isinstance(options, Mapping) and bool(options.get("include_usage")),
        kwargs=_sampling(body),
    )


def _sampling(body: Mapping[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"temperature": 1.0, "top_p": 1.0, "repeat_penalty": 1.0}
    for name in _NUMBERS:
        if body.get(name) is not None:
            kwargs[name] = _number(body[name], name)
    for name in _INTEGERS:
        if body.get(name) is not None:
            kwargs[name] = _integer(body[name], name)
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if limit is not None:
        kwargs["max_tokens"] = _integer(limit, "max_tokens", minimum=1)
    if body.get("stop") is not None:
        kwargs["stop"] = _stop(body["stop"])
    if body.get("logit_bias") is not None:
        kwargs["logit_bias"] = _logit_bias(body["logit_bias"])
    response_format = _response_format(body.get("response_format"))
    if response_format is not None:
        kwargs["response_format"] = response_format
    return kwargs


def _plain(message: dict[str, Any]) -> dict[str, Any]:
    # Chat templates render text; OpenAI's list-of-parts content is joined to its text parts.
    content = message.get("content")
    if isinstance(content, list):
        texts = [part.get("text", "") for part in content if isinstance(part, dict)]
        if len(texts) != len(content) or any(p.get("type") != "text" for p in content):
            raise LocalError(400, "local models take text content only", param="messages")
        return {**message, "content": "".join(texts)}
    return message


def _count(value: Any) -> int:
    if value is None:
        return 1
    return _integer(value, "n", minimum=1)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LocalError(400, f"{name} must be a number, got {value!r}", param=name)
    return float(value)


def _integer(value: Any, name: str, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LocalError(400, f"{name} must be an integer, got {value!r}", param=name)
    if minimum is not None and value < minimum:
        raise LocalError(400, f"{name} must be at least {minimum}, got {value}", param=name)
    return value


def _stop(value: Any) -> list[str]:
    stops = [value] if isinstance(value, str) else value
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
        raise LocalError(400, "stop must be a string or a list of strings", param="stop")
    return list(stops)


def _logit_bias(value: Any) -> dict[int, float]:
    try:
        return {int(token): float(bias) for token, bias in dict(value).items()}
    except (TypeError, ValueError):
        raise LocalError(400, "logit_bias must map token ids to numbers", param="logit_bias") from None


def _response_format(value: Any) -> dict[str, Any] | None:
    """OpenAI's response_format -> llama-cpp-python's (``json_object`` with an optional schema)."""
    if value is None:
        return None
    kind = value.get("type") if isinstance(value, Mapping) else None
    if kind == "text":
        return None
    if kind == "json_object":
        schema = value.get("schema")
        return {"type": "json_object", **({"schema": schema} if isinstance(schema, Mapping) else {})}
    if kind == "json_schema":
        spec = value.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        if not isinstance(schema, Mapping):
            raise LocalError(400, "response_format.json_schema.schema is required", param="response_format")
        return {"type": "json_object", "schema": dict(schema)}
    raise LocalError(
        400,
        f"response_format type {kind!r} is not one of text, json_object, json_schema",
        param="response_format",
    )

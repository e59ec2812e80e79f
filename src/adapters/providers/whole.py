"""A whole (non-streamed) answer folded through a codec's stream assembler: one rule for every codec.

Codecs that parse a whole answer by turning it into the events a stream would have sent share
what happens around that fold: a body of the wrong shape is an ``APIResponseValidationError``
(raised outside the ``except`` block, so an error quoting the body, which may echo the key, is
not chained), a mapped ``APIError`` passes through, and the chunks are built into one response.
"""

from __future__ import annotations

from collections.abc import Callable

from ...domain.models.builder import stream_chunk_builder
from ...domain.models.errors import APIError
from ...domain.models.response import ModelResponse
from ...domain.models.stream import ModelResponseStream
from ...ports.codec import ProviderCall
from .errors import invalid_response


def fold_whole(
    chunks: Callable[[], list[ModelResponseStream]], shape: str, content: bytes, call: ProviderCall
) -> ModelResponse:
    """Build the response from the chunks ``chunks()`` makes of a whole answer of ``shape``."""
    try:
        made = chunks()
    except APIError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError):
        made = None
    if made is None:
        raise invalid_response(f"the provider's answer does not have the {shape} shape", content, call)
    built = stream_chunk_builder(made)
    if built is None:
        raise invalid_response("the provider's answer is empty", content, call)
    return built

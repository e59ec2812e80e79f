"""Stream framers and the one framed-stream life cycle every codec shares.

``FRAMERS`` maps a host row's ``framing`` name to its framer class; a codec builds
``FramedStream(framer, its FrameDecoder, call)`` as its ``StreamParser``.
"""

from collections.abc import Callable, Mapping
from typing import Any

from ....ports.framing import FrameDecoder, Framer, FramingError
from ..sse import SSEEvent, SSEFramer
from .json_array import JSONArrayFramer
from .lines import LineFramer
from .stream import CUT_MESSAGE, FramedStream

FRAMERS: Mapping[str, Callable[[], Framer[Any]]] = {
    "sse": SSEFramer,
    "ndjson": LineFramer,
    "json_array": JSONArrayFramer,
}

__all__ = [
    "CUT_MESSAGE",
    "FRAMERS",
    "FrameDecoder",
    "FramedStream",
    "Framer",
    "FramingError",
    "JSONArrayFramer",
    "LineFramer",
    "SSEEvent",
    "SSEFramer",
]

"""Building AWS event-stream bodies for tests, checked by botocore's own decoder.

The encoder lives with the fake transport's reply builders (``bedrock_stream`` uses it); this
module keeps its public names where tests and the fake Bedrock server import them.
"""

from ..adapters.transport.fake_eventstream import (
    encode_frame,
    error_frame,
    event_frame,
    event_stream,
    events_body,
    events_from_lines,
    exception_frame,
)

__all__ = [
    "encode_frame",
    "error_frame",
    "event_frame",
    "event_stream",
    "events_body",
    "events_from_lines",
    "exception_frame",
]

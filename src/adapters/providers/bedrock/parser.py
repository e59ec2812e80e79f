"""The ConverseStream parser: AWS event-stream frames through the ``ConverseDecoder``.

Chunks decoded before a failure still reach the caller, however the bytes were split; the
failure (an ``exception`` frame, a broken frame) is raised on the next call. A body that ends
before ``messageStop`` and ``metadata`` raises ``APIConnectionError``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ....domain.models.errors import APIConnectionError, APIError
from ....domain.models.stream import ModelResponseStream
from ....ports.codec import ProviderCall
from ..errors import invalid_response
from .eventstream import AWSEventStreamFramer, EventFrame, EventStreamError
from .stream import ConverseDecoder

CUT_MESSAGE = "the Bedrock stream ended before messageStop and metadata"


class ConverseStreamParser:
    """Decodes a ConverseStream body (split anywhere) into chunks (a ``StreamParser``)."""

    def __init__(self, call: ProviderCall, json_tool: str | None, names: Mapping[str, str]) -> None:
        self._call = call
        self._framer = AWSEventStreamFramer()
        self._decoder = ConverseDecoder(call, json_tool, names)
        self._failure: APIError | None = None

    def feed(self, data: bytes) -> list[ModelResponseStream]:
        """Consume bytes; return the chunks they complete."""
        self._raise_pending()
        try:
            frames = self._framer.feed(data)
        except EventStreamError as error:
            raise invalid_response(str(error), b"", self._call) from None
        return self._collect(frames)

    def finish(self) -> list[ModelResponseStream]:
        """Flush; raise ``APIConnectionError`` when the stream was cut short."""
        self._raise_pending()
        if not self._framer.failed and not self._decoder.done:
            raise APIConnectionError(CUT_MESSAGE, self._call.provider, self._call.request.model)
        try:
            self._framer.finish()
        except EventStreamError as error:
            raise invalid_response(str(error), b"", self._call) from None
        return self._decoder.finish()

    def _raise_pending(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def _collect(self, frames: list[EventFrame]) -> list[ModelResponseStream]:
        chunks: list[ModelResponseStream] = []
        for frame in frames:
            if self._decoder.done:
                break
            try:
                chunks += self._decoder.decode(frame.headers, frame.payload)
            except APIError as failure:
                self._failure = failure
                break
        return chunks

"""The OpenAI Responses codec: ``POST {base}/responses`` (or Azure's), JSON and typed SSE events.

Request translation lives in ``request``; answers, whole or streamed, go through the one
``events.ResponsesEvents`` decoder. Byte framing is the shared ``SSEFramer``'s job
(``FramedStream``): this codec only decodes one event at a time (``ResponsesEventDecoder``).
Credentials are the host row's ``auth`` (bearer for OpenAI, ``api-key`` for Azure).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ....domain.models.builder import stream_chunk_builder
from ....domain.models.errors import APIError
from ....domain.models.response import ModelResponse
from ....domain.models.stream import ModelResponseStream
from ....ports.codec import ProviderCall
from ....ports.transport import HttpRequest, HttpResponse
from .._json import json_post
from ..errors import build_error, decode_body, event_object, invalid_response, openai_error_fields
from ..framing import FramedStream, SSEEvent, SSEFramer
from ..hosts import is_reasoning_model
from ..openai import _headers
from ..urls import split_query, with_query
from .events import ResponsesEvents, response_events
from .request import UNSUPPORTED, input_items, request_fields

AZURE_PATH = "/openai/responses"


class ResponsesCodec:
    """Speaks the OpenAI Responses API for chat-shaped calls (OpenAI and Azure OpenAI)."""

    name = "responses"
    version = "1"
    supports_n = False
    unsupported_params = UNSUPPORTED

    def build_request(self, call: ProviderCall) -> HttpRequest:
        """Encode ``call`` as a Responses request.

        Raises:
            UnsupportedParamsError: for an OpenAI parameter the Responses API cannot take (unless dropped).
            BadRequestError: for a message the Responses API cannot take.
        """
        params = dict(call.params)
        instructions, items = input_items(call.request.messages, call.request.model)
        body: dict[str, Any] = {"model": call.model, "input": items}
        if instructions is not None:
            body["instructions"] = instructions
        body.update(request_fields(call, params, is_reasoning_model(call.model)))
        body["stream"] = call.request.stream
        body.update(call.request.options.extra_body)
        return json_post(call, _url(call), _headers(call), body)

    def parse_response(self, response: HttpResponse, call: ProviderCall) -> ModelResponse:
        """Decode a whole response by folding it through the stream's event decoder."""
        data = decode_body(response.content)
        if not isinstance(data, dict) or data.get("object") not in (None, "response"):
            raise invalid_response("the provider's answer is not a JSON response", response.content, call)
        if "error" in data and "output" not in data:
            raise build_error(response.status_code, response.headers, data, call, openai_error_fields)
        if not isinstance(data.get("output"), list):
            raise invalid_response("the provider's answer has no output list", response.content, call)
        events = ResponsesEvents(call)
        try:
            chunks = [chunk for event in response_events(data) for chunk in events.event(event)]
        except APIError:
            raise
        except (AttributeError, KeyError, TypeError, ValueError):
            chunks = None
        if chunks is None:
            # Raised outside the except block, so an error quoting the body is not chained.
            raise invalid_response(
                "the provider's answer does not have the Responses shape", response.content, call
            )
        built = stream_chunk_builder(chunks) if events.done else None
        if built is None:
            raise invalid_response(f"the response is not finished (status {data.get('status')!r})", b"", call)
        return built

    def stream_parser(self, call: ProviderCall) -> FramedStream[SSEEvent]:
        """Return a parser for one streamed response: SSE frames through ``ResponsesEventDecoder``."""
        return FramedStream(SSEFramer(), ResponsesEventDecoder(call), call, CUT_MESSAGE)

    def map_error(
        self, status_code: int, headers: Mapping[str, str], body: bytes, call: ProviderCall
    ) -> APIError:
        """Map an HTTP error answer (OpenAI's error body)."""
        return build_error(status_code, headers, decode_body(body), call, openai_error_fields)


CUT_MESSAGE = "the Responses stream ended before response.completed"


class ResponsesEventDecoder:
    """Decodes Responses SSE events into chunks (a ``FrameDecoder``).

    Done at ``response.completed`` or ``response.incomplete``; ``error`` and ``response.failed``
    raise the mapped error.
    """

    def __init__(self, call: ProviderCall) -> None:
        self._call = call
        self._events = ResponsesEvents(call)

    @property
    def done(self) -> bool:
        """Whether the terminal event was seen."""
        return self._events.done

    def finish(self) -> list[ModelResponseStream]:
        """Nothing is held back; without the terminal event the stream is incomplete."""
        return []

    def decode(self, event: SSEEvent) -> list[ModelResponseStream]:
        """Decode one event's JSON payload (the ``event:`` name repeats its ``type``)."""
        if event.data.strip() == "[DONE]":
            return []  # not the Responses API's, but relays re-framing its events add it
        try:
            return self._events.event(event_object(event.data, self._call, "a Responses stream event"))
        except APIError:
            raise
        except (AttributeError, KeyError, TypeError, ValueError):
            pass
        raise invalid_response("a Responses stream event is malformed", event.data.encode(), self._call)


def _url(call: ProviderCall) -> str:
    # A query on the base (an APIM subscription key...) stays at the end of the URL.
    base, query = split_query(call.api_base)
    endpoint = call.host.endpoint
    if base.endswith(endpoint):
        return with_query(base, query)  # a full URL, litellm users' habit
    if call.host.options.get("url") != "azure" or "/openai/v1" in base:
        return with_query(base + endpoint, query)  # OpenAI, and a base already naming Azure's v1 API
    if call.api_version:  # Azure's dated preview API
        url = with_query(f"{base}{AZURE_PATH}", query)
        return with_query(url, f"api-version={quote(call.api_version)}")
    return with_query(f"{base}/openai/v1{endpoint}", query)  # Azure's v1 API takes no api-version

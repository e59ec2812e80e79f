"""The Cohere v2 chat codec: ``POST {base}/v2/chat``, JSON and SSE with ``event:`` lines (bearer key).

Request translation lives in ``request``; answers, whole or streamed, go through the one
``stream.CohereAssembler``. The assistant's ``tool_plan`` is kept on the message (whole answers)
or in ``provider_specific_fields`` (stream chunks) and sent back with the tool calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ....domain.models.builder import stream_chunk_builder
from ....domain.models.errors import APIError
from ....domain.models.response import ModelResponse
from ....ports.codec import ProviderCall
from ....ports.transport import HttpRequest, HttpResponse
from .._json import json_post
from ..errors import ErrorFields, build_error, decode_body, invalid_response
from ..framing import FramedStream, SSEEvent, SSEFramer
from .errors import cohere_error_fields, status_code_hint
from .request import UNSUPPORTED, cohere_messages, request_fields
from .stream import CUT_MESSAGE, CohereAssembler, CohereEventDecoder, message_events

USER_AGENT = "llmport/0.1"


class CohereCodec:
    """Speaks Cohere's v2 chat API."""

    name = "cohere"
    version = "1"
    supports_n = False
    unsupported_params = UNSUPPORTED

    def build_request(self, call: ProviderCall) -> HttpRequest:
        """Encode ``call`` as a v2 chat request.

        Raises:
            UnsupportedParamsError: for a parameter Cohere does not accept (unless dropped).
            BadRequestError: for a message or value Cohere cannot take, naming it.
        """
        body: dict[str, Any] = {
            "model": call.model,
            "messages": cohere_messages(call.request.messages, call.request.model),
        }
        body.update(request_fields(call))
        if call.request.stream:
            body["stream"] = True
        body.update(call.request.options.extra_body)
        return json_post(call, _url(call), _headers(call), body)

    def parse_response(self, response: HttpResponse, call: ProviderCall) -> ModelResponse:
        """Decode a whole answer by folding it through the stream's event assembler."""
        answer = decode_body(response.content)
        if not isinstance(answer, dict) or not isinstance(answer.get("message"), dict):
            raise invalid_response(
                "the provider's answer is not a Cohere chat response", response.content, call
            )
        events = CohereAssembler(call)
        try:
            chunks = [chunk for event in message_events(answer) for chunk in events.event(event)]
        except APIError:
            raise
        except (AttributeError, KeyError, TypeError, ValueError):
            chunks = None
        built = stream_chunk_builder(chunks) if chunks is not None else None
        if built is None:
            # Raised outside the except block, so an error quoting the body is not chained.
            raise invalid_response(
                "the provider's answer does not have Cohere's shape", response.content, call
            )
        message = built.choices[0].message
        if events.tool_plan:
            message.tool_plan = events.tool_plan  # type: ignore[attr-defined]
        if events.citations:
            message.provider_specific_fields = {"citations": events.citations}  # type: ignore[attr-defined]
        if events.billed_units is not None:
            built._hidden_params["billed_units"] = dict(events.billed_units)
        return built

    def stream_parser(self, call: ProviderCall) -> FramedStream[SSEEvent]:
        """Return a parser for one streamed response: SSE frames through ``CohereEventDecoder``."""
        return FramedStream(SSEFramer(), CohereEventDecoder(call), call, CUT_MESSAGE)

    def map_error(
        self, status_code: int, headers: Mapping[str, str], body: bytes, call: ProviderCall
    ) -> APIError:
        """Map an HTTP error answer (498: content policy; a "too many tokens" 400: the context window)."""
        hint = status_code_hint(status_code)

        def read(data: Any, names: Mapping[str, str]) -> ErrorFields | None:
            fields = cohere_error_fields(data, names)
            if hint is None:
                return fields
            return ErrorFields(message=fields.message if fields else str(data), code=hint)

        return build_error(status_code, headers, decode_body(body), call, read)


def _url(call: ProviderCall) -> str:
    base, endpoint = call.api_base.rstrip("/"), call.host.endpoint
    if base.endswith(endpoint):
        return base  # the full URL, as litellm users write it
    return base.removesuffix("/v2") + endpoint


def _headers(call: ProviderCall) -> dict[str, str]:
    headers = {"content-type": "application/json", "accept": "application/json", "user-agent": USER_AGENT}
    headers.update({name.lower(): value for name, value in call.request.options.extra_headers.items()})
    return headers

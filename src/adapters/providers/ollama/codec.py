"""The Ollama native codec: ``POST {base}/api/chat`` (``ollama_chat/``) and ``/api/generate`` (``ollama/``).

Both endpoints stream NDJSON by default, so ``stream`` is always sent. Streamed lines and whole
bodies go through the one ``OllamaDecoder``; a key, when one is set (Ollama Cloud), is added by
the host's optional bearer auth.
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
from ..errors import build_error, decode_body, invalid_response
from ..framing import FramedStream, LineFramer
from .errors import ollama_error_fields
from .request import UNSUPPORTED, chat_messages, generate_prompt, request_fields
from .stream import CUT_MESSAGE, OllamaDecoder

USER_AGENT = "llmport/0.1"
GENERATE = "/api/generate"
_ENDPOINTS = ("/api/chat", GENERATE)


class OllamaCodec:
    """Speaks Ollama's native API; the host row's ``endpoint`` picks chat or generate."""

    name = "ollama"
    version = "1"
    supports_n = False
    unsupported_params = UNSUPPORTED

    def build_request(self, call: ProviderCall) -> HttpRequest:
        """Encode ``call`` as an ``/api/chat`` or ``/api/generate`` request.

        Raises:
            UnsupportedParamsError: for a parameter Ollama cannot honour (tools on ``ollama/``...).
            BadRequestError: for a message or value Ollama cannot take, naming it.
        """
        chat = call.host.endpoint != GENERATE
        body: dict[str, Any] = {"model": call.model, "stream": call.request.stream}
        if chat:
            body["messages"] = chat_messages(call.request.messages, call.request.model)
        else:
            system, prompt, images = generate_prompt(call.request.messages, call.request.model)
            body["prompt"] = prompt
            if system is not None:
                body["system"] = system
            if images:
                body["images"] = images
        body.update(request_fields(call, chat=chat))
        body.update(call.request.options.extra_body)
        return json_post(call, _url(call), _headers(call), body)

    def parse_response(self, response: HttpResponse, call: ProviderCall) -> ModelResponse:
        """Decode a whole answer by folding it through the stream's decoder."""
        data = decode_body(response.content)
        if not isinstance(data, dict):
            raise invalid_response("the provider's answer is not a JSON object", response.content, call)
        decoder = OllamaDecoder(call)
        try:
            chunks = decoder.answer(data)
        except APIError:
            raise
        except (AttributeError, KeyError, TypeError, ValueError):
            chunks = None
        if chunks is None or not decoder.done:
            # Raised outside the except block, so an error quoting the body is not chained.
            raise invalid_response(
                "the provider's answer does not have Ollama's shape", response.content, call
            )
        built = stream_chunk_builder(chunks)
        if built is None:  # pragma: no cover - answer() always yields the role chunk
            raise invalid_response("the provider's answer is empty", response.content, call)
        return built

    def stream_parser(self, call: ProviderCall) -> FramedStream[str]:
        """Return a parser for one streamed response: NDJSON lines through ``OllamaDecoder``."""
        return FramedStream(LineFramer(), OllamaDecoder(call), call, CUT_MESSAGE)

    def map_error(
        self, status_code: int, headers: Mapping[str, str], body: bytes, call: ProviderCall
    ) -> APIError:
        """Map an HTTP error answer (``{"error": "..."}``; the status decides, then the message)."""
        return build_error(status_code, headers, decode_body(body), call, ollama_error_fields)


def _url(call: ProviderCall) -> str:
    base = call.api_base.rstrip("/")
    if base.endswith(_ENDPOINTS):
        return base  # a full endpoint URL is used as given, as litellm does
    return base.removesuffix("/api") + call.host.endpoint


def _headers(call: ProviderCall) -> dict[str, str]:
    headers = {"content-type": "application/json", "accept": "application/json", "user-agent": USER_AGENT}
    headers.update({name.lower(): value for name, value in call.request.options.extra_headers.items()})
    return headers

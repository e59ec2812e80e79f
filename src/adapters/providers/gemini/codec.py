"""The Gemini ``generateContent`` codec: Google AI Studio (``gemini/``) and Vertex AI (``vertex_ai/``).

``POST {base}/models/{model}:generateContent``, and ``:streamGenerateContent?alt=sse`` for
streams; on Vertex the host row's endpoint puts the model under its project and location.
Request translation lives in ``messages`` (turns) and ``params`` (parameters); answers, whole or
streamed (SSE or JSON array), go through the one ``stream.ResponseDecoder``. Credentials are the
auth step's (a header key on AI Studio, a Google OAuth token on Vertex), never the codec's.
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
from ..errors import decode_body, invalid_response
from ..framing import FramedStream, SSEEvent
from ..urls import split_query, with_query
from .errors import gemini_error
from .framing import SniffingFramer
from .messages import translate_messages
from .models import model_info
from .params import UNSUPPORTED, request_fields
from .stream import CUT_MESSAGE, ResponseDecoder, decode_text

USER_AGENT = "llmport/0.1"
DEFAULT_VERSION = "/v1beta"


class GeminiCodec:
    """Speaks Gemini's ``generateContent`` / ``streamGenerateContent``."""

    name = "gemini"
    version = "1"
    supports_n = True
    unsupported_params = UNSUPPORTED

    def build_request(self, call: ProviderCall) -> HttpRequest:
        """Encode ``call`` as a ``generateContent`` request.

        Raises:
            BadRequestError: for a message or parameter value Gemini cannot take.
        """
        return json_post(call, request_url(call), _headers(call), request_body(call))

    def parse_response(self, response: HttpResponse, call: ProviderCall) -> ModelResponse:
        """Decode a whole answer by folding its frame(s) through the stream's frame decoder."""
        body = decode_text(response.content, call)
        frames = body if isinstance(body, list) else [body]
        decoder = ResponseDecoder(call)
        try:
            chunks = [chunk for frame in frames for chunk in decoder.frame(frame)] + decoder.close()
        except APIError:
            raise
        except (AttributeError, KeyError, TypeError, ValueError):
            chunks = None
        if chunks is None:
            # Raised outside the except block, so the error quoting the body is not chained.
            raise invalid_response(
                "the provider's answer does not have Gemini's shape", response.content, call
            )
        built = stream_chunk_builder(chunks)
        if built is None:
            raise invalid_response("the provider's answer has no candidates", response.content, call)
        return built

    def stream_parser(self, call: ProviderCall) -> FramedStream[SSEEvent | str]:
        """Return a parser for one streamed response (SSE or JSON array, told by the first byte)."""
        return FramedStream(SniffingFramer(), ResponseDecoder(call), call, CUT_MESSAGE)  # type: ignore[arg-type]

    def map_error(
        self, status_code: int, headers: Mapping[str, str], body: bytes, call: ProviderCall
    ) -> APIError:
        """Map an HTTP error answer (``error.status``, and ``RetryInfo`` as ``retry_after``)."""
        return gemini_error(status_code, headers, decode_body(body), call)


def request_body(call: ProviderCall) -> dict[str, Any]:
    """Return the ``generateContent`` body for ``call``."""
    signs = model_info(call.model).signs_calls
    system, contents = translate_messages(call.request.messages, call.request.model, signs)
    body: dict[str, Any] = {"contents": contents}
    if system is not None:
        body["systemInstruction"] = system
    body.update(request_fields(call, call.params))
    body.update(call.request.options.extra_body)
    return body


def request_url(call: ProviderCall, endpoint: str | None = None) -> str:
    """Return the host's endpoint under the base: ``{base}/models/{model}:generateContent``.

    A stream asks for ``:streamGenerateContent?alt=sse`` instead. On Vertex the endpoint names the
    project and location, and the default base follows the location (``global`` and the ``us`` /
    ``eu`` multi-regions have hosts of their own).
    """
    path = (endpoint or call.host.endpoint).replace("{model}", call.model.removeprefix("models/"))
    for name in ("location", "project"):
        value = call.settings.get(name)
        path = path.replace("{" + name + "}", value) if value else path
    query = ""
    if call.request.stream:
        path = path.replace(":generateContent", ":streamGenerateContent")
        path = path.replace(":rawPredict", ":streamRawPredict")
        query = "alt=sse" if ":streamGenerateContent" in path else ""
    # A query on the base (a gateway's key) stays after the path, next to alt=sse.
    base, base_query = split_query(_base(call))
    return with_query(with_query(base + path, base_query), query)


def _base(call: ProviderCall) -> str:
    location = call.settings.get("location")
    if call.host.options.get("url") != "vertex":
        # litellm documents GEMINI_API_BASE as the bare host: the API version is then v1beta.
        bare = call.api_base.rstrip("/").count("/") == 2  # scheme://host, no path
        return call.api_base.rstrip("/") + DEFAULT_VERSION if bare else call.api_base
    if location is None:
        return call.api_base
    try:
        default = call.host.base_for(call.settings)
    except KeyError:
        default = None
    if call.api_base != default:
        return call.api_base  # the caller's own base (a proxy, VERTEXAI_API_BASE)
    if location == "global":
        return "https://aiplatform.googleapis.com"
    if location in ("us", "eu"):
        return f"https://aiplatform.{location}.rep.googleapis.com"
    return call.api_base


def _headers(call: ProviderCall) -> dict[str, str]:
    headers = {"content-type": "application/json", "accept": "application/json", "user-agent": USER_AGENT}
    headers.update({name.lower(): value for name, value in call.request.options.extra_headers.items()})
    return headers

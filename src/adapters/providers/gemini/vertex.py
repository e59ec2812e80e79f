"""Vertex AI (``vertex_ai/``): Gemini models through the Gemini codec, Claude through Anthropic's.

One host, two wire formats: the model family decides. Gemini models use ``generateContent``
under ``publishers/google``; Claude models (``vertex_ai/claude-sonnet-4-5@20250929``) send an
Anthropic Messages body without ``model`` and with ``anthropic_version: vertex-2023-10-16`` to
``:rawPredict`` / ``:streamRawPredict`` under ``publishers/anthropic``, and get Anthropic's answers
and SSE events back. Host, auth (Google OAuth) and URL are the same; only the format differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import APIError, unsupported
from ....domain.models.response import ModelResponse
from ....ports.codec import ProviderCall, StreamParser
from ....ports.transport import HttpRequest, HttpResponse
from .._json import json_post
from ..anthropic.codec import AnthropicCodec
from ..anthropic.params import UNSUPPORTED as ANTHROPIC_UNSUPPORTED
from .codec import GeminiCodec, request_url
from .params import UNSUPPORTED as GEMINI_UNSUPPORTED

VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16"
CLAUDE_PREFIXES = ("claude",)
ANTHROPIC_ENDPOINT = (
    "/v1/projects/{project}/locations/{location}/publishers/anthropic/models/{model}:rawPredict"
)
# What neither format takes is refused by the dispatcher for every model; the rest per family here.
UNSUPPORTED = GEMINI_UNSUPPORTED & ANTHROPIC_UNSUPPORTED


def is_claude(model: str) -> bool:
    """Whether a Vertex model id is one of Anthropic's (served through ``rawPredict``)."""
    return model.lower().startswith(CLAUDE_PREFIXES)


class AnthropicOnVertex(AnthropicCodec):
    """Anthropic's Messages format at Vertex's ``rawPredict``: no ``model`` in the body, Vertex's version."""

    name = "anthropic_vertex"

    def build_request(self, call: ProviderCall) -> HttpRequest:
        """Encode ``call`` as a ``rawPredict`` (``streamRawPredict``) request."""
        body = self._body(call)
        del body["model"]  # the model is in the URL
        body["anthropic_version"] = VERTEX_ANTHROPIC_VERSION
        endpoint = call.host.options.get("anthropic_endpoint", ANTHROPIC_ENDPOINT)
        headers = {"content-type": "application/json", "accept": "application/json"}
        headers.update({name.lower(): value for name, value in call.request.options.extra_headers.items()})
        return json_post(call, request_url(call, endpoint), headers, body)


class VertexCodec:
    """Vertex AI: each call goes to the Gemini codec or, for Claude models, to Anthropic's on Vertex."""

    name = "vertex"
    version = "1"
    supports_n = False  # Claude cannot; the dispatcher fans n out (Gemini answers each request)
    unsupported_params = UNSUPPORTED

    def __init__(self) -> None:
        self._gemini = GeminiCodec()
        self._anthropic = AnthropicOnVertex()

    def _codec(self, call: ProviderCall) -> Any:
        return self._anthropic if is_claude(call.model) else self._gemini

    def build_request(self, call: ProviderCall) -> HttpRequest:
        """Encode ``call`` in its model family's format.

        Raises:
            UnsupportedParamsError: for a parameter the family cannot take (dropped with ``drop_params``).
        """
        codec = self._codec(call)
        refused = [name for name in call.params if name in codec.unsupported_params]
        if refused and not call.drop_params:
            raise unsupported(
                f"{call.provider} does not support the parameter {refused[0]!r} for model "
                f"{call.model!r}; pass drop_params=True to drop it",
                param=refused[0], provider=call.provider, model=call.request.model,
            )  # fmt: skip
        if refused:
            call = call.with_params({k: v for k, v in call.params.items() if k not in refused})
        request: HttpRequest = codec.build_request(call)
        return request

    def parse_response(self, response: HttpResponse, call: ProviderCall) -> ModelResponse:
        """Decode a whole answer in its model family's format."""
        parsed: ModelResponse = self._codec(call).parse_response(response, call)
        return parsed

    def stream_parser(self, call: ProviderCall) -> StreamParser:
        """Return the model family's stream parser."""
        parser: StreamParser = self._codec(call).stream_parser(call)
        return parser

    def map_error(
        self, status_code: int, headers: Mapping[str, str], body: bytes, call: ProviderCall
    ) -> APIError:
        """Map an error answer: Vertex answers Google's error shape for both families."""
        error: APIError = self._gemini.map_error(status_code, headers, body, call)
        if is_claude(call.model) and error.code is None:
            error = self._anthropic.map_error(status_code, headers, body, call)  # Anthropic's own shape
        return error

"""The Anthropic Messages codec: ``POST {base}/v1/messages``, JSON and SSE (the key: ``Host.auth``).

Request translation lives in ``messages`` (turns) and ``params`` (parameters); responses, whole
or streamed, go through the one ``stream.EventAssembler``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ....domain.models.errors import APIError
from ....domain.models.response import ModelResponse
from ....ports.codec import ProviderCall
from ....ports.transport import HttpRequest, HttpResponse
from .._json import json_post
from ..errors import build_error, decode_body, invalid_response
from ..framing import FramedStream, SSEEvent, SSEFramer
from ..whole import fold_whole
from .errors import anthropic_error_fields
from .messages import translate_messages
from .params import UNSUPPORTED, json_tool, request_fields
from .stream import CUT_MESSAGE, AnthropicEventDecoder, EventAssembler, message_events

API_VERSION = "2023-06-01"
# The Messages fields count_tokens takes (the rest, such as max_tokens, it refuses).
_COUNTED = ("model", "messages", "system", "tools", "tool_choice", "thinking")
USER_AGENT = "llmport/0.1"


class AnthropicCodec:
    """Speaks Anthropic's Messages API."""

    name = "anthropic"
    version = "1"
    supports_n = False
    # OpenAI parameters the Messages format has no place for (get_supported_openai_params reads it).
    unsupported_params = UNSUPPORTED

    def build_request(self, call: ProviderCall) -> HttpRequest:
        """Encode ``call`` as a Messages request.

        Raises:
            UnsupportedParamsError: for an OpenAI parameter Anthropic cannot take (unless dropped).
            BadRequestError: for a message or parameter value Anthropic cannot take.
        """
        body = self._body(call)
        return json_post(call, _url(call), _headers(call), body)

    def _body(self, call: ProviderCall) -> dict[str, Any]:
        params = dict(call.params)
        if params.get("n") not in (None, 1):
            params.pop("n")  # the dispatcher fans n out into separate requests
        system, messages = translate_messages(call.request.messages, call.request.model)
        fields = request_fields(call, params)[0]
        body: dict[str, Any] = {"model": call.model, "messages": messages}
        if system is not None:
            body["system"] = system
        body.update(fields)
        if call.request.stream:
            body["stream"] = True
        body.update(call.request.options.extra_body)
        return body

    def build_count_request(self, call: ProviderCall) -> HttpRequest:
        """Encode ``call``'s input as a ``POST {base}/v1/messages/count_tokens`` request.

        The body is the Messages request's input fields only (Anthropic's documented shape: no
        recording of this endpoint exists in the corpus).
        """
        body = self._body(call)
        counted = {name: body[name] for name in _COUNTED if name in body}
        return json_post(call, _url(call) + "/count_tokens", _headers(call), counted)

    def parse_count_response(self, response: HttpResponse, call: ProviderCall) -> int:
        """Read ``{"input_tokens": N}``."""
        body = decode_body(response.content)
        tokens = body.get("input_tokens") if isinstance(body, dict) else None
        if not isinstance(tokens, int) or isinstance(tokens, bool):
            raise invalid_response("the provider's token count has no input_tokens", response.content, call)
        return tokens

    def parse_response(self, response: HttpResponse, call: ProviderCall) -> ModelResponse:
        """Decode a whole message by folding it through the stream's event assembler."""
        message = decode_body(response.content)
        if not isinstance(message, dict) or message.get("type") != "message":
            if isinstance(message, dict) and "error" in message:
                raise build_error(
                    response.status_code, response.headers, message, call, anthropic_error_fields
                )
            raise invalid_response(
                "the provider's answer is not a JSON message", response.content, call, response.status_code
            )
        if not isinstance(message.get("content"), list):
            raise invalid_response(
                "the provider's message has no content list", response.content, call, response.status_code
            )
        events = EventAssembler(call, _json_tool(call))
        return fold_whole(
            lambda: [chunk for event in message_events(message) for chunk in events.event(event)],
            "Messages",
            response.content,
            call,
        )

    def stream_parser(self, call: ProviderCall) -> FramedStream[SSEEvent]:
        """Return a parser for one streamed response: SSE frames through ``AnthropicEventDecoder``."""
        return FramedStream(SSEFramer(), AnthropicEventDecoder(call, _json_tool(call)), call, CUT_MESSAGE)

    def map_error(
        self, status_code: int, headers: Mapping[str, str], body: bytes, call: ProviderCall
    ) -> APIError:
        """Map an HTTP error answer (529 overloaded → ``ServiceUnavailableError``)."""
        return build_error(status_code, headers, decode_body(body), call, anthropic_error_fields)


def _json_tool(call: ProviderCall) -> str | None:
    return json_tool(call, call.request.params.get("response_format"))


def _url(call: ProviderCall) -> str:
    base, endpoint = call.api_base.rstrip("/"), call.host.endpoint
    if base.endswith(endpoint):
        return base
    # A base given as ".../v1" (as for OpenAI) must not become ".../v1/v1/messages".
    return base + (endpoint.removeprefix("/v1") if base.endswith("/v1") else endpoint)


def _headers(call: ProviderCall) -> dict[str, str]:
    headers = {
        "content-type": "application/json",
        "accept": "application/json",
        "user-agent": USER_AGENT,
        "anthropic-version": call.api_version or API_VERSION,
    }
    headers.update({name.lower(): value for name, value in call.request.options.extra_headers.items()})
    return headers

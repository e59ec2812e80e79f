"""The Bedrock Converse codec: ``POST {runtime}/model/{modelId}/converse`` and ``/converse-stream``.

Request translation lives in ``messages`` (turns) and ``params`` (parameters); answers, whole or
streamed, go through the one ``stream.ConverseAssembler``. The codec adds no credentials: SigV4
signing (or a Bedrock API key) is the auth strategy's work, applied per attempt over the exact
body bytes this codec builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ....domain.models.errors import APIError, bad_request
from ....domain.models.response import ModelResponse
from ....ports.codec import ProviderCall
from ....ports.transport import HttpRequest, HttpResponse
from .._json import json_post
from ..errors import decode_body, invalid_response
from ..framing import FramedStream
from ..urls import split_query, with_query
from ..whole import fold_whole
from .aws import ProfileConfig, region_for
from .errors import http_error
from .eventstream import AWSEventStreamFramer, EventFrame
from .messages import has_tool_blocks, translate_messages
from .params import UNSUPPORTED, json_tool, request_fields
from .stream import ConverseAssembler, ConverseDecoder, response_events
from .tools import name_map

USER_AGENT = "llmport/0.1"
EVENT_STREAM = "application/vnd.amazon.eventstream"
REQUEST_ID_HEADER = "x-amzn-requestid"
CUT_MESSAGE = "the Bedrock stream ended before messageStop and metadata"


class BedrockConverseCodec:
    """Speaks Bedrock's Converse and ConverseStream APIs."""

    name = "bedrock_converse"
    version = "1"
    supports_n = False
    unsupported_params = UNSUPPORTED

    def __init__(self) -> None:
        self._profiles = ProfileConfig()  # a profile's region, read once per client

    def build_request(self, call: ProviderCall) -> HttpRequest:
        """Encode ``call`` as a Converse (or ConverseStream) request.

        Raises:
            UnsupportedParamsError: for an OpenAI parameter Converse cannot take (unless dropped).
            BadRequestError: for a message or parameter value Converse cannot take.
        """
        body = self._body(call)
        accept = EVENT_STREAM if call.request.stream else "application/json"
        headers = {"content-type": "application/json", "accept": accept, "user-agent": USER_AGENT}
        headers.update({name.lower(): value for name, value in call.request.options.extra_headers.items()})
        return json_post(call, converse_url(call, self._profiles), headers, body)

    def _body(self, call: ProviderCall) -> dict[str, Any]:
        params = dict(call.params)
        name_map(call)  # refuses two tool names that would collide once rewritten
        system, messages = translate_messages(call.request.messages, call.request.model)
        fields = request_fields(call, params)
        if has_tool_blocks(messages) and "toolConfig" not in fields:
            raise bad_request(
                "the messages hold tool calls or tool results, and Bedrock then requires the tool "
                "definitions: pass tools=",
                param="tools",
                model=call.request.model,
            )
        body: dict[str, Any] = {"messages": messages}
        if system:
            body["system"] = system
        body.update(fields)
        body.update(call.request.options.extra_body)
        return body

    def parse_response(self, response: HttpResponse, call: ProviderCall) -> ModelResponse:
        """Decode a whole Converse answer by folding it through the stream's assembler."""
        body = decode_body(response.content)
        if not isinstance(body, dict) or "output" not in body:
            raise invalid_response("the provider's answer is not a Converse response", response.content, call)
        events = ConverseAssembler(call, _json_tool(call), name_map(call))
        built = fold_whole(
            lambda: [chunk for kind, data in response_events(body) for chunk in events.event(kind, data)],
            "Converse",
            response.content,
            call,
        )
        request_id = _header(response.headers, REQUEST_ID_HEADER)
        if request_id is not None:
            built._hidden_params["request_id"] = request_id
        return built

    def stream_parser(self, call: ProviderCall) -> FramedStream[EventFrame]:
        """Return a parser for one ConverseStream body: event-stream frames through ``ConverseDecoder``."""
        decoder = ConverseDecoder(call, _json_tool(call), name_map(call))
        return FramedStream(AWSEventStreamFramer(), decoder, call, CUT_MESSAGE)

    def map_error(
        self, status_code: int, headers: Mapping[str, str], body: bytes, call: ProviderCall
    ) -> APIError:
        """Map an HTTP error answer by its ``x-amzn-ErrorType`` code, then its status."""
        return http_error(status_code, {k.lower(): v for k, v in headers.items()}, decode_body(body), call)


def model_id(call: ProviderCall) -> str:
    """Return the Bedrock model id of ``call`` (``bedrock/converse/<id>`` spells the API out).

    Raises:
        BadRequestError: for ``bedrock/invoke/...``: InvokeModel formats are not supported.
    """
    model = call.model.removeprefix("converse/")
    if model.startswith("invoke/"):
        raise bad_request(
            "bedrock/invoke/ (InvokeModel) is not supported by llmport; use bedrock/<modelId> or "
            "bedrock/converse/<modelId>, which every Bedrock chat model answers",
            param="model",
            model=call.request.model,
        )
    return model


def _json_tool(call: ProviderCall) -> str | None:
    return json_tool(call, call.params.get("response_format"))


def runtime_base(call: ProviderCall, profiles: ProfileConfig) -> str:
    """Return the runtime endpoint: the caller's, else ``bedrock-runtime.<region>.amazonaws.com``.

    The host row's default is formatted with the region given (or us-west-2); an ARN's region or
    a profile's region, known only here, replaces it.
    """
    if call.api_base.rstrip("/") != call.host.base_for(call.settings):
        return call.api_base.rstrip("/")  # api_base= or AWS_BEDROCK_RUNTIME_ENDPOINT
    if call.settings.get("endpoint"):
        return call.settings["endpoint"].rstrip("/")  # aws_bedrock_runtime_endpoint=
    return f"https://bedrock-runtime.{region_for(call, profiles)}.amazonaws.com"


def converse_url(call: ProviderCall, profiles: ProfileConfig) -> str:
    """Return the Converse URL: the model id fully percent-encoded (``:`` and ``/`` too), as botocore does."""
    operation = "converse-stream" if call.request.stream else "converse"
    # A query on the endpoint (a gateway's key) stays after the path, and is signed with it.
    base, query = split_query(runtime_base(call, profiles))
    return with_query(f"{base}/model/{quote(model_id(call), safe='-._~')}/{operation}", query)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)

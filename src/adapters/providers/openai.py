"""The OpenAI chat-completions codec: OpenAI itself, Azure OpenAI and every compatible host.

Non-streamed bodies and streamed ``data:`` payloads go through one parser (``_validated``): the
same error detection, the same validation into llmport's models, the same failure messages.
Streamed chunks in the plain OpenAI shape take a shortcut that gives up, leaving the events to
``_validated``, on anything ``_validated`` would treat in a way of its own (``_plain``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from ...domain.models.errors import APIError
from ...domain.models.response import ModelResponse, parse_plain_response
from ...domain.models.stream import Delta, ModelResponseStream, parse_plain_chunks
from ...ports.codec import ProviderCall
from ...ports.transport import HttpRequest, HttpResponse
from ._json import json_post, loads
from .errors import build_error, decode_body, invalid_response, openai_error_fields
from .framing import FramedStream
from .sse import SSEEvent, SSEFramer
from .urls import split_query, with_query

M = TypeVar("M", bound=BaseModel)

USER_AGENT = "llmport/0.1"
# Parameters of litellm's signature that the OpenAI wire format has no place for.
UNSUPPORTED = frozenset({"thinking", "thinking_budget"})
# Fields llmport adds to assistant messages that OpenAI-compatible servers may reject.
_LLMPORT_ONLY = (
    "reasoning_content",
    "thinking_blocks",
    "provider_specific_fields",
    "responses_items",
    "thought_signatures",
    "tool_plan",  # Cohere's, kept on its assistant messages to be sent back to Cohere
)
_NOT_JSON = object()  # what a body that is not JSON parses to (JSON null is None)
# Finish reasons of compatible hosts that OpenAI spells otherwise (Together: "eos").
_FINISH_ALIASES = {"eos": "stop"}


class OpenAICodec:
    """Speaks ``POST {base}/chat/completions`` (or Azure's deployment URL), JSON and SSE."""

    name = "openai"
    version = "1"
    supports_n = True
    unsupported_params = UNSUPPORTED

    def build_request(self, call: ProviderCall) -> HttpRequest:
        """Encode ``call`` as an OpenAI chat-completions request."""
        body: dict[str, Any] = {"model": call.model, "messages": _wire_messages(call.request.messages)}
        body.update(call.params)
        if call.request.stream:
            body["stream"] = True
        else:
            body.pop("stream_options", None)  # OpenAI rejects stream_options without stream
        body.update(call.request.options.extra_body)
        return json_post(call, _url(call), _headers(call), body)

    def parse_response(self, response: HttpResponse, call: ProviderCall) -> ModelResponse:
        """Decode a non-streamed chat completion.

        A plain answer is validated straight from its text (about a third cheaper); anything
        ``_validated`` would treat in a way of its own goes through it, so its answers, failures
        and messages are the only ones a caller ever sees.
        """
        plain = parse_plain_response(response.content)
        if plain is not None and _is_plain_answer(plain):
            return plain
        return _validated(response.content, ModelResponse, call, response.status_code, _prepare_answer)

    def stream_parser(self, call: ProviderCall) -> FramedStream[SSEEvent]:
        """Return a parser for one streamed response: SSE frames through ``OpenAIChunkDecoder``."""
        return FramedStream(SSEFramer(), OpenAIChunkDecoder(call), call, CUT_MESSAGE)

    def map_error(
        self, status_code: int, headers: Mapping[str, str], body: bytes, call: ProviderCall
    ) -> APIError:
        """Map an HTTP error answer."""
        return build_error(status_code, headers, decode_body(body), call, openai_error_fields)


CUT_MESSAGE = "the stream ended before it was complete (no [DONE] and not every choice finished)"


class OpenAIChunkDecoder:
    """Turns OpenAI SSE events into chunks (the ``FrameDecoder`` of ``FramedStream``).

    The stream is complete at ``data: [DONE]``, or, for servers that omit it, once every choice
    has finished and the usage chunk (if asked for) has arrived (``finish``).
    """

    def __init__(self, call: ProviderCall) -> None:
        self._call = call
        self._done = False
        self._finished: set[int] = set()
        self._usage_seen = False
        self._tool_indexes: dict[str, int] = {}
        options = call.request.params.get("stream_options")
        self._wants_usage = isinstance(options, Mapping) and bool(options.get("include_usage"))
        self._choices = int(call.request.params.get("n") or 1)

    @property
    def done(self) -> bool:
        """Whether ``[DONE]`` was seen (or, at the end, every choice finished)."""
        return self._done

    def finish(self) -> list[ModelResponseStream]:
        """At end of body: complete without ``[DONE]`` once every choice finished (and usage came)."""
        all_finished = len(self._finished) >= self._choices
        self._done = self._done or (all_finished and (self._usage_seen or not self._wants_usage))
        return []

    def decode_plain(self, texts: list[str]) -> list[ModelResponseStream] | None:
        """Parse a network read's events' ``texts`` in one pass, or return None to leave them to ``decode``.

        A plain chunk is parsed and validated in one pydantic pass, at half the cost of
        ``decode``. This gives up on anything ``decode`` treats in a way of its own: a text
        that is not a plain chunk (``parse_plain_chunks``), a dialect ``_prepare_chunk``
        normalises, an error payload. ``decode`` then parses the whole read again, so its
        chunks, failures and messages are the only ones a caller ever sees.
        """
        done = "[DONE]" in texts
        if done:
            texts = texts[: texts.index("[DONE]")]
        try:
            chunks = parse_plain_chunks(texts)
        except ValueError:  # pydantic's ValidationError is one
            return None
        if not self._track_plain(chunks):
            return None
        self._done = done
        return chunks

    def _track_plain(self, chunks: list[ModelResponseStream]) -> bool:
        """``_track`` the ``chunks``; False when ``_validated`` would have made something else of one.

        Tracking a chunk twice changes nothing, so when this gives up halfway through a read,
        ``decode`` can go over the whole read again. One loop, no call per chunk: this runs
        for every streamed chunk.
        """
        for chunk in chunks:
            extra = chunk.__pydantic_extra__
            if chunk.object != "chat.completion.chunk" or (extra and ("error" in extra or "x_groq" in extra)):
                return False
            if "choices" not in chunk.model_fields_set:
                return False  # `_validated` refuses a chunk without choices
            if chunk.usage is not None:
                self._usage_seen = True
            for choice in chunk.choices:
                delta = choice.delta
                # Nearly every delta has neither: the call is skipped.
                if (delta.__pydantic_extra__ or delta.tool_calls is not None) and _dialect_delta(delta):
                    return False
                if choice.finish_reason:
                    if choice.finish_reason in _FINISH_ALIASES:
                        return False
                    self._finished.add(choice.index)
        return True

    def decode(self, event: SSEEvent) -> list[ModelResponseStream]:
        """Decode one event (``[DONE]`` ends the stream; an error payload raises)."""
        if event.data.strip() == "[DONE]":
            self._done = True
            return []
        chunk = _validated(event.data, ModelResponseStream, self._call, None, self._prepare_chunk)
        self._track(chunk)
        return [chunk]

    def _track(self, chunk: ModelResponseStream) -> None:
        self._usage_seen = self._usage_seen or chunk.usage is not None
        for choice in chunk.choices:
            if choice.finish_reason:
                self._finished.add(choice.index)

    def _prepare_chunk(self, data: dict[str, Any]) -> None:
        _normalize_choices(data, "delta")
        # Groq reports a stream's usage in x_groq.usage on the last chunk (older answers: only there).
        groq = data.get("x_groq")
        if data.get("usage") is None and isinstance(groq, dict) and isinstance(groq.get("usage"), dict):
            data["usage"] = groq["usage"]
        # Perplexity ends with "chat.completion.done"; every chunk llmport yields is a chunk.
        if data.get("object") not in (None, "chat.completion.chunk"):
            data["object"] = "chat.completion.chunk"
        # Some compatible servers omit `index` on tool-call deltas; number calls by their id.
        for choice in _choices(data):
            delta = choice.get("delta") if isinstance(choice, dict) else None
            calls = delta.get("tool_calls") if isinstance(delta, dict) else None
            for call in calls if isinstance(calls, list) else ():
                if isinstance(call, dict) and call.get("index") is None:
                    call["index"] = self._index_for(call.get("id"))

    def _index_for(self, call_id: object) -> int:
        if isinstance(call_id, str):
            return self._tool_indexes.setdefault(call_id, len(self._tool_indexes))
        return max(len(self._tool_indexes) - 1, 0)  # an id-less fragment continues the latest call


def _dialect_delta(delta: Delta) -> bool:
    """Whether ``_prepare_chunk`` would have changed this delta's payload.

    A list ``content`` (Mistral's parts) is not asked about: it fails validation before.
    """
    extra = delta.__pydantic_extra__
    if extra and "reasoning" in extra:
        return True
    calls = delta.tool_calls
    return calls is not None and any("index" not in call.model_fields_set for call in calls)


def _validated(
    raw: bytes | str,
    model: type[M],
    call: ProviderCall,
    status_code: int | None,
    prepare: Callable[[dict[str, Any]], None],
) -> M:
    """Parse one JSON payload (a whole body or one stream event), in OpenAI's shape, into ``model``."""
    try:
        data = loads(raw)
    except ValueError:
        data = _NOT_JSON
    if data is _NOT_JSON:
        # Raised outside the except block: chained as __context__, the decoder's error would keep
        # the whole body (and pydantic's below quotes the values), which may echo the key.
        raise invalid_response("the provider's answer is not valid JSON", _bytes(raw), call, status_code)
    if not isinstance(data, dict):
        raise invalid_response("the provider's answer is not a JSON object", _bytes(raw), call, status_code)
    if "error" in data and "choices" not in data:
        raise build_error(None, {}, data, call, openai_error_fields)
    if "choices" not in data:
        # `{}` must not pass as an answer with no choices: the shape's one required field.
        raise invalid_response("the provider's answer has no choices", _bytes(raw), call, status_code)
    prepare(data)
    try:
        # The validator itself: model_validate's Python wrapper is a tenth of a chunk's cost.
        validated: M = model.__pydantic_validator__.validate_python(data)
        return validated
    except ValidationError as error:
        problems = error.error_count()
    reason = f"the provider's answer does not have the chat-completion shape ({problems} problems)"
    raise invalid_response(reason, _bytes(raw), call, status_code)


def _is_plain_answer(response: ModelResponse) -> bool:
    """Whether ``_validated`` would have made the same answer: choices given, no dialect to normalise."""
    if "choices" not in response.model_fields_set:
        return False  # `{}` (or an error payload) must not pass as an answer with no choices
    for choice in response.choices:
        extra = choice.message.__pydantic_extra__
        if choice.finish_reason in _FINISH_ALIASES or (extra and "reasoning" in extra):
            return False
    return True


def _prepare_answer(data: dict[str, Any]) -> None:
    _normalize_choices(data, "message")


def _choices(data: dict[str, Any]) -> list[Any]:
    # Anything but a list is left for validation to reject with the library's own error.
    choices = data.get("choices")
    return choices if isinstance(choices, list) else []


def _normalize_choices(data: dict[str, Any], key: str) -> None:
    """Bring compatible hosts' variants of a message (``key``: message or delta) to OpenAI's shape."""
    for choice in _choices(data):
        if isinstance(choice, dict) and choice.get("finish_reason") in _FINISH_ALIASES:
            choice["finish_reason"] = _FINISH_ALIASES[choice["finish_reason"]]
        message = choice.get(key) if isinstance(choice, dict) else None
        if isinstance(message, dict):
            _normalize_message(message)


def _normalize_message(message: dict[str, Any]) -> None:
    content = message.get("content")
    if isinstance(content, list):
        # Mistral's reasoning models answer with parts: thinking parts and text parts.
        texts = [part.get("text") or "" for part in content if _part_type(part) == "text"]
        thinking = "".join(_thinking_text(part) for part in content if _part_type(part) == "thinking")
        message["content"] = "".join(texts) if texts else None
        if thinking and not message.get("reasoning_content"):
            message["reasoning_content"] = thinking
    reasoning = message.get("reasoning")
    if isinstance(reasoning, str) and message.get("reasoning_content") is None:
        message["reasoning_content"] = reasoning  # groq and OpenRouter name it `reasoning`


def _part_type(part: object) -> object:
    return part.get("type") if isinstance(part, dict) else None


def _thinking_text(part: dict[str, Any]) -> str:
    thinking = part.get("thinking")
    if isinstance(thinking, str):
        return thinking
    if isinstance(thinking, list):
        return "".join(str(p.get("text") or "") for p in thinking if isinstance(p, dict))
    return ""


def _bytes(raw: bytes | str) -> bytes:
    return raw if isinstance(raw, bytes) else raw.encode("utf-8", errors="replace")


def _wire_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in message.items() if k not in _LLMPORT_ONLY}
        if any(k in message for k in _LLMPORT_ONLY)
        else message
        for message in messages
    ]


def _headers(call: ProviderCall) -> dict[str, str]:
    # No credentials: the dispatcher's auth step adds them to each attempt (Host.auth).
    headers = {"content-type": "application/json", "accept": "application/json", "user-agent": USER_AGENT}
    if call.request.options.organization:
        headers["openai-organization"] = call.request.options.organization
    headers.update({name.lower(): value for name, value in call.request.options.extra_headers.items()})
    return headers


def _url(call: ProviderCall) -> str:
    base, query = split_query(call.api_base)
    if call.host.options.get("url") == "azure":
        return _azure_url(call, base, query)
    # A base that already ends with the endpoint is a full URL, litellm users' habit.
    endpoint = call.host.endpoint
    return with_query(base if base.endswith(endpoint) else base + endpoint, query)


def _azure_url(call: ProviderCall, base: str, query: str) -> str:
    # Azure routes by deployment in the path and versions the API in the query string.
    endpoint = call.host.endpoint
    if "/openai/deployments/" in base:
        url = base if base.endswith(endpoint) else base + endpoint
    else:
        url = f"{base}/openai/deployments/{quote(call.model, safe='')}{endpoint}"
    url = with_query(url, query)
    if "api-version=" not in query and call.api_version:
        url = with_query(url, f"api-version={quote(call.api_version)}")
    return url

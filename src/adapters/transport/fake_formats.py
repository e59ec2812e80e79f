"""Which wire format a request speaks, and the reply builders that answer in it.

A ``FakeTransport`` handler may return a plain ``str``, a ``ModelResponse`` or a list of stream
chunks; ``as_answer`` turns that into the answer the request's own codec parses. Two tables do
it, with no branch per provider: ``ENDPOINTS`` reads the format (and, where the URL says it, the
stream flag) off the endpoint every codec writes at the end of its URL, so a host row of yours
over a built-in codec is recognised as well; ``FORMATS`` maps each format to its builders and to
how OpenAI's finish reasons are said in it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any

from ...domain.models.builder import stream_chunk_builder
from ...domain.models.response import ModelResponse
from ...domain.models.stream import ModelResponseStream
from ...ports.transport import HttpRequest, HttpResponse
from .fake_replies import (
    anthropic_reply,
    anthropic_stream,
    json_answer,
    openai_reply,
    openai_stream,
    sse_frame,
    streamed_answer,
)
from .fake_replies_events import bedrock_reply, bedrock_stream, responses_reply, responses_stream
from .fake_replies_native import (
    cohere_reply,
    cohere_stream,
    gemini_reply,
    gemini_stream,
    ollama_reply,
    ollama_stream,
)

Builder = Callable[..., HttpResponse]


@dataclass(frozen=True, slots=True)
class ReplyFormat:
    """The builders of one wire format, and how a ``ModelResponse``'s fields map onto their keywords.

    Attributes:
        reply: Builds a whole answer.
        stream: Builds a streamed answer.
        finish_keyword: The builders' keyword for why the answer ended.
        finishes: OpenAI ``finish_reason`` → the format's value (None: leave the builder's default);
            a reason not listed is passed as it is.
        names_model: Whether the answers name a model (Bedrock's and Cohere's do not).
        thinking_keyword: The builders' keyword for reasoning text, if they take one.
        exact_reply: Answers with a whole ``ModelResponse`` as it is, when the format is OpenAI's.
        exact_stream: Streams chunks as they are, when the format is OpenAI's.
    """

    reply: Builder
    stream: Builder
    finish_keyword: str
    finishes: Mapping[str, str | None] = field(default_factory=dict)
    names_model: bool = True
    thinking_keyword: str | None = "thinking"
    exact_reply: Callable[[ModelResponse], HttpResponse] | None = None
    exact_stream: Callable[[Sequence[ModelResponseStream]], HttpResponse] | None = None


def _sse_chunks(chunks: Sequence[ModelResponseStream]) -> HttpResponse:
    frames = [sse_frame(chunk.model_dump(mode="json", exclude_none=True)) for chunk in chunks]
    return streamed_answer((*frames, b"data: [DONE]\n\n"))


# The endpoint each codec ends its URL with → (format, streamed); None: the body's "stream" says.
ENDPOINTS: tuple[tuple[re.Pattern[str], str, bool | None], ...] = tuple(
    (re.compile(pattern + r"$"), name, streamed)
    for pattern, name, streamed in (
        (r"/chat/completions", "openai", None),
        (r"/messages", "anthropic", None),
        (r":streamRawPredict", "anthropic", True),  # Claude on Vertex
        (r":rawPredict", "anthropic", False),
        (r":streamGenerateContent", "gemini", True),
        (r":generateContent", "gemini", False),
        (r"/converse-stream", "bedrock_converse", True),
        (r"/converse", "bedrock_converse", False),
        (r"/responses", "responses", None),
        (r"/api/chat", "ollama", None),
        (r"/api/generate", "ollama_generate", None),
        (r"/v2/chat", "cohere", None),
    )
)
FORMATS: Mapping[str, ReplyFormat] = MappingProxyType(
    {
        "openai": ReplyFormat(
            openai_reply, openai_stream, "finish_reason", thinking_keyword=None,
            exact_reply=lambda response: json_answer(response.model_dump(mode="json", exclude_none=True)),
            exact_stream=_sse_chunks,
        ),
        "anthropic": ReplyFormat(
            anthropic_reply, anthropic_stream, "stop_reason",
            {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"},
        ),
        "gemini": ReplyFormat(
            gemini_reply, gemini_stream, "finish_reason",
            {"stop": "STOP", "tool_calls": "STOP", "length": "MAX_TOKENS", "content_filter": "SAFETY"},
        ),
        "bedrock_converse": ReplyFormat(
            bedrock_reply, bedrock_stream, "stop_reason",
            {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use",
             "content_filter": "content_filtered"},
            names_model=False,
        ),
        "responses": ReplyFormat(
            responses_reply, responses_stream, "incomplete",
            {"stop": None, "tool_calls": None, "length": "max_output_tokens"}, thinking_keyword=None,
        ),
        "ollama": ReplyFormat(ollama_reply, ollama_stream, "done_reason", {"tool_calls": "stop"}),
        "ollama_generate": ReplyFormat(
            partial(ollama_reply, generate=True), partial(ollama_stream, generate=True), "done_reason",
            {"tool_calls": "stop"},
        ),
        "cohere": ReplyFormat(
            cohere_reply, cohere_stream, "finish_reason",
            {"stop": "COMPLETE", "length": "MAX_TOKENS", "tool_calls": "TOOL_CALL"}, names_model=False,
        ),
    }
)  # fmt: skip


def wire_format(request: HttpRequest) -> tuple[str, bool] | None:
    """Return ``(format name, streamed)`` for ``request``, or None for an endpoint no codec writes."""
    path = request.url.split("?", 1)[0].rstrip("/")
    for pattern, name, streamed in ENDPOINTS:
        if pattern.search(path):
            return name, _wants_stream(request) if streamed is None else streamed
    return None


def as_answer(result: object, request: HttpRequest) -> object:
    """Turn a ``str``, ``ModelResponse`` or list of chunks into the answer ``request``'s format expects.

    Anything else is returned unchanged (the caller checks it).

    Raises:
        TypeError: for a request to an endpoint no built-in codec writes, whose answer the test
            must build itself.
    """
    if not isinstance(result, str | ModelResponse) and _chunks(result) is None:
        return result
    spoken = wire_format(request)
    if spoken is None:
        path = request.url.split("?", 1)[0]
        raise TypeError(
            f"a str, ModelResponse or chunk list is answered in a known wire format ({', '.join(FORMATS)}), "
            f"by its endpoint; {path} is none of theirs: return an HttpResponse "
            "(llmport.testing.openai_reply(...), HttpResponse.from_json, from_sse...)"
        )
    name, streamed = spoken
    return answer_in(result, name, stream=streamed)


def answer_in(result: object, name: str, *, stream: bool) -> HttpResponse | None:
    """Answer with ``result`` (a ``str``, ``ModelResponse`` or chunks) in format ``name``; else None."""
    spoken = FORMATS[name]
    if isinstance(result, str):
        return (spoken.stream if stream else spoken.reply)(result)
    chunks = _chunks(result)
    if chunks is not None and stream and spoken.exact_stream is not None:
        return spoken.exact_stream(chunks)
    if chunks is not None:
        result = _folded(chunks)
    if not isinstance(result, ModelResponse):
        return None
    if not stream and spoken.exact_reply is not None:
        return spoken.exact_reply(result)
    builder = spoken.stream if stream else spoken.reply
    content, kwargs = _keywords(result, spoken)
    return builder(content, **kwargs)


def openai_answer(result: object, *, stream: bool) -> HttpResponse:
    """Turn a function's result (``str``, ``ModelResponse``, chunks or text pieces) into an OpenAI answer.

    Raises:
        TypeError: for any other result, naming what is allowed.
    """
    if isinstance(result, HttpResponse):
        return result
    if isinstance(result, list | tuple) and result and all(isinstance(item, str) for item in result):
        return openai_stream(pieces=list(result)) if stream else openai_reply("".join(result))
    answer = answer_in(result, "openai", stream=stream)
    if answer is None:
        raise TypeError(
            "a fake_client function must return a str, a ModelResponse, a list of ModelResponseStream "
            f"chunks or a list of text pieces, not {type(result).__name__}"
        )
    return answer


def _keywords(response: ModelResponse, spoken: ReplyFormat) -> tuple[str | None, dict[str, Any]]:
    """Return the first choice as a builder's arguments: content, then the keywords ``spoken`` takes."""
    choice = response.choices[0] if response.choices else None
    message = choice.message if choice else None
    kwargs: dict[str, Any] = {
        "tool_calls": [call.model_dump() for call in (message.tool_calls or [])] if message else [],
        "usage": {
            "prompt_tokens": response.usage.prompt_tokens,
            "completion_tokens": response.usage.completion_tokens,
        },
    }
    finish = choice.finish_reason if choice else None
    said = spoken.finishes.get(finish, finish) if finish is not None else None
    if said is not None:
        kwargs[spoken.finish_keyword] = said
    if spoken.names_model:
        kwargs["model"] = response.model or "fake-model"
    reasoning = getattr(message, "reasoning_content", None)
    if spoken.thinking_keyword and reasoning:
        kwargs[spoken.thinking_keyword] = reasoning
    return (message.content if message else None), kwargs


def _wants_stream(request: HttpRequest) -> bool:
    try:
        body = request.json() if request.body else {}
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("stream") is True


def _chunks(result: object) -> Sequence[ModelResponseStream] | None:
    if (
        isinstance(result, list | tuple)
        and result
        and all(isinstance(c, ModelResponseStream) for c in result)
    ):
        return result
    return None


def _folded(chunks: Sequence[ModelResponseStream]) -> ModelResponse:
    built = stream_chunk_builder(list(chunks))
    if built is None:
        raise TypeError("the chunks returned add up to no answer")
    return built

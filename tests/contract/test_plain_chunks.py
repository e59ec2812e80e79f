"""The OpenAI stream parser's plain-chunk shortcut makes exactly the chunks of the general path.

The shortcut (``OpenAIChunkDecoder.decode_plain`` with ``parse_plain_chunks``) validates a chunk's
JSON text in one pydantic pass; the general path (``decode``) is the parser shared with
non-streamed answers. Every recorded OpenAI-format stream, and every dialect or null the general
path normalises, must come out the same, values and set fields alike.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

import llmport
from llmport.adapters.providers.framing import FramedStream
from llmport.adapters.providers.openai import OpenAIChunkDecoder
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.adapters.providers.sse import SSEDecoder, SSEEvent
from llmport.domain.models.stream import ModelResponseStream, parse_plain_chunks

from .fixtures_loader import exchange_names, load_exchange
from .replay import stream_parser

REGISTRY = ProviderRegistry()
OPENAI_FORMAT = ("openai", "groq", "mistral")
STREAMS = [
    (provider, name)
    for provider in OPENAI_FORMAT
    for name in exchange_names(provider)
    if load_exchange(provider, name).is_stream and load_exchange(provider, name).status == 200
]
PLAIN = {"id": "c1", "object": "chat.completion.chunk", "created": 5, "model": "m"}


def _parser(provider: str = "openai") -> FramedStream[SSEEvent]:
    parser = stream_parser(provider, REGISTRY)
    assert isinstance(parser, FramedStream)
    assert isinstance(parser._decoder, OpenAIChunkDecoder)
    return parser


def _decoder(provider: str = "openai") -> OpenAIChunkDecoder:
    decoder = _parser(provider)._decoder
    assert isinstance(decoder, OpenAIChunkDecoder)
    return decoder


def _events(body: bytes) -> list[SSEEvent]:
    decoder = SSEDecoder()
    return decoder.feed(body) + decoder.finish()


def _whole(provider: str, body: bytes) -> tuple[list[ModelResponseStream], BaseException | None]:
    """The parser's chunks for ``body`` in one read (the shortcut where it applies), and its error."""
    parser = _parser(provider)
    chunks: list[ModelResponseStream] = []
    try:
        chunks += parser.feed(body)
        chunks += parser.finish()
    except llmport.APIError as error:
        return chunks, error
    return chunks, None


def _general(provider: str, body: bytes) -> tuple[list[ModelResponseStream], BaseException | None]:
    """The chunks ``decode`` makes of each event in turn: the general path alone."""
    decoder = _decoder(provider)
    chunks: list[ModelResponseStream] = []
    for event in _events(body):
        if decoder.done:
            break
        try:
            chunks += decoder.decode(event)
        except llmport.APIError as error:
            return chunks, error
    return chunks, None


def _shape(chunks: list[ModelResponseStream], *generated: str) -> list[Any]:
    # Values, the fields a provider set (exclude_unset), and the classes; `generated` fields
    # (a default id or created time, new at each validation) are compared by presence only.
    return [
        (
            [type(choice.delta) for choice in chunk.choices],
            {k: v for k, v in chunk.model_dump().items() if k not in generated},
            {k: v for k, v in chunk.model_dump(exclude_unset=True).items() if k not in generated},
            type(chunk),
        )
        for chunk in chunks
    ]


def _sse(*payloads: object) -> bytes:
    return b"".join(b"data: " + json.dumps(p).encode() + b"\n\n" for p in payloads) + b"data: [DONE]\n\n"


def _chunk(delta: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**PLAIN, "choices": [{"index": 0, "delta": delta, "finish_reason": None}], **fields}


@pytest.mark.parametrize(("provider", "name"), STREAMS, ids=str)
def test_every_recorded_stream_gives_the_general_paths_chunks(provider: str, name: str) -> None:
    body = load_exchange(provider, name).body
    whole, error = _whole(provider, body)
    general, general_error = _general(provider, body)
    assert error is None
    assert general_error is None
    assert whole
    assert _shape(whole) == _shape(general)


def test_a_plain_openai_stream_is_taken_whole_by_the_shortcut() -> None:
    body = _sse(
        _chunk({"role": "assistant", "content": ""}, usage=None, system_fingerprint="fp", obfuscation="x"),
        _chunk({"content": "Hi", "refusal": None}),
        {**_chunk({}), "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    )
    chunks = _decoder().decode_plain([event.data for event in _events(body)])
    assert chunks is not None
    assert [c.choices[0].delta.content for c in chunks] == ["", "Hi", None]
    assert _shape(chunks) == _shape(_general("openai", body)[0])
    # `"usage": null` leaves usage unset, as the envelope's null-dropping does.
    assert "usage" not in chunks[0].model_fields_set
    assert chunks[0].model_extra == {"obfuscation": "x"}


TOOL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": ""}}
# (name, payload, the fields the general path generates, a check of its normalisation)
DIALECTS: list[tuple[str, Any, tuple[str, ...], Any]] = [
    ("groq reasoning", _chunk({"reasoning": "hm"}), (),
     lambda c: c.choices[0].delta.reasoning_content == "hm"),
    ("mistral parts", _chunk({"content": [{"type": "text", "text": "a"}]}), (),
     lambda c: c.choices[0].delta.content == "a"),
    ("perplexity object", _chunk({"content": "a"}, object="chat.completion.done"), (),
     lambda c: c.object == "chat.completion.chunk"),
    ("tool call without index", _chunk({"tool_calls": [TOOL, {**TOOL, "id": "call_2"}]}), (),
     lambda c: [t.index for t in c.choices[0].delta.tool_calls] == [0, 1]),
    ("tool call index null", _chunk({"tool_calls": [{**TOOL, "index": None}]}), (),
     lambda c: c.choices[0].delta.tool_calls[0].index == 0),
    ("id null", _chunk({"content": "a"}, id=None), ("id",), lambda c: c.id.startswith("chatcmpl-")),
    ("created null", _chunk({"content": "a"}, created=None), ("created",), lambda c: c.created > 5),
    ("model null", _chunk({"content": "a"}, model=None), (), lambda c: c.model == ""),
    ("object null", _chunk({"content": "a"}, object=None), (), lambda c: c.object == "chat.completion.chunk"),
    ("choices null", {**PLAIN, "choices": None}, (), lambda c: c.choices[0].delta.content is None),
    ("delta null", {**PLAIN, "choices": [{"index": 0, "delta": None}]}, (),
     lambda c: c.choices[0].delta.content is None),
    ("lone surrogate", '{"id":"c","created":5,"choices":[{"delta":{"content":"\\ud800"}}]}', (),
     lambda c: c.choices[0].delta.content == "\ud800"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "payload", "generated", "normalised"), DIALECTS, ids=[d[0] for d in DIALECTS]
)
def test_the_shortcut_gives_up_where_the_general_path_normalises(
    name: str, payload: Any, generated: tuple[str, ...], normalised: Any
) -> None:
    middle = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    body = (
        _sse(_chunk({"content": "before"}))[: -len(b"data: [DONE]\n\n")]
        + b"data: " + middle + b"\n\n"
        + _sse(_chunk({"content": "after"}))
    )  # fmt: skip
    assert _decoder().decode_plain([event.data for event in _events(body)]) is None, name
    whole, error = _whole("openai", body)
    general, general_error = _general("openai", body)
    assert error is None
    assert general_error is None
    assert _shape(whole, *generated) == _shape(general, *generated)
    assert [c.choices[0].delta.content for c in (whole[0], whole[2])] == ["before", "after"]
    assert normalised(whole[1])


def test_an_error_payload_in_a_read_raises_after_the_chunks_before_it() -> None:
    body = _sse(_chunk({"content": "a"}), {"error": {"message": "overloaded", "type": "server_error"}})
    whole, error = _whole("openai", body)
    general, general_error = _general("openai", body)
    assert _shape(whole) == _shape(general)
    assert [c.choices[0].delta.content for c in whole] == ["a"]
    assert isinstance(error, llmport.APIError)
    assert type(error) is type(general_error)
    assert str(error) == str(general_error)


@pytest.mark.parametrize("field", ["id", "created", "model", "object", "choices"])
def test_parse_plain_chunks_refuses_each_null_the_envelope_replaces(field: str) -> None:
    # The shortcut relies on this: these nulls must reach the general path, which replaces them.
    with pytest.raises(ValidationError):
        parse_plain_chunks([json.dumps({**_chunk({"content": "a"}), field: None})])


def test_parse_plain_chunks_refuses_a_null_delta() -> None:
    with pytest.raises(ValidationError):
        parse_plain_chunks([json.dumps({**PLAIN, "choices": [{"index": 0, "delta": None}]})])


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(_chunk({"content": "a"}, usage=None)),
        json.dumps(
            _chunk({"content": "é"}, usage={"prompt_tokens": 1, "total_tokens": 1}, extra=[1, {"x": None}])
        ),
        '{"id":"c","created":5,"x":123456789012345678901234567890,"y":1e400,"z":-0.0,"id":"d"}',
        '{"id":"c","created":"7","choices":[{"index":1.0,"delta":{"content":"\\u00e9\\ud83d\\ude00"}}]}',
    ],
)
def test_parse_plain_chunks_equals_parsing_then_validating(text: str) -> None:
    [plain] = parse_plain_chunks([text])
    general = ModelResponseStream.model_validate(json.loads(text))
    assert _shape([plain]) == _shape([general])
    assert plain.model_fields_set == general.model_fields_set

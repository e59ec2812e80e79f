"""Property tests of the stream parsers: any byte split gives the same chunks, garbage gives llmport errors.

hypothesis runs derandomized with no deadline, so a slow shared CI machine neither flakes nor
times out; every recorded OpenAI-format and Anthropic stream is a seed of the search.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import llmport
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.ports.codec import StreamParser

from .fixtures_loader import exchange_names, load_exchange
from .replay import dumps, stream_parser

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
REGISTRY = ProviderRegistry()
CODECS = {"openai": "openai", "groq": "groq", "mistral": "mistral", "anthropic": "anthropic"}
STREAMS = [
    (provider, name)
    for provider in CODECS
    for name in exchange_names(provider)
    if load_exchange(provider, name).is_stream and load_exchange(provider, name).status == 200
]


def _parser(provider: str) -> StreamParser:
    return stream_parser(provider, REGISTRY)


def _run(provider: str, pieces: list[bytes]) -> tuple[list[Any], BaseException | None]:
    """Feed pieces then finish; return the chunks yielded and the error raised, if any."""
    parser = _parser(provider)
    chunks: list[Any] = []
    try:
        for piece in pieces:
            chunks += parser.feed(piece)
        chunks += parser.finish()
    except Exception as error:  # collected: the test asserts what kind it is
        return chunks, error
    return chunks, None


def _stable(chunks: list[Any]) -> list[Any]:
    # Anthropic sends no `created`; llmport stamps the parse time, which may cross a second.
    return [{**chunk, "created": None} for chunk in dumps(chunks)]


def _split(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(body) + 1) for cut in cuts})
    bounds = [0, *points, len(body)]
    return [body[a:b] for a, b in itertools.pairwise(bounds)]


@pytest.mark.parametrize(("provider", "name"), STREAMS, ids=str)
@FUZZ
@given(cuts=st.lists(st.integers(min_value=0, max_value=1 << 20), max_size=40))
def test_any_split_gives_the_chunks_of_the_whole_body(provider: str, name: str, cuts: list[int]) -> None:
    body = load_exchange(provider, name).body
    whole, whole_error = _run(provider, [body])
    split, split_error = _run(provider, _split(body, cuts))
    assert _stable(split) == _stable(whole)
    assert type(split_error) is type(whole_error)


GARBAGE = st.one_of(
    st.binary(max_size=400),
    st.lists(
        st.sampled_from(
            [
                b"data: {}\n\n",
                b"data: []\n\n",
                b"data: null\n\n",
                b"data: [DONE]\n\n",
                b'data: {"choices": 7}\n\n',
                b'data: {"choices": [{"delta": 5}]}\n\n',
                b'data: {"type": "content_block_delta", "index": 9, "delta": {}}\n\n',
                b'data: {"type": "message_start"}\n\n',
                b'data: {"type": "message_stop"}\n\n',
                b'data: {"type": "error", "error": {"type": 1}}\n\n',
                b'data: {"error": "x"}\n\n',
                b"event: ping\n",
                b": comment\n",
                b"\xff\xfe\n",
                b"data: \x80\x81\n\n",
                b'data: {"id": 1, "choices": [{"index": "a", "delta": {"content": 3}}]}\n\n',
                b'data: {"type": "content_block_start", "index": 0, "content_block": null}\n\n',
                b'data: {"type": "content_block_start", "index": 0, "content_block": "text"}\n\n',
                b'data: {"type": "message_delta", "delta": [], "usage": "x"}\n\n',
                b"data: " + b"9" * 40 + b"\n\n",
                b"data: NaN\n\n",
                b"\r\n",
                b"\n",
            ]
        ),
        max_size=12,
    ).map(b"".join),
)


@pytest.mark.parametrize("provider", sorted(CODECS))
@FUZZ
@given(body=GARBAGE, cuts=st.lists(st.integers(min_value=0, max_value=4096), max_size=8))
def test_garbage_gives_llmport_errors_or_chunks_never_a_crash(
    provider: str, body: bytes, cuts: list[int]
) -> None:
    chunks, error = _run(provider, _split(body, cuts))
    assert error is None or isinstance(error, llmport.APIError), repr(error)
    assert all(isinstance(chunk, llmport.ModelResponseStream) for chunk in chunks)
    assert all(chunk.choices for chunk in chunks) or provider == "anthropic"


ANTHROPIC_START = (
    b'event: message_start\ndata: {"type": "message_start", "message": {"id": "msg_1", "type": "message", '
    b'"role": "assistant", "model": "m", "content": [], '
    b'"usage": {"input_tokens": 1, "output_tokens": 0}}}\n\n'
)


@pytest.mark.parametrize(
    "event",
    [
        b'{"type": "content_block_start", "index": 0, "content_block": "text"}',
        b'{"type": "content_block_start", "index": "x", "content_block": {"type": "text", "text": ""}}',
        b'{"type": "content_block_delta", "index": 0, "delta": "text"}',
        b'{"type": "message_delta", "delta": [], "usage": "x"}',
    ],
)
def test_a_wrongly_typed_anthropic_event_after_a_valid_start_is_a_validation_error(event: bytes) -> None:
    _, error = _run("anthropic", [ANTHROPIC_START, b"data: " + event + b"\n\n"])
    assert isinstance(error, llmport.APIResponseValidationError), repr(error)

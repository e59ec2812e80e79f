"""Stream framers: any split gives the same frames, garbage a FramingError, and lines cost linear time."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmport.adapters.providers import sse
from llmport.adapters.providers.framing import (
    FRAMERS,
    Framer,
    FramingError,
    JSONArrayFramer,
    LineFramer,
    SSEEvent,
    SSEFramer,
    json_array,
    lines,
)

NDJSON = (
    b'{"message": {"content": "h\\u00e9"}, "done": false}\n'
    b"\n"
    b'{"message": {"content": "llo"}, "done": false}\r\n'
    b'{"done": true, "eval_count": 2}'
)
NDJSON_LINES = [
    '{"message": {"content": "h\\u00e9"}, "done": false}',
    '{"message": {"content": "llo"}, "done": false}',
    '{"done": true, "eval_count": 2}',
]
# Gemini's streamGenerateContent without alt=sse: one array, elements separated by ",\r\n".
ELEMENTS: list[dict[str, Any]] = [
    {"candidates": [{"content": {"parts": [{"text": 'a "quoted" [x] {y} \\ é'}]}}]},
    {"candidates": [{"content": {"parts": [{"text": "b]}"}]}, "finishReason": "STOP"}], "n": [1, [2]]},
]
ARRAY = ("[" + ",\r\n".join(json.dumps(e, ensure_ascii=False) for e in ELEMENTS) + "]\n").encode()


def frames(framer: Framer[Any], pieces: list[bytes]) -> list[Any]:
    out = [frame for piece in pieces for frame in framer.feed(piece)]
    return out + framer.finish()


def splits(body: bytes) -> Iterator[list[bytes]]:
    for cut in range(len(body) + 1):
        yield [body[:cut], body[cut:]]
    yield [body[i : i + 1] for i in range(len(body))]


def test_the_table_names_every_framer() -> None:
    assert {name: type(make()) for name, make in FRAMERS.items()} == {
        "sse": SSEFramer,
        "ndjson": LineFramer,
        "json_array": JSONArrayFramer,
    }


def test_lines_at_every_split() -> None:
    for pieces in splits(NDJSON):
        assert frames(LineFramer(), pieces) == NDJSON_LINES, pieces


def test_json_array_elements_at_every_split() -> None:
    for pieces in splits(ARRAY):
        assert [json.loads(f) for f in frames(JSONArrayFramer(), pieces)] == ELEMENTS, pieces


def test_an_empty_json_array_has_no_frames() -> None:
    assert frames(JSONArrayFramer(), [b" [ ", b"]"]) == []
    assert frames(JSONArrayFramer(), [b""]) == []


@pytest.mark.parametrize(
    "body",
    [b'{"a": 1}', b"[1, 2]", b'[{"a": 1} {"b": 2}]', b'[{"a": 1},]', b'[{"a": 1}] x', b"[,{}]", b"[{}]]"],
)
def test_json_array_garbage_raises_framing_error(body: bytes) -> None:
    with pytest.raises(FramingError):
        frames(JSONArrayFramer(), [body])


def test_json_array_garbage_keeps_the_elements_before_it() -> None:
    with pytest.raises(FramingError) as raised:
        JSONArrayFramer().feed(b'[{"a": 1}, {"b": "]"} oops')
    assert raised.value.frames == ['{"a": 1}', '{"b": "]"}']


def test_a_json_array_cut_short_is_a_framing_error_at_finish() -> None:
    framer = JSONArrayFramer()
    assert framer.feed(b'[{"a": 1}, {"b": ') == ['{"a": 1}']
    with pytest.raises(FramingError):
        framer.finish()


def test_sse_framer_gives_the_decoders_events_fast_path_or_not() -> None:
    plain = b'data: {"a": 1}\n\ndata: {"b": 2}\n\n'
    assert SSEFramer().feed(plain) == [SSEEvent("message", '{"a": 1}'), SSEEvent("message", '{"b": 2}')]
    named = b"event: ping\ndata: x\n\n"
    assert frames(SSEFramer(), [named]) == [SSEEvent("ping", "x")]


@settings(max_examples=200, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(ARRAY)), max_size=12))
def test_json_array_property_any_split(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(ARRAY)]
    pieces = [ARRAY[a:b] for a, b in itertools.pairwise(bounds)]
    assert [json.loads(f) for f in frames(JSONArrayFramer(), pieces)] == ELEMENTS


@settings(max_examples=200, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=len(NDJSON)), max_size=12))
def test_lines_property_any_split(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(NDJSON)]
    pieces = [NDJSON[a:b] for a, b in itertools.pairwise(bounds)]
    assert frames(LineFramer(), pieces) == NDJSON_LINES


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=300), cut=st.integers(min_value=0, max_value=300))
def test_garbage_gives_frames_or_framing_error_never_anything_else(body: bytes, cut: int) -> None:
    for make in FRAMERS.values():
        framer = make()
        try:
            got = frames(framer, [body[:cut], body[cut:]])
        except FramingError:
            continue
        assert all(isinstance(frame, str | SSEEvent) for frame in got)


# -- linear time: counted, not timed ---------------------------------------------------------

PIECE = 64 * 1024


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[int]:
    """Count the bytes a framer module joins (every join of held bytes goes through its ``_join``)."""
    copied = [0]
    join = module._join

    def counted(parts: Any) -> bytes:
        joined: bytes = join(parts)
        copied[0] += len(joined)
        return joined

    monkeypatch.setattr(module, "_join", counted)
    return copied


def _one_long_line(make: Callable[[], Framer[Any]], head: bytes, size: int, tail: bytes) -> int:
    framer = make()
    body = b"x" * size
    out = framer.feed(head)
    for start in range(0, size, PIECE):
        out += framer.feed(body[start : start + PIECE])
    out += framer.feed(tail) + framer.finish()
    assert len(out) == 1
    return size


@pytest.mark.parametrize(
    ("module", "make", "head", "tail"),
    [
        (sse, SSEFramer, b"data: ", b"\n\n"),
        (lines, LineFramer, b"", b"\n"),
        (json_array, JSONArrayFramer, b'[{"t": "', b'"}]'),
    ],
    ids=["sse", "ndjson", "json_array"],
)
def test_a_16_mb_line_is_copied_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch, module: Any, make: Callable[[], Framer[Any]], head: bytes, tail: bytes
) -> None:
    # Before the fix, each 64 KB piece re-joined and re-split everything held: ~2 GB copied for
    # 16 MB (quadratic). Linear framing joins the held pieces once, when the line ends.
    copied = _counting(monkeypatch, module)
    _one_long_line(make, head, 8 * 1024 * 1024, tail)
    eight = copied[0]
    copied[0] = 0
    size = _one_long_line(make, head, 16 * 1024 * 1024, tail)
    sixteen = copied[0]
    assert size <= sixteen <= size + 64
    assert sixteen <= 2 * eight + 64  # doubling the line doubles the work

"""The AWS event-stream framer: any split gives the same frames; garbage gives FramingError only."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmport.adapters.providers.bedrock.eventstream import AWSEventStreamFramer, EventFrame
from llmport.ports.framing import FramingError
from llmport.testing.eventstream import event_frame, event_stream, exception_frame

_payloads = st.dictionaries(st.text(max_size=8), st.text(max_size=40), max_size=4)
_events = st.lists(
    st.tuples(st.sampled_from(["messageStart", "contentBlockDelta", "metadata"]), _payloads),
    min_size=1,
    max_size=8,
)


def _frames(body: bytes, cuts: list[int]) -> list[EventFrame]:
    framer = AWSEventStreamFramer()
    points = sorted({c for c in cuts if 0 < c < len(body)})
    bounds = [0, *points, len(body)]
    frames = [f for start, end in itertools.pairwise(bounds) for f in framer.feed(body[start:end])]
    return frames + framer.finish()


@settings(max_examples=60, deadline=None)
@given(_events, st.lists(st.integers(min_value=0, max_value=4000), max_size=40))
def test_any_split_gives_the_same_frames(events: list[tuple[str, dict[str, str]]], cuts: list[int]) -> None:
    body = event_stream(event_frame(kind, payload) for kind, payload in events)
    frames = _frames(body, cuts)
    assert [(f.headers[":event-type"], json.loads(f.payload)) for f in frames] == events


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300), st.lists(st.integers(min_value=0, max_value=300), max_size=10))
def test_garbage_raises_event_stream_error_only(garbage: bytes, cuts: list[int]) -> None:
    good = event_stream([exception_frame("throttlingException", "x")])
    try:
        frames = _frames(good + garbage, cuts)
    except FramingError as error:
        frames = error.frames
    assert all(isinstance(frame, EventFrame) for frame in frames)


def test_frames_before_a_broken_one_travel_with_the_failure() -> None:
    good = event_frame("messageStart", {"role": "assistant"})
    bad = bytearray(event_frame("metadata", {"usage": {}}))
    bad[-1] ^= 0x01
    framer = AWSEventStreamFramer()
    with pytest.raises(FramingError, match="ChecksumMismatch") as caught:
        framer.feed(good + bytes(bad))
    assert [f.headers[":event-type"] for f in caught.value.frames] == ["messageStart"]


def test_a_body_ending_inside_a_frame_is_reported_by_finish() -> None:
    frame = event_frame("messageStart", {"role": "assistant"})
    framer = AWSEventStreamFramer()
    assert framer.feed(frame[:-5]) == []
    with pytest.raises(FramingError, match=f"{len(frame) - 5} bytes left"):
        framer.finish()


def test_event_stream_refuses_bytes_botocore_would_not_decode() -> None:
    bad = bytearray(event_frame("messageStart", {}))
    bad[5] ^= 0x01
    with pytest.raises(Exception, match=r"Checksum|decode"):  # botocore's ChecksumMismatch
        event_stream([bytes(bad)])


def test_without_botocore_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "botocore.eventstream", None)  # what an absent package looks like
    with pytest.raises(ImportError, match=r"pip install 'llmport\[bedrock\]'"):
        AWSEventStreamFramer()

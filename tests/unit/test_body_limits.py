"""Bounded bodies: incremental decoding, the size limits, and the stream watch (no network)."""

from __future__ import annotations

import gzip
import math
import zlib

import pytest

from llmport import APIConnectionError, APIResponseValidationError, Timeout
from llmport.adapters.transport._body import PIECE, Collector, Decoder
from llmport.domain.dispatch.stream_watch import StreamWatch
from llmport.domain.models.stream import ModelResponseStream, StreamingChoices
from llmport.ports.transport import AttemptBudget, HttpRequest, ResponseLimits
from llmport.testing import FakeClock

TEXT = b'{"answer": "' + b"abc" * 50_000 + b'"}'


def request(**limits: int) -> HttpRequest:
    return HttpRequest("POST", "http://127.0.0.1/v1/chat/completions", limits=ResponseLimits(**limits))


def decode_all(encoding: str, data: bytes, step: int = 1000) -> bytes:
    decoder = Decoder(encoding)
    out = [
        piece for start in range(0, len(data), step) for piece in decoder.decode(data[start : start + step])
    ]
    return b"".join([*out, *decoder.flush()])


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
        ("identity", lambda data: data),
        ("br", lambda data: data),  # not ours to decode: passed through as httpx does
        ("deflate, gzip", lambda data: gzip.compress(zlib.compress(data))),
    ],
)
def test_decoder_undoes_each_encoding_whatever_the_split(encoding: str, encode: object) -> None:
    encoded = encode(TEXT)  # type: ignore[operator]
    assert decode_all(encoding, encoded) == TEXT
    assert decode_all(encoding, encoded, step=7) == TEXT


def test_decoder_never_emits_more_than_a_piece_per_step() -> None:
    bomb = gzip.compress(bytes(20 * PIECE))
    pieces = list(Decoder("gzip").decode(bomb))
    assert max(map(len, pieces)) <= PIECE
    assert sum(map(len, pieces)) == 20 * PIECE


def test_a_corrupt_compressed_body_is_a_connection_error_as_with_httpx() -> None:
    with pytest.raises(APIConnectionError, match="gzip"):
        list(Decoder("gzip").decode(b"not gzip at all"))


def test_collector_refuses_a_body_past_max_response_bytes() -> None:
    body = Collector(request(max_response_bytes=1000), {})
    body.add(b"x" * 1000)
    with pytest.raises(APIResponseValidationError, match=r"max_response_bytes \(1000 bytes\)"):
        body.add(b"x")


def test_collector_refuses_a_declared_length_past_the_limit_before_reading() -> None:
    with pytest.raises(APIResponseValidationError, match="max_response_bytes"):
        Collector(request(max_response_bytes=1000), {"content-length": "1001"})


def test_collector_stops_a_gzip_bomb_at_max_decoded_bytes() -> None:
    bomb = gzip.compress(bytes(50 * 1024 * 1024))
    body = Collector(request(max_decoded_bytes=4 * 1024 * 1024), {"content-encoding": "gzip"})
    with pytest.raises(APIResponseValidationError, match=r"max_decoded_bytes \(4 MiB\)"):
        body.add(bomb)


def test_collector_raises_timeout_once_the_budget_is_spent() -> None:
    clock = FakeClock()
    budget = AttemptBudget(1.0, clock.monotonic)
    sent = HttpRequest("POST", "http://127.0.0.1/v1", budget=budget)
    body = Collector(sent, {})
    body.add(b"{")
    clock.sleep(1.5)
    with pytest.raises(Timeout, match="deadline"):
        body.add(b"}")


def test_budget_caps_timeouts_and_lifting_ends_it() -> None:
    clock = FakeClock()
    budget = AttemptBudget(2.0, clock.monotonic)
    assert budget.cap(10.0) == 2.0
    assert budget.cap(None) == 2.0
    clock.sleep(3)
    assert budget.spent
    assert budget.cap(10.0) == 0.001
    budget.lift()
    assert not budget.spent
    assert budget.cap(10.0) == 10.0
    assert budget.remaining() == math.inf


def watch(kind: str, limit: int = 100, idle: float = math.inf, clock: FakeClock | None = None) -> StreamWatch:
    framing = "sse" if "event-stream" in kind else "aws_eventstream" if "amazon" in kind else "ndjson"
    return StreamWatch({"content-type": kind}, limit, idle, clock or FakeClock(), framing)


def test_a_binary_framing_turns_the_text_checks_off_whatever_the_content_type() -> None:
    binary = StreamWatch({"content-type": "text/event-stream"}, 10, math.inf, FakeClock(), "aws_eventstream")
    assert binary.feed(b"\xff" * 1000) == b"\xff" * 1000
    binary.end()


@pytest.mark.parametrize("end", [b"\n", b"\r", b"\r\n"])
def test_stream_watch_bounds_a_line_and_resets_at_each_line_end(end: bytes) -> None:
    lines = watch("application/x-ndjson")
    for _ in range(10):
        lines.feed(b"x" * 60)
        lines.feed(b"y" * 30 + end)
    lines.feed(b"z" * 100)
    with pytest.raises(
        APIResponseValidationError, match=r"streamed line exceeded max_event_bytes \(100 bytes\)"
    ):
        lines.feed(b"z")


@pytest.mark.parametrize("blank", [b"\n\n", b"\r\r", b"\r\n\r\n", b"\n\r\n"])
def test_stream_watch_bounds_an_event_of_many_short_lines(blank: bytes) -> None:
    events = watch("text/event-stream; charset=utf-8")
    for _ in range(5):  # events of 2 * 40 bytes, split across reads and at the blank line itself
        events.feed(b"data: " + b"x" * 33 + b"\n")
        events.feed(b"data: " + b"x" * 33 + blank[:1])
        events.feed(blank[1:])
    events.feed(b"data: " + b"x" * 33 + b"\n")
    events.feed(b"data: " + b"x" * 33 + b"\n")
    with pytest.raises(APIResponseValidationError, match="streamed event exceeded"):
        events.feed(b"data: " + b"x" * 33 + b"\n")


def test_stream_watch_leaves_binary_streams_to_their_framer() -> None:
    binary = watch("application/vnd.amazon.eventstream", limit=10)
    binary.feed(b"\x00" * 1000)


def test_stream_watch_counts_only_chunks_as_progress() -> None:
    clock = FakeClock()
    idle = watch("text/event-stream", idle=5, clock=clock)
    content = ModelResponseStream(choices=[StreamingChoices()])
    clock.sleep(4)
    idle.chunks([content])
    clock.sleep(4)
    idle.chunks([])  # a keep-alive comment: 4 s idle, under the limit
    clock.sleep(2)
    with pytest.raises(Timeout, match="stream_idle_timeout"):
        idle.chunks([ModelResponseStream(choices=[])])  # an empty event is no progress either


def sse_chunk(content: bytes) -> bytes:
    return (
        b'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":'
        b'[{"index":0,"delta":{"content":"' + content + b'"},"finish_reason":null}]}\n\n'
    )


@pytest.mark.parametrize(
    "body",
    [
        sse_chunk(b"caf\xc3\xa9") + sse_chunk(b"bad \xff byte") + b"data: [DONE]\n\n",
        sse_chunk(b"caf\xc3\xa9") + sse_chunk(b"cut \xc3"),  # a character cut short by the end
    ],
    ids=["invalid-byte", "cut-at-the-end"],
)
def test_invalid_utf8_in_a_stream_is_an_invalid_answer_as_in_a_body(body: bytes) -> None:
    import llmport
    from llmport.ports.transport import HttpResponse
    from llmport.testing import FakeTransport

    streamed = HttpResponse(200, {"content-type": "text/event-stream"}, chunks=(body[:70], body[70:]))
    whole = HttpResponse(200, {"content-type": "application/json"}, b'{"id": "\xff"}')
    client = llmport.Client(api_key="sk-utf8", transport=FakeTransport(responses=[streamed, whole]))
    with pytest.raises(APIResponseValidationError, match="UTF-8"):
        list(client.completion("openai/m", [{"role": "user", "content": "hi"}], stream=True))
    with pytest.raises(APIResponseValidationError):
        client.completion("openai/m", [{"role": "user", "content": "hi"}])


def test_valid_utf8_split_inside_a_character_passes_the_watch() -> None:
    text = watch("text/event-stream", limit=1000)
    data = "data: café ☕\n\n".encode()
    for index in range(len(data)):
        text.feed(data[index : index + 1])
    text.end()

import random

from llmport.adapters.providers.sse import SSEDecoder, SSEEvent

BODY = (
    b": comment\r\n"
    b"event: message_start\r\n"
    b'data: {"a": "\xc3\xa9t\xc3\xa9"}\r\n'
    b"\r\n"
    b"data: line one\n"
    b"data:line two\n"
    b"\n"
    b"data: [DONE]\r\r"
)
EXPECTED = [
    SSEEvent("message_start", '{"a": "été"}'),
    SSEEvent("message", "line one\nline two"),
    SSEEvent("message", "[DONE]"),
]


def decode(pieces: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events = [event for piece in pieces for event in decoder.feed(piece)]
    return events + decoder.finish()


def test_whole_body() -> None:
    assert decode([BODY]) == EXPECTED


def test_every_two_way_split_gives_the_same_events() -> None:
    for cut in range(len(BODY) + 1):
        assert decode([BODY[:cut], BODY[cut:]]) == EXPECTED, cut


def test_byte_by_byte() -> None:
    assert decode([BODY[i : i + 1] for i in range(len(BODY))]) == EXPECTED


def test_unterminated_last_event_is_still_dispatched() -> None:
    assert decode([b'data: {"x": 1}']) == [SSEEvent("message", '{"x": 1}')]


def test_invalid_utf8_is_replaced_not_raised() -> None:
    [event] = decode([b"data: \xff\xfe\n\n"])
    assert event.data == "\ufffd\ufffd"


PLAIN = b'data: {"a": 1}\n\ndata: {"b": "\xc3\xa9"}\n\ndata: \n\ndata:  x: y\n\ndata: [DONE]\n\n'


def decode_plain_first(pieces: list[bytes]) -> tuple[list[SSEEvent], int]:
    """Decode as OpenAI's parser does: ``feed_plain`` first, ``feed`` when it declines."""
    decoder, events, taken = SSEDecoder(), [], 0
    for piece in pieces:
        texts = decoder.feed_plain(piece)
        if texts is None:
            events += decoder.feed(piece)
        else:
            taken += 1
            events += [SSEEvent("message", text) for text in texts]
    return events + decoder.finish(), taken


def test_feed_plain_takes_a_plain_stream_whole() -> None:
    events, taken = decode_plain_first([PLAIN])
    assert taken == 1
    assert events == decode([PLAIN])
    assert [event.data for event in events] == ['{"a": 1}', '{"b": "é"}', "", " x: y", "[DONE]"]


def test_feed_plain_gives_feeds_events_however_the_body_is_split() -> None:
    for body in (PLAIN, BODY, b": ping\n\n" + PLAIN, PLAIN.replace(b"\n\ndata: [", b"\ndata: [")):
        for cut in range(len(body) + 1):
            pieces = [body[:cut], body[cut:]]
            assert decode_plain_first(pieces)[0] == decode(pieces), (body, cut)
        pieces = [body[i : i + 1] for i in range(len(body))]
        assert decode_plain_first(pieces)[0] == decode(pieces), body


def test_feed_plain_gives_feeds_events_on_random_bodies() -> None:
    rng = random.Random(7)
    tokens = [b"data: ", b"data: ", b"data:", b"\n", b"\n\n", b"\n\n", b"\r", b"\r\n", b": c", b"event: e"]
    tokens += [b"x", b"x", b"\xc3", b"\xa9", b"\xff"]
    taken = 0
    for _ in range(3000):
        body = b"".join(rng.choice(tokens) for _ in range(rng.randint(0, 12)))
        cuts = sorted(rng.randint(0, len(body)) for _ in range(rng.randint(0, 3)))
        pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
        events, plain = decode_plain_first(pieces)
        assert events == decode(pieces), pieces
        taken += plain
    assert taken > 50  # the comparison covers the shortcut, not just its refusals

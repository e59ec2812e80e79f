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

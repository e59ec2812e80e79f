"""Property tests of the Ollama (NDJSON) and Cohere (SSE with event: lines) stream decoders.

Any byte split of a recorded stream gives the chunks of the whole body; garbage lines and events,
split anywhere, give llmport's errors or chunks, never a crash.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import llmport

from .fixtures_loader import load_exchange
from .test_cohere_codec import STREAMS as COHERE_STREAMS
from .test_cohere_codec import with_event_lines
from .test_parser_fuzz import FUZZ, _run, _split, _stable

_OLLAMA_LINES = load_exchange("ollama", "oi_chat_stream").body.split(b"\n")
BODIES = {
    "ollama_chat": b"\n".join([*_OLLAMA_LINES[:20], *_OLLAMA_LINES[-8:]]),  # recorded lines, shortened
    **{f"cohere:{e.name}": with_event_lines(e) for e in COHERE_STREAMS},
}


@pytest.mark.parametrize("name", sorted(BODIES))
@FUZZ
@given(cuts=st.lists(st.integers(min_value=0, max_value=1 << 16), max_size=40))
def test_any_split_gives_the_chunks_of_the_whole_body(name: str, cuts: list[int]) -> None:
    provider, body = name.split(":", maxsplit=1)[0], BODIES[name]
    whole, whole_error = _run(provider, [body])
    assert whole_error is None
    split, split_error = _run(provider, _split(body, cuts))
    assert split_error is None
    assert [{**c, "id": None} for c in _stable(split)] == [{**c, "id": None} for c in _stable(whole)]


OLLAMA_GARBAGE = st.lists(
    st.sampled_from(
        [
            b'{"model": "m", "message": {"role": "assistant", "content": "hi"}, "done": false}\n',
            b'{"model": "m", "message": {"content": "x"}, "done": true, "done_reason": "stop"}\n',
            b'{"model": "m", "message": {"tool_calls": [{"function": {"name": "f", "arguments": {}}}]}}\n',
            b'{"message": {"tool_calls": [{"function": 7}]}}\n',
            b'{"message": {"tool_calls": "x"}}\n',
            b'{"message": [], "done": true}\n',
            b'{"response": "text", "done": false}\n',
            b'{"error": "boom"}\n',
            b'{"error": 7}\n',
            b'{"done": true, "prompt_eval_count": "x"}\n',
            b'{"created_at": 5, "message": {}}\n',
            b"[1]\n",
            b"null\n",
            b"\xff\xfe\n",
            b"data: {}\n",
            b"\n",
        ]
    ),
    max_size=12,
).map(b"".join)
COHERE_GARBAGE = st.lists(
    st.sampled_from(
        [
            b'event: message-start\ndata: {"type": "message-start", "id": "x", "delta": {"message": {}}}\n\n',
            b'data: {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "a"}}}}'
            b"\n\n",
            b'data: {"type": "content-delta", "delta": {"message": {"content": "a"}}}\n\n',
            b'data: {"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": {}}}}\n\n',
            b'data: {"type": "tool-call-delta", "index": 3, "delta": {"message": {"tool_calls": '
            b'{"function": {}}}}}\n\n',
            b'data: {"type": "tool-call-start", "index": "x"}\n\n',
            b'data: {"type": "tool-call-end", "index": 0}\n\n',
            b'data: {"type": "tool-plan-delta", "delta": null}\n\n',
            b'data: {"type": "citation-start", "delta": {"message": {"citations": 5}}}\n\n',
            b'data: {"type": "message-end", "delta": {"finish_reason": "ERROR", "error": "x"}}\n\n',
            b'data: {"type": "message-end", "delta": {"usage": {"tokens": {"input_tokens": "x"}}}}\n\n',
            b'data: {"type": "message-end", "delta": {"finish_reason": "COMPLETE"}}\n\n',
            b"data: [DONE]\n\n",
            b"data: null\n\n",
            b"data: \x80\x81\n\n",
            b"event: debug\n",
            b"\n",
        ]
    ),
    max_size=12,
).map(b"".join)


@pytest.mark.parametrize(
    ("provider", "garbage"), [("ollama_chat", OLLAMA_GARBAGE), ("cohere", COHERE_GARBAGE)]
)
def test_garbage_gives_llmport_errors_or_chunks_never_a_crash(
    provider: str, garbage: st.SearchStrategy[bytes]
) -> None:
    @FUZZ
    @given(body=st.one_of(st.binary(max_size=300), garbage), cuts=st.lists(st.integers(0, 4096), max_size=8))
    def check(body: bytes, cuts: list[int]) -> None:
        chunks, error = _run(provider, _split(body, cuts))
        assert error is None or isinstance(error, llmport.APIError), repr(error)
        assert all(isinstance(chunk, llmport.ModelResponseStream) and chunk.choices for chunk in chunks)

    check()

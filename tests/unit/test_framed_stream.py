"""The one framed-stream life cycle: deferred failure, cut detection, the terminal event, framing errors."""

from __future__ import annotations

import json

import pytest

import llmport
from llmport.adapters.providers.framing import FramedStream, JSONArrayFramer, LineFramer
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.domain.models.request import TimeoutConfig, build_request
from llmport.domain.models.stream import ModelResponseStream
from llmport.ports.codec import ProviderCall

REGISTRY = ProviderRegistry()


def _call() -> ProviderCall:
    host = REGISTRY.host("openai")
    assert host is not None
    request = build_request("openai/m", [{"role": "user", "content": "hi"}], {"stream": True})
    return ProviderCall(
        request=request, host=host, model="m", api_base="http://127.0.0.1:9", api_key=None,
        api_version=None, timeout=TimeoutConfig(),
    )  # fmt: skip


class LineDecoder:
    """A minimal NDJSON dialect: {"text"}, {"error"}, {"done": true}; the last may also end by count."""

    def __init__(self, call: ProviderCall, enough: int | None = None) -> None:
        self.call = call
        self.enough = enough
        self.seen = 0
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def decode(self, frame: str) -> list[ModelResponseStream]:
        data = json.loads(frame)
        if "error" in data:
            raise llmport.RateLimitError(data["error"], "openai", "m", status_code=429)
        if data.get("done"):
            self._done = True
            return []
        self.seen += 1
        choice = {"index": 0, "delta": {"content": data["text"]}}
        return [ModelResponseStream.model_validate({"choices": [choice]})]

    def finish(self) -> list[ModelResponseStream]:
        self._done = self._done or (self.enough is not None and self.seen >= self.enough)
        return []


def _texts(chunks: list[ModelResponseStream]) -> list[str | None]:
    return [chunk.choices[0].delta.content for chunk in chunks]


def test_chunks_then_the_terminal_event() -> None:
    stream = FramedStream(LineFramer(), LineDecoder(_call()), _call())
    chunks = stream.feed(b'{"text": "a"}\n{"text": "b"}\n{"done": true}\n{"text": "ignored"}\n')
    assert _texts(chunks + stream.finish()) == ["a", "b"]


def test_an_error_frame_is_raised_after_the_chunks_of_the_same_read() -> None:
    stream = FramedStream(LineFramer(), LineDecoder(_call()), _call())
    assert _texts(stream.feed(b'{"text": "a"}\n{"error": "slow down"}\n{"text": "b"}\n')) == ["a"]
    with pytest.raises(llmport.RateLimitError, match="slow down"):
        stream.feed(b"")


def test_a_body_without_the_terminal_event_is_a_cut() -> None:
    stream = FramedStream(LineFramer(), LineDecoder(_call()), _call(), "cut: no done line")
    assert _texts(stream.feed(b'{"text": "a"}\n')) == ["a"]
    with pytest.raises(llmport.APIConnectionError, match="cut: no done line"):
        stream.finish()


def test_a_dialect_may_end_without_a_terminal_event_by_its_own_rule() -> None:
    stream = FramedStream(LineFramer(), LineDecoder(_call(), enough=1), _call())
    assert _texts(stream.feed(b'{"text": "a"}\n') + stream.finish()) == ["a"]


def test_garbage_in_the_framing_delivers_what_came_before_then_raises() -> None:
    stream = FramedStream(JSONArrayFramer(), LineDecoder(_call()), _call())
    assert _texts(stream.feed(b'[{"text": "a"} nonsense')) == ["a"]
    with pytest.raises(llmport.APIResponseValidationError, match="malformed"):
        stream.finish()


def test_a_body_ending_inside_a_frame_is_a_cut() -> None:
    stream = FramedStream(JSONArrayFramer(), LineDecoder(_call()), _call())
    assert _texts(stream.feed(b'[{"text": "a"}, {"text": "b')) == ["a"]
    with pytest.raises(llmport.APIConnectionError):
        stream.finish()


def test_the_codecs_share_the_life_cycle() -> None:
    call = _call()
    for codec in ("openai", "anthropic"):
        assert isinstance(REGISTRY.codec(codec).stream_parser(call), FramedStream)

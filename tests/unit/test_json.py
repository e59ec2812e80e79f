"""The codecs' JSON parser: orjson's speed, the standard library's answers."""

from __future__ import annotations

import json
import math

import pytest

from llmport.adapters.providers._json import dumps, loads

SAME_AS_JSON = [
    b'{"a": 1, "b": [true, null, "x"]}',
    '{"text": "caf\u00e9 \U0001f600"}',
    b'{"big": 123456789012345678901234567890}',
    b'{"lone": "\\ud800"}',
    b'{"n": 1.5e300, "neg": -0.0}',
    b"[]",
]


@pytest.mark.parametrize("raw", SAME_AS_JSON)
def test_answers_as_json_does(raw: bytes | str) -> None:
    assert loads(raw) == json.loads(raw)


def test_nan_and_infinity_literals_parse_as_json_parses_them() -> None:
    value = loads(b'{"x": NaN, "y": Infinity}')
    assert math.isnan(value["x"])
    assert value["y"] == math.inf


@pytest.mark.parametrize("raw", [b"", b"{", b"not json", b'{"a": 1}}', b"\xff\xfe"])
def test_invalid_json_raises_value_error(raw: bytes) -> None:
    with pytest.raises(ValueError):
        loads(raw)


def test_dumps_is_compact_and_escapes_like_json() -> None:
    value = {"model": "m", "messages": [{"content": "café"}]}
    assert dumps(value) == json.dumps(value, separators=(",", ":")).encode()

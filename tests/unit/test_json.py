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
    b'{"u64": 18446744073709551616, "i64": -9223372036854775809}',
    b'{"id": 1234567890123456789012, "text": "a 12345678901234567890 digit run"}',
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
    with pytest.raises(ValueError):  # noqa: PT011 - json's and orjson's messages differ; the type is the contract
        loads(raw)


def test_big_integers_stay_integers() -> None:
    assert loads(b"[18446744073709551616]") == [18446744073709551616]
    assert type(loads("[-9223372036854775809]")[0]) is int


def test_dumps_is_compact_and_escapes_like_json() -> None:
    value = {"model": "m", "messages": [{"content": "café"}]}
    assert dumps(value) == json.dumps(value, separators=(",", ":")).encode()

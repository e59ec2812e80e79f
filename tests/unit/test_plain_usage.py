"""``parse_plain_chunks`` leaves a null ``usage`` unset however the key is written, in any read of texts."""

import json

import pytest

from llmport.domain.models.stream import ModelResponseStream, parse_plain_chunks

CHUNK = '{"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", %s'
CHOICES = '"choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": null}]}'
TEXTS = [
    CHUNK % CHOICES,
    CHUNK % ('"usage": null, ' + CHOICES),
    CHUNK % ('"us\\u0061ge": null, ' + CHOICES),
    CHUNK % ('"usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}, ' + CHOICES),
]


def general(text: str | bytes) -> ModelResponseStream:
    return ModelResponseStream.model_validate(json.loads(text))


@pytest.mark.parametrize("texts", [TEXTS, TEXTS[:1], TEXTS[:2], [TEXTS[0], TEXTS[2]], TEXTS[::-1]])
def test_fields_set_as_the_general_path(texts: list[str]) -> None:
    for read in (texts, [text.encode() for text in texts], iter(texts)):
        chunks = parse_plain_chunks(read)
        assert [c.model_fields_set for c in chunks] == [general(t).model_fields_set for t in texts]
        assert [c.usage for c in chunks] == [general(t).usage for t in texts]

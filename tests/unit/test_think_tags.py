"""``<think>`` blocks opening a model's text become reasoning, as litellm splits them for Ollama.

The splitter must give the same reasoning and answer however the text is cut into pieces (a
stream's tokens cut a tag anywhere); the Ollama codec must give the same message streamed and
whole. The Ollama lines are recorded ones (openinference's qwen3.6 cassettes) with their text
replaced by a model's inline block, as models run with ``think`` off write it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.adapters.providers.think_tags import ThinkTagSplitter
from llmport.testing import FakeTransport, HttpRequest, HttpResponse, from_ndjson
from tests.contract.fixtures_loader import load_exchange

CASES = [
    ("<think>plan it</think>\n\nThe answer.", ("plan it", "The answer.")),
    ("\n <think>\nstep 1\nstep 2\n</think>The answer.", ("\nstep 1\nstep 2\n", "The answer.")),
    ("<think></think>Just this.", ("", "Just this.")),
    ("No block here.", ("", "No block here.")),
    ("  indented answer", ("", "  indented answer")),
    ("Say <think>tags</think> later.", ("", "Say <think>tags</think> later.")),
    ("<thinking>is not the tag</thinking>", ("", "<thinking>is not the tag</thinking>")),
    ("<thi", ("", "<thi")),
    ("<think>never closed </thi", ("never closed </thi", "")),
    ("<think>a</think>\n\n", ("a", "")),
    ("", ("", "")),
]


def split(pieces: list[str]) -> tuple[str, str]:
    splitter = ThinkTagSplitter()
    reasoning, content = [], []
    for piece in pieces:
        thought, said = splitter.feed(piece)
        reasoning.append(thought)
        content.append(said)
    thought, said = splitter.flush()
    return "".join([*reasoning, thought]), "".join([*content, said])


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[repr(text[:24]) for text, _ in CASES])
def test_any_cut_of_the_text_splits_alike(text: str, expected: tuple[str, str]) -> None:
    assert split([text]) == expected
    assert split(list(text)) == expected  # one character per piece: every tag cut everywhere
    for cut in range(len(text) + 1):
        assert split([text[:cut], text[cut:]]) == expected


# -- through the Ollama codec ------------------------------------------------------------------

TEXT = "<think>\nThe user greets me.\n</think>\n\nHello! How can I help?"
RECORDED = [json.loads(line) for line in load_exchange("ollama", "oi_chat_stream").body.splitlines()]
FIRST, LAST = RECORDED[0], RECORDED[-1]


def lines(pieces: list[str], key: str) -> list[dict[str, Any]]:
    """Recorded lines (their envelope and final counts) carrying ``pieces`` as the model's text."""

    def line(text: str, last: dict[str, Any] | None = None) -> dict[str, Any]:
        base = dict(last or FIRST)
        if key == "message":
            base["message"] = {"role": "assistant", "content": text}
        else:  # /api/generate
            base.pop("message", None)
            base["response"] = text
        return base

    return [*(line(piece) for piece in pieces), line("", LAST)]


@pytest.mark.parametrize(("model", "key"), [("ollama_chat/qwen3", "message"), ("ollama/qwen3", "response")])
@pytest.mark.parametrize("size", [1, 3, 7, len(TEXT)])
def test_an_ollama_answer_with_an_inline_block_streamed_or_whole(model: str, key: str, size: int) -> None:
    pieces = [TEXT[i : i + size] for i in range(0, len(TEXT), size)]

    def handler(request: HttpRequest) -> HttpResponse:
        if request.json().get("stream"):
            return from_ndjson(lines(pieces, key))
        whole = lines([TEXT], key)
        return HttpResponse.from_json({**whole[-1], key: whole[0][key]})

    client = llmport.Client(transport=FakeTransport(handler), num_retries=0)
    whole = client.completion(model, [{"role": "user", "content": "hi"}], api_base="http://127.0.0.1:9")
    chunks = list(client.completion(model, [{"role": "user", "content": "hi"}], api_base="http://127.0.0.1:9",
                                     stream=True))  # fmt: skip
    built = llmport.stream_chunk_builder(chunks)

    for message in (whole.choices[0].message, built.choices[0].message):
        assert message.reasoning_content == "\nThe user greets me.\n"
        assert message.content == "Hello! How can I help?"
    assert all("<think>" not in (chunk.choices[0].delta.content or "") for chunk in chunks)


def test_the_thinking_field_and_an_inline_block_both_count() -> None:
    line = {**LAST, "message": {"role": "assistant", "content": "<think>b</think>c", "thinking": "a"}}
    client = llmport.Client(transport=FakeTransport(lambda _r: HttpResponse.from_json(line)), num_retries=0)

    message = client.completion("ollama_chat/qwen3", [{"role": "user", "content": "hi"}]).choices[0].message

    assert (message.reasoning_content, message.content) == ("ab", "c")

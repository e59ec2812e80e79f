"""Integrity checks for the recorded contract fixtures (no network, no access outside the repo)."""

from __future__ import annotations

import json
import re

import pytest

from .fixtures_loader import FIXTURES_DIR, exchange_names, load_exchange, load_metadata

PROVIDERS = ("openai", "azure", "anthropic", "responses")
# How each provider's stream ends (chunks-lines bodies get a [DONE] from the loader on top).
_TERMINAL_TYPES = {
    "anthropic": ("message_stop",),
    "responses": ("response.completed", "response.incomplete", "response.failed"),
}
CASES = [(provider, name) for provider in PROVIDERS for name in exchange_names(provider)]

_KEY_RE = re.compile(rb"sk-(?!REDACTED)(?:ant-)?[A-Za-z0-9_-]{20,}")
_BEARER_RE = re.compile(rb"Bearer\s+[A-Za-z0-9._~+/=-]{20,}")
_SECRET_HEADERS = {"authorization", "api-key", "cookie", "set-cookie", "x-api-key", "openai-organization"}


def _ids(case: tuple[str, str]) -> str:
    return f"{case[0]}/{case[1]}"


def test_there_are_fixtures() -> None:
    assert len(exchange_names("openai")) >= 15
    assert exchange_names("azure")
    assert len(exchange_names("anthropic")) >= 30
    assert len(exchange_names("responses")) >= 30


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_metadata_is_complete(case: tuple[str, str]) -> None:
    provider, name = case
    meta = load_metadata(provider, name)
    projects = {"openinference", "simonw-llm", "openai-python", "vercel-ai"}
    if provider == "anthropic":
        projects = {"openinference", "simonw-llm-anthropic", "anthropic-sdk-python", "vercel-ai"}
    assert meta["project"] in projects
    assert meta["source"]
    assert meta["description"]
    assert meta["framing"] in {"raw", "chunks-lines"}
    assert set(meta["request"]) == {"method", "url", "headers", "body"}
    assert set(meta["response"]) == {"status", "headers", "body_file"}
    assert (FIXTURES_DIR / provider / meta["response"]["body_file"]).is_file()
    for headers in (meta["request"]["headers"], meta["response"]["headers"]):
        assert not {key.lower() for key in headers} & _SECRET_HEADERS


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_body_parses(case: tuple[str, str]) -> None:
    exchange = load_exchange(*case)
    assert 100 <= exchange.status < 600
    assert exchange.body
    if exchange.is_stream:
        lines = [line.strip() for line in exchange.body.decode("utf-8").splitlines()]
        payloads = [line[len("data:") :].strip() for line in lines if line.startswith("data:")]
        assert payloads, "SSE body without data: lines"
        terminal = _TERMINAL_TYPES.get(exchange.provider)
        if terminal is not None:  # Anthropic and the Responses API end with an event, not [DONE]
            payloads = [p for p in payloads if p != "[DONE]"]
            assert json.loads(payloads[-1])["type"] in terminal
            payloads.append("[DONE]")
        assert payloads[-1] == "[DONE]"
        for payload in payloads[:-1]:
            assert isinstance(json.loads(payload), dict)
    else:
        body = json.loads(exchange.body)
        assert isinstance(body, dict)
        assert bool(body.get("error")) == (exchange.status >= 400)  # a Responses object has "error": null


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_no_secrets(case: tuple[str, str]) -> None:
    provider, name = case
    meta = load_metadata(provider, name)
    for path in (
        FIXTURES_DIR / provider / f"{name}.json",
        FIXTURES_DIR / provider / meta["response"]["body_file"],
    ):
        data = path.read_bytes()
        assert not _KEY_RE.search(data), f"key-like string in {path.name}"
        assert not _BEARER_RE.search(data), f"bearer token in {path.name}"


def test_chunks_lines_are_reframed() -> None:
    exchange = load_exchange("openai", "stream_text_gpt41_nano")
    assert exchange.is_stream
    assert exchange.body.startswith(b"data: {")
    assert exchange.body.endswith(b"}\n\ndata: [DONE]\n\n")

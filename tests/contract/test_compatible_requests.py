"""Contract tests: the requests llmport sends to OpenAI-compatible hosts, against recorded ones,
and the integrity of the fixtures in fixtures/<host>/ (test_fixtures_integrity.py covers openai/azure).

Only the openinference cassettes (the vendors' own SDKs: ``together``, ``mistralai``) recorded the
request; the same call is replayed through llmport's row and the JSON bodies are compared.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest

import llmport

from .compatible import CASES, ids, params
from .fixtures_loader import FIXTURES_DIR, load_exchange, load_metadata
from .replay import API_KEY, make_client, replay

WITH_REQUEST = [case for case in CASES if load_exchange(*case).request_body is not None]
# The vendors' SDKs use the vendor's spelling; a litellm user writes OpenAI's and the row maps it.
OPENAI_SPELLING: dict[str, dict[str, dict[Any, Any]]] = {"mistral": {"tool_choice": {"any": "required"}}}

_KEY_RE = re.compile(rb"(sk|gsk|xai|pplx)-(?!REDACTED)[A-Za-z0-9]{20,}")
_BEARER_RE = re.compile(rb"Bearer\s+[A-Za-z0-9._~+/=-]{20,}")
_SECRET_HEADERS = {"authorization", "api-key", "cookie", "set-cookie", "x-api-key"}


def _call_params(host: str, recorded: dict[str, Any]) -> dict[str, Any]:
    spelling = OPENAI_SPELLING.get(host, {})
    out = {}
    for key, value in recorded.items():
        if key not in ("model", "messages", "stream"):
            out[key] = spelling.get(key, {}).get(value, value) if isinstance(value, str) else value
    return out


def _sent(case: tuple[str, str]) -> Any:
    exchange = load_exchange(*case)
    recorded = exchange.request_body
    assert recorded is not None
    client, fake = make_client(replay(exchange))
    model = f"{case[0]}/{recorded['model']}"
    result = client.completion(
        model, recorded["messages"], stream=bool(recorded.get("stream")), **_call_params(case[0], recorded)
    )
    if isinstance(result, llmport.CompletionStream):
        list(result)
    return fake.requests[-1]


@pytest.mark.parametrize("case", params(WITH_REQUEST))
def test_recorded_request_body_is_rebuilt(case: tuple[str, str]) -> None:
    recorded = load_exchange(*case).request_body
    assert recorded is not None
    sent = _sent(case)
    body = sent.json()
    extra, missing = sorted(set(body) - set(recorded)), sorted(set(recorded) - set(body))
    assert (extra, missing) == ([], []), "fields llmport adds / leaves out"
    assert {k: v for k, v in body.items() if k in recorded} == {k: recorded[k] for k in body}
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["content-type"] == "application/json"


@pytest.mark.parametrize("case", params(WITH_REQUEST))
def test_recorded_request_path_is_the_chat_completions_endpoint(case: tuple[str, str]) -> None:
    recorded_url = load_exchange(*case).request_url
    assert recorded_url is not None
    assert urlsplit(_sent(case).url).path == urlsplit(recorded_url).path


@pytest.mark.parametrize("case", params(WITH_REQUEST))
def test_default_base_is_the_recorded_host(case: tuple[str, str]) -> None:
    recorded_url = load_exchange(*case).request_url
    assert recorded_url is not None
    # The mistralai SDK names its streaming operation in a URL fragment, which is never sent.
    assert _sent(case).url == recorded_url.split("#", 1)[0]


def test_mistral_tool_choice_required_is_sent_as_any_as_recorded() -> None:
    case = ("mistral", "sdk_stream_tool_call_a")
    recorded = load_exchange(*case).request_body
    assert recorded is not None
    assert recorded["tool_choice"] == "any"
    assert _call_params("mistral", recorded)["tool_choice"] == "required"
    assert _sent(case).json()["tool_choice"] == "any"


# -- fixture integrity --------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_fixture_metadata_is_complete(case: tuple[str, str]) -> None:
    host, name = case
    meta = load_metadata(host, name)
    assert meta["project"] in {"openinference", "vercel-ai"}
    assert meta["source"]
    assert meta["description"]
    assert "TODO" not in meta["description"]
    assert meta["framing"] in {"raw", "chunks-lines"}
    assert set(meta["request"]) == {"method", "url", "headers", "body"}
    assert set(meta["response"]) == {"status", "headers", "body_file"}
    assert (FIXTURES_DIR / host / meta["response"]["body_file"]).is_file()
    for headers in (meta["request"]["headers"], meta["response"]["headers"]):
        assert not {key.lower() for key in headers} & _SECRET_HEADERS
    catalog = (FIXTURES_DIR / host / "CATALOG.md").read_text(encoding="utf-8")
    notice = (FIXTURES_DIR / "NOTICE").read_text(encoding="utf-8")
    assert f"| `{name}` |" in catalog
    assert f"{host}/{name}.json, {host}/{meta['response']['body_file']}" in notice


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_fixture_body_parses_and_holds_no_secret(case: tuple[str, str]) -> None:
    exchange = load_exchange(*case)
    assert exchange.status == 200
    if exchange.is_stream:
        lines = exchange.body.decode("utf-8").splitlines()
        data = [line[len("data:") :].strip() for line in lines if line.startswith("data:")]
        assert data[-1] == "[DONE]"
        assert all(isinstance(json.loads(item), dict) for item in data[:-1])
    else:
        assert "choices" in json.loads(exchange.body)
    meta = load_metadata(*case)
    for path in (
        FIXTURES_DIR / case[0] / f"{case[1]}.json",
        FIXTURES_DIR / case[0] / meta["response"]["body_file"],
    ):
        raw = path.read_bytes()
        assert not _KEY_RE.search(raw), f"key-like string in {path.name}"
        assert not _BEARER_RE.search(raw), f"bearer token in {path.name}"

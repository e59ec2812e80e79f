"""Request bodies llmport builds, checked field by field against the recorded Gemini requests.

Each recorded request is read back into the OpenAI-shaped call a litellm user would make
(``call_for``); llmport's body for that call must equal the recorded body, after the
normalisations below, each a documented difference (docs/migrating-from-litellm.md):

* key spelling: the recordings mix snake_case (``function_call``, ``response_mime_type``) and
  camelCase; Gemini takes both, llmport sends camelCase;
* ``systemInstruction.role`` is not sent (Gemini ignores it), nor an empty ``generationConfig``;
* schema ``type`` names are compared case-insensitively (the SDK upper-cases them);
* empty ``{"text": ""}`` parts of a model turn are not sent back, and a function without
  parameters is sent without an empty ``parameters`` object (Vertex refuses empty properties);
* tool-call ids are always sent in ``functionCall``/``functionResponse``, also ids llmport made
  up (Gemini accepts ids it did not issue: recorded in ``sw_tools_1/2`` and
  ``oi_chat_session_with_tool``); where a recording sent none, the id is not compared;
* a thinking budget is sent with ``includeThoughts: true`` (litellm's rule);
* structured output for Gemini 2.5+/``-latest`` models goes as ``responseJsonSchema`` (the
  caller's JSON Schema); the OpenAPI translation the recordings used is checked against the
  recorded ``response_schema`` in ``tests/unit/test_gemini_schema.py``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from .fixtures_loader import Exchange, exchange_names, load_exchange
from .replay import answer, make_client

RECORDED = [
    e for e in (load_exchange("gemini", n) for n in exchange_names("gemini")) if e.request_body is not None
]
BASE = "http://127.0.0.1:9/v1beta"


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def normalised(value: Any, under: str = "") -> Any:
    """The recorded body with the documented normalisations applied."""
    if isinstance(value, list):
        return [normalised(item, under) for item in value]
    if not isinstance(value, dict):
        return value.lower() if under == "type" and isinstance(value, str) else value
    keep_names = under in ("properties", "args", "response")  # user data: names are not wire keys
    out = {}
    for key, item in value.items():
        name = key if keep_names else _camel(key)
        out[name] = normalised(item, "" if keep_names else name)
    return out


def _ours(value: dict[str, Any]) -> dict[str, Any]:
    return normalised(value)  # type names lower-cased on both sides


def _tidy_recorded(body: dict[str, Any]) -> dict[str, Any]:
    body = normalised(body)
    if isinstance(body.get("systemInstruction"), dict):
        body["systemInstruction"].pop("role", None)
    if body.get("generationConfig") == {}:
        del body["generationConfig"]
    for content in body["contents"]:
        if content["role"] == "model":
            content["parts"] = [p for p in content["parts"] if p != {"text": ""}]
    for tool in body.get("tools") or ():
        for declaration in tool.get("functionDeclarations") or ():
            if declaration.get("description") is None:
                declaration.pop("description", None)
            if not (declaration.get("parameters") or {}).get("properties"):
                declaration.pop("parameters", None)
    thinking = (body.get("generationConfig") or {}).get("thinkingConfig")
    if thinking is not None and "thinkingBudget" in thinking:
        thinking.setdefault("includeThoughts", True)
    return body


# -- the recorded request read back into an OpenAI-shaped call ------------------------------


def call_for(exchange: Exchange) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """The model, messages and keyword arguments a litellm user would pass for this request."""
    body = normalised(exchange.request_body)
    url = exchange.request_url or ""
    model = re.search(r"models/([^:]+):", url).group(1)  # type: ignore[union-attr]
    messages: list[dict[str, Any]] = []
    system = body.get("systemInstruction")
    if system:
        messages.append(
            {"role": "system", "content": [{"type": "text", "text": p["text"]} for p in system["parts"]]}
        )
    ids: dict[str, list[str]] = {}
    for position, content in enumerate(body["contents"]):
        messages += _messages(content, position, ids)
    kwargs = _kwargs(body, model)
    return model, messages, kwargs


def _messages(content: dict[str, Any], position: int, ids: dict[str, list[str]]) -> list[dict[str, Any]]:
    if content["role"] == "model":
        return [_assistant(content["parts"], position, ids)]
    results = [p["functionResponse"] for p in content["parts"] if "functionResponse" in p]
    others = [_user_part(p) for p in content["parts"] if "functionResponse" not in p]
    messages = [
        {
            "role": "tool",
            "tool_call_id": r.get("id") or ids[r["name"]].pop(0),
            "content": json.dumps(r["response"]),
        }
        for r in results
    ]
    if others:
        text_only = len(others) == 1 and others[0]["type"] == "text"
        messages.append({"role": "user", "content": others[0]["text"] if text_only else others})
    return messages


def _user_part(part: dict[str, Any]) -> dict[str, Any]:
    if "text" in part:
        return {"type": "text", "text": part["text"]}
    if "inlineData" in part:
        data = part["inlineData"]
        return {"type": "image_url", "image_url": {"url": f"data:{data['mimeType']};base64,{data['data']}"}}
    return {"type": "image_url", "image_url": {"url": part["fileData"]["fileUri"]}}


def _assistant(parts: list[dict[str, Any]], position: int, ids: dict[str, list[str]]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": "".join(p.get("text", "") for p in parts)}
    calls, signatures = [], []
    for number, part in enumerate(p for p in parts if "functionCall" in p):
        call = part["functionCall"]
        call_id = call.get("id") or f"call_{position:016x}{number:016x}"  # llmport's generated shape
        ids.setdefault(call["name"], []).append(call_id)
        calls.append(
            {
                "id": call_id,
                "type": "function",
                "function": {"name": call["name"], "arguments": json.dumps(call["args"])},
            }
        )
        if "thoughtSignature" in part:
            signatures.append({"signature": part["thoughtSignature"], "tool_call_id": call_id})
    if calls:
        message["tool_calls"] = calls
    if signatures:
        message["thought_signatures"] = signatures
    return message


def _kwargs(body: dict[str, Any], model: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if "safetySettings" in body:
        kwargs["safety_settings"] = body["safetySettings"]
    tools = []
    for tool in body.get("tools") or ():
        for declaration in tool.get("functionDeclarations") or ():
            function = {"name": declaration["name"], "parameters": declaration.get("parameters")}
            if declaration.get("description") is not None:
                function["description"] = declaration["description"]
            tools.append({"type": "function", "function": function})
        if "functionDeclarations" not in tool:
            tools.append(tool)
    if tools:
        kwargs["tools"] = tools
    config = body.get("generationConfig") or {}
    names = {"temperature": "temperature", "topP": "top_p", "topK": "top_k", "candidateCount": "n"}
    kwargs.update({names[k]: v for k, v in config.items() if k in names})
    thinking = config.get("thinkingConfig")
    if thinking and "thinkingLevel" in thinking:
        kwargs["reasoning_effort"] = thinking["thinkingLevel"].lower()
    elif thinking:
        kwargs["thinking"] = {
            "type": "enabled",
            **({"budget_tokens": thinking["thinkingBudget"]} if "thinkingBudget" in thinking else {}),
        }
    if "responseSchema" in config:
        schema = config["responseSchema"]
        kwargs["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema},
        }
    return kwargs


def _built(exchange: Exchange) -> tuple[dict[str, Any], str]:
    model, messages, kwargs = call_for(exchange)
    seen = []

    def handler(request: Any) -> Any:
        seen.append(request)
        return answer(exchange)

    client, _ = make_client(handler, api_base=BASE)
    with client:
        result = client.completion(f"gemini/{model}", messages, stream=exchange.is_stream, **kwargs)
        if exchange.is_stream:
            list(result)
    return json.loads(seen[0].body), seen[0].url


@pytest.mark.parametrize("exchange", RECORDED, ids=[e.name for e in RECORDED])
def test_request_body_matches_the_recording(exchange: Exchange) -> None:
    ours, url = _built(exchange)
    recorded = _tidy_recorded(exchange.request_body or {})
    config = recorded.get("generationConfig") or {}
    if "responseSchema" in config:  # llmport sends the caller's JSON Schema to 2.5+/latest models
        assert ours["generationConfig"].pop("responseJsonSchema") == config.pop("responseSchema")
        assert ours["generationConfig"].pop("responseMimeType") == config.pop("responseMimeType")
    ours = _ours(ours)
    _drop_ids_the_recording_lacks(ours["contents"], recorded["contents"])
    assert sorted(ours) == sorted(recorded)
    for field in recorded:
        assert ours[field] == recorded[field], field
    method = "streamGenerateContent?alt=sse" if exchange.is_stream else "generateContent"
    assert url.endswith(f":{method}")
    assert "key=" not in url


def _drop_ids_the_recording_lacks(ours: list[dict[str, Any]], recorded: list[dict[str, Any]]) -> None:
    for mine, theirs in zip(ours, recorded, strict=False):
        for part, recorded_part in zip(mine["parts"], theirs["parts"], strict=False):
            for kind in ("functionCall", "functionResponse"):
                if kind in part and kind in recorded_part and "id" not in recorded_part[kind]:
                    part[kind].pop("id", None)


def test_most_recordings_have_their_request() -> None:
    assert len(RECORDED) >= 30

"""Our Anthropic request bodies against the recorded ones (another client's, for the same call).

Each recorded request body is read back into the OpenAI-shaped call a litellm user would make
(``openai_call``); llmport's body for that call must agree with the recording on every field
both have, and the fields only one side has are listed in the failure message.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from .fixtures_loader import Exchange, exchange_names, load_exchange
from .replay import API_KEY, make_client, replay

RECORDED = [
    e
    for e in (load_exchange("anthropic", name) for name in exchange_names("anthropic"))
    if e.request_body is not None and e.status == 200
]
# Fields another client sends with the API's default value, which llmport leaves out.
DEFAULTS: dict[str, tuple[Any, ...]] = {"stream": (False,), "system": ("", [])}
# Fields of Anthropic's responses that its SDK echoes back in the next request and that an
# OpenAI-shaped assistant message cannot carry (llmport builds tool_use blocks from tool_calls).
RESPONSE_ONLY_BLOCK_FIELDS = ("caller",)
_THINKING = ("thinking", "redacted_thinking")


def _part(block: dict[str, Any]) -> dict[str, Any]:
    extra = {"cache_control": block["cache_control"]} if "cache_control" in block else {}
    source = block.get("source") or {}
    if block["type"] == "image" and source.get("type") == "base64":
        url = f"data:{source['media_type']};base64,{source['data']}"
        return {"type": "image_url", "image_url": {"url": url}, **extra}
    if block["type"] == "image" and source.get("type") == "url":
        return {"type": "image_url", "image_url": {"url": source["url"]}, **extra}
    if block["type"] == "text":
        return {"type": "text", "text": block["text"], **extra}
    return block


def _assistant(content: list[dict[str, Any]]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": None}
    parts = [_part(b) for b in content if b["type"] not in ("tool_use", *_THINKING)]
    if parts:
        message["content"] = parts  # text, and server-tool blocks passed as Anthropic-native parts
    calls = [b for b in content if b["type"] == "tool_use"]
    if calls:
        message["tool_calls"] = [
            {
                "id": b["id"],
                "type": "function",
                "function": {"name": b["name"], "arguments": json.dumps(b["input"])},
            }
            for b in calls
        ]
    thinking = [b for b in content if b["type"] in _THINKING]
    if thinking:
        message["thinking_blocks"] = thinking
    return message


def _messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    system = body.get("system")
    if system is not None:
        messages.append(
            {"role": "system", "content": system if isinstance(system, str) else [_part(b) for b in system]}
        )
    for turn in body["messages"]:
        content = turn["content"]
        if isinstance(content, str):
            messages.append({"role": turn["role"], "content": content})
        elif turn["role"] == "assistant":
            messages.append(_assistant(content))
        else:
            for block in (b for b in content if b["type"] == "tool_result"):
                result = block.get("content", "")
                parts = result if isinstance(result, str) else [_part(b) for b in result]
                tool = {"role": "tool", "tool_call_id": block["tool_use_id"], "content": parts}
                tool.update({k: block[k] for k in ("is_error", "cache_control") if k in block})
                messages.append(tool)
            others = [_part(b) for b in content if b["type"] != "tool_result"]
            if others:
                messages.append({"role": "user", "content": others})
    return messages


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    if "input_schema" not in tool:
        return tool  # a server tool, sent as given
    function = {"name": tool["name"], "parameters": tool["input_schema"]}
    if "description" in tool:
        function["description"] = tool["description"]
    wire: dict[str, Any] = {"type": "function", "function": function}
    wire.update({k: v for k, v in tool.items() if k not in ("name", "description", "input_schema")})
    return wire


def _tool_choice(choice: dict[str, Any], kwargs: dict[str, Any]) -> None:
    if choice.get("disable_parallel_tool_use"):
        kwargs["parallel_tool_calls"] = False
    names = {"auto": "auto", "none": "none", "any": "required"}
    if choice["type"] in names:
        kwargs["tool_choice"] = names[choice["type"]]
    else:
        kwargs["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}


def openai_call(body: dict[str, Any]) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """The ``completion()`` arguments a litellm user would pass to make the recorded request."""
    kwargs: dict[str, Any] = {}
    for key, value in body.items():
        if key in ("model", "messages", "system"):
            continue
        if key == "stop_sequences":
            kwargs["stop"] = value
        elif key == "tools":
            kwargs["tools"] = [_tool(tool) for tool in value]
        elif key == "tool_choice":
            _tool_choice(value, kwargs)
        elif key == "output_config" and set(value) == {"format"}:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": value["format"]["schema"]},
            }
        else:
            kwargs[key] = value  # max_tokens, temperature, thinking, stream and provider fields pass through
    return f"anthropic/{body['model']}", _messages(body), kwargs


def _blocks(content: Any) -> Any:
    """Content in block form: a plain string is the same as one text block."""
    return [{"type": "text", "text": content}] if isinstance(content, str) else content


def _block(block: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if k not in RESPONSE_ONLY_BLOCK_FIELDS}


def _normalised(body: dict[str, Any]) -> dict[str, Any]:
    """Compare-ready: string content as blocks, consecutive same-role turns merged (as llmport sends)."""
    result = {k: v for k, v in body.items() if not (k in DEFAULTS and v in DEFAULTS[k])}
    if "system" in result:
        result["system"] = _blocks(result["system"])
    turns: list[dict[str, Any]] = []
    for turn in body["messages"]:
        blocks = [_block(b) for b in _blocks(turn["content"])]
        if turns and turns[-1]["role"] == turn["role"]:
            turns[-1]["content"] += blocks
        else:
            turns.append({"role": turn["role"], "content": blocks})
    result["messages"] = turns
    return result


def ours(exchange: Exchange) -> dict[str, Any]:
    assert exchange.request_body is not None
    model, messages, kwargs = openai_call(exchange.request_body)
    client, fake = make_client(replay(exchange), api_base="http://127.0.0.1:9")
    with client:
        result = client.completion(model, messages, **kwargs)
        if kwargs.get("stream"):
            list(result)
    request = fake.requests[0]
    assert request.url == "http://127.0.0.1:9/v1/messages"
    assert request.headers["x-api-key"] == API_KEY
    assert request.headers["anthropic-version"] == "2023-06-01"
    body = request.json()
    assert isinstance(body, dict)
    return body


def test_enough_recorded_requests() -> None:
    assert len(RECORDED) >= 30
    sent = {key for e in RECORDED for key in e.request_body or {}}
    assert {"tools", "thinking", "system", "output_config", "stop_sequences", "stream"} <= sent


@pytest.mark.parametrize("exchange", RECORDED, ids=[e.name for e in RECORDED])
def test_request_matches_the_recording(exchange: Exchange) -> None:
    assert exchange.request_body is not None
    mine, recorded = _normalised(ours(exchange)), _normalised(exchange.request_body)
    extras = sorted(set(mine) - set(recorded))
    missing = sorted(set(recorded) - set(mine))
    differing = sorted(key for key in set(mine) & set(recorded) if mine[key] != recorded[key])
    report = f"extra fields {extras}, missing fields {missing}, differing fields {differing}"
    for key in differing:
        report += f"\n  {key}: ours {json.dumps(mine[key])[:600]}"
        report += f"\n  {key}: recorded {json.dumps(recorded[key])[:600]}"
    assert not differing, report
    assert not missing, report
    assert not extras, report

"""Tests of the loopback fake OpenAI server, driven with stdlib HTTP clients only."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from llmport.testing.openai_server import FakeOpenAIServer

KEY = "sk-test-secret-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
USER = [{"role": "user", "content": "Hello   there,\n fake   model!"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {"type": "object", "properties": {"tz": {"type": "string"}}},
    },
}


class Reply:
    """A finished HTTP exchange: status, lower-cased headers and the raw body."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    url: str, body: Any = None, headers: dict[str, str] | None = None, *, method: str | None = None
) -> Reply:
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    # Only ever the fake server's own http:// URLs.
    request = urllib.request.Request(  # noqa: S310
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    request.method = method or ("POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
            return Reply(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return Reply(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


def chat(srv: FakeOpenAIServer, headers: dict[str, str] | None = None, **body: Any) -> Reply:
    body.setdefault("model", "gpt-4o-mini")
    body.setdefault("messages", USER)
    return call(f"{srv.base_url}/chat/completions", body, AUTH if headers is None else headers)


def sse_data(raw: bytes) -> list[str]:
    """Split an SSE body into its data payloads, checking the framing on the way."""
    text = raw.decode()
    assert text.endswith("\n\n")
    frames = text[:-2].split("\n\n")
    assert all(f.startswith("data: ") and "\n" not in f for f in frames), frames
    return [f.removeprefix("data: ") for f in frames]


def chunks_of(raw: bytes) -> list[dict[str, Any]]:
    payloads = sse_data(raw)
    assert payloads[-1] == "[DONE]"
    return [json.loads(p) for p in payloads[:-1]]


def streamed_text(chunks: list[dict[str, Any]], index: int = 0) -> str:
    deltas = [c["delta"] for chunk in chunks for c in chunk["choices"] if c["index"] == index]
    return "".join(d.get("content") or "" for d in deltas)


def message(reply: Reply, index: int = 0) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    return reply.json()["choices"][index]["message"]  # type: ignore[no-any-return]


# --- plain completions ------------------------------------------------------------------------


def test_non_stream_reply_has_openai_shape_and_echoes_last_user_message() -> None:
    with FakeOpenAIServer() as srv:
        reply = chat(srv, messages=[{"role": "system", "content": "be brief"}, *USER])
    body = reply.json()
    assert reply.headers["content-type"] == "application/json"
    assert re.fullmatch(r"req_[0-9a-f]{32}", reply.headers["x-request-id"])
    assert re.fullmatch(r"chatcmpl-[0-9a-f]+", body["id"])
    assert (body["object"], body["model"], body["service_tier"]) == (
        "chat.completion",
        "gpt-4o-mini",
        "default",
    )
    assert body["system_fingerprint"] == "fp_llmport_fake"
    assert isinstance(body["created"], int)
    choice = body["choices"][0]
    expected = "This is a fake reply from llmport's loopback server. You said: Hello there, fake model!"
    assert choice["message"] == {"role": "assistant", "content": expected, "refusal": None, "annotations": []}
    assert (choice["index"], choice["logprobs"], choice["finish_reason"]) == (0, None, "stop")
    usage = body["usage"]
    assert (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"]) == (6, 15, 21)
    assert usage["prompt_tokens_details"] == {"cached_tokens": 0, "audio_tokens": 0}
    assert usage["completion_tokens_details"]["reasoning_tokens"] == 0


def test_reply_uses_text_parts_and_truncates_the_echo_to_120_chars() -> None:
    long_text = "word " * 60
    parts = [{"type": "text", "text": long_text}, {"type": "image_url", "image_url": {"url": "data:,"}}]
    with FakeOpenAIServer() as srv:
        content = message(chat(srv, messages=[{"role": "user", "content": parts}]))["content"]
    said = content.split("You said: ", 1)[1]
    assert said == " ".join(long_text.split())[:120]


def test_both_chat_paths_and_keep_alive_on_one_connection() -> None:
    with FakeOpenAIServer() as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        try:
            for path in ("/v1/chat/completions", "/chat/completions"):
                conn.request("POST", path, json.dumps({"model": "m", "messages": USER}), AUTH)
                resp = conn.getresponse()
                assert resp.status == 200
                assert json.loads(resp.read())["model"] == "m"
        finally:
            conn.close()


def test_n_choices_are_suffixed() -> None:
    with FakeOpenAIServer() as srv:
        body = chat(srv, n=3).json()
    contents = [c["message"]["content"] for c in body["choices"]]
    assert [c["index"] for c in body["choices"]] == [0, 1, 2]
    assert contents[1] == f"{contents[0]} (choice 1)"
    assert contents[2] == f"{contents[0]} (choice 2)"


@pytest.mark.parametrize("limit_name", ["max_tokens", "max_completion_tokens"])
def test_token_limit_truncates_words_with_finish_reason_length(limit_name: str) -> None:
    with FakeOpenAIServer() as srv:
        limit: dict[str, Any] = {limit_name: 3}
        body = chat(srv, **limit).json()
    assert body["choices"][0]["message"]["content"] == "This is a"
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["completion_tokens"] == 3


def test_stop_cuts_before_the_earliest_stop_string() -> None:
    with FakeOpenAIServer() as srv:
        body = chat(srv, stop=["reply", "fake"]).json()
        single = chat(srv, stop="server").json()
    assert body["choices"][0]["message"]["content"] == "This is a "
    assert body["choices"][0]["finish_reason"] == "stop"
    assert single["choices"][0]["message"]["content"] == "This is a fake reply from llmport's loopback "


def test_logprobs_cover_every_word() -> None:
    with FakeOpenAIServer() as srv:
        choice = chat(srv, logprobs=True, top_logprobs=2).json()["choices"][0]
    tokens = choice["logprobs"]["content"]
    assert "".join(t["token"] for t in tokens) == choice["message"]["content"]
    assert tokens[0]["bytes"] == list(tokens[0]["token"].encode())
    assert len(tokens[0]["top_logprobs"]) == 2
    assert choice["logprobs"]["refusal"] is None


# --- JSON replies -----------------------------------------------------------------------------


def test_json_schema_reply_is_a_minimal_instance() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "score": {"type": "number"},
            "ok": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "kind": {"enum": ["a", "b"]},
            "nick": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "address": {"$ref": "#/$defs/Address"},
        },
        "required": ["name", "age"],
        "$defs": {"Address": {"type": "object", "properties": {"street": {"type": "string"}}}},
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "person", "schema": schema, "strict": True}}
    with FakeOpenAIServer() as srv:
        content = message(chat(srv, response_format=fmt))["content"]
    assert json.loads(content) == {
        "name": "example",
        "age": 0,
        "score": 0,
        "ok": False,
        "tags": [],
        "kind": "a",
        "nick": "example",
        "address": {"street": "example"},
    }


def test_json_object_format_and_json_in_prompt_both_give_json() -> None:
    ask = [{"role": "user", "content": "Return the answer as JSON please"}]
    with FakeOpenAIServer() as srv:
        by_format = message(chat(srv, response_format={"type": "json_object"}))["content"]
        by_prompt = message(chat(srv, messages=ask))["content"]
    assert json.loads(by_format)["reply"].startswith("This is a fake reply")
    assert json.loads(by_prompt)["reply"].endswith("You said: Return the answer as JSON please")


# --- tools and functions ----------------------------------------------------------------------


def test_named_tool_choice_calls_that_tool_with_schema_arguments() -> None:
    choice = {"type": "function", "function": {"name": "get_time"}}
    with FakeOpenAIServer() as srv:
        body = chat(srv, tools=[WEATHER, TIME], tool_choice=choice).json()
    first = body["choices"][0]
    assert first["finish_reason"] == "tool_calls"
    assert first["message"]["content"] is None
    (call_,) = first["message"]["tool_calls"]
    assert call_ == {
        "id": "call_0",
        "type": "function",
        "function": {"name": "get_time", "arguments": '{"tz": "example"}'},
    }
    assert body["usage"]["completion_tokens"] >= 1


def test_parallel_tool_calls_call_the_first_two_tools_unless_disabled() -> None:
    with FakeOpenAIServer() as srv:
        parallel = message(chat(srv, tools=[WEATHER, TIME, WEATHER]))["tool_calls"]
        single = message(chat(srv, tools=[WEATHER, TIME], parallel_tool_calls=False))["tool_calls"]
        text = message(chat(srv, tools=[WEATHER], tool_choice="none"))
    assert [c["id"] for c in parallel] == ["call_0", "call_1"]
    assert [c["function"]["name"] for c in parallel] == ["get_weather", "get_time"]
    assert json.loads(parallel[0]["function"]["arguments"]) == {"city": "example", "days": 0}
    assert [c["function"]["name"] for c in single] == ["get_weather"]
    assert "tool_calls" not in text
    assert text["content"].startswith("This is a fake reply")


def test_tool_result_gets_a_text_answer_and_ids_continue_the_history() -> None:
    assistant = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_0", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
        ],
    }
    result = {"role": "tool", "tool_call_id": "call_0", "content": "Sunny, 21C"}
    with FakeOpenAIServer() as srv:
        answer = chat(srv, tools=[WEATHER], messages=[*USER, assistant, result]).json()["choices"][0]
        again = message(chat(srv, tools=[WEATHER], messages=[*USER, assistant, result, *USER]))
    assert answer["finish_reason"] == "stop"
    assert answer["message"]["content"] == "The tool returned: Sunny, 21C"
    assert again["tool_calls"][0]["id"] == "call_1"


def test_legacy_functions_return_a_function_call() -> None:
    functions = [WEATHER["function"], TIME["function"]]
    with FakeOpenAIServer() as srv:
        auto = chat(srv, functions=functions).json()["choices"][0]
        named = message(chat(srv, functions=functions, function_call={"name": "get_time"}))
        done = message(
            chat(
                srv,
                functions=functions,
                messages=[*USER, {"role": "function", "name": "get_time", "content": "noon"}],
            )
        )
    assert auto["finish_reason"] == "function_call"
    assert auto["message"]["content"] is None
    assert auto["message"]["function_call"]["name"] == "get_weather"
    assert named["function_call"] == {"name": "get_time", "arguments": '{"tz": "example"}'}
    assert done["content"] == "The function returned: noon"
    assert "function_call" not in done


# --- streaming --------------------------------------------------------------------------------


def test_stream_frames_deltas_and_done() -> None:
    with FakeOpenAIServer() as srv:
        plain = message(chat(srv))["content"]
        reply = chat(srv, stream=True)
    assert reply.headers["content-type"].startswith("text/event-stream")
    assert reply.headers["transfer-encoding"] == "chunked"
    assert reply.headers["x-request-id"].startswith("req_")
    chunks = chunks_of(reply.body)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    assert all(c["object"] == "chat.completion.chunk" and "usage" not in c for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert len(chunks) > 5
    assert streamed_text(chunks) == plain
    last = chunks[-1]["choices"][0]
    assert (last["delta"], last["finish_reason"]) == ({}, "stop")


def test_stream_include_usage_adds_a_final_usage_chunk() -> None:
    with FakeOpenAIServer() as srv:
        chunks = chunks_of(chat(srv, stream=True, n=2, stream_options={"include_usage": True}).body)
    assert all(c["usage"] is None for c in chunks[:-1])
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] > 0
    assert streamed_text(chunks, 1) == f"{streamed_text(chunks, 0)} (choice 1)"


def test_stream_tool_calls_are_split_into_argument_fragments() -> None:
    with FakeOpenAIServer() as srv:
        chunks = chunks_of(chat(srv, stream=True, tools=[WEATHER, TIME]).body)
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    calls = [tc for d in deltas for tc in d.get("tool_calls") or []]
    heads = [tc for tc in calls if "id" in tc]
    assert [(h["index"], h["id"], h["type"], h["function"]["arguments"]) for h in heads] == [
        (0, "call_0", "function", ""),
        (1, "call_1", "function", ""),
    ]
    fragments = [tc["function"]["arguments"] for tc in calls if tc["index"] == 0 and "id" not in tc]
    assert len(fragments) >= 2
    assert json.loads("".join(fragments)) == {"city": "example", "days": 0}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_stream_can_be_read_frame_by_frame() -> None:
    with FakeOpenAIServer() as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        try:
            conn.request(
                "POST",
                "/v1/chat/completions",
                json.dumps({"model": "m", "messages": USER, "stream": True}),
                AUTH,
            )
            resp = conn.getresponse()
            first = resp.readline()
            assert first.startswith(b"data: {")
            assert resp.readline() == b"\n"
            rest = resp.read()
        finally:
            conn.close()
    assert rest.endswith(b"data: [DONE]\n\n")


def test_stream_drop_closes_without_done() -> None:
    with FakeOpenAIServer() as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        try:
            conn.request(
                "POST",
                "/v1/chat/completions",
                json.dumps({"model": "fake-stream-drop", "messages": USER, "stream": True}),
                AUTH,
            )
            resp = conn.getresponse()
            with pytest.raises(http.client.IncompleteRead) as caught:
                resp.read()
        finally:
            conn.close()
    payloads = sse_data(caught.value.partial)
    assert "[DONE]" not in payloads
    contents = [json.loads(p)["choices"][0]["delta"].get("content") for p in payloads]
    assert len([c for c in contents if c]) == 2


def test_stream_error_sends_an_error_frame_instead_of_done() -> None:
    with FakeOpenAIServer() as srv:
        payloads = sse_data(chat(srv, model="fake-stream-error", stream=True).body)
    assert json.loads(payloads[-1]) == {
        "error": {
            "message": "The server had an error while processing your request.",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    }
    assert "[DONE]" not in payloads
    assert len(payloads) == 4


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "message_start"),
    [
        ({}, "Incorrect API key"),
        ({"Authorization": "Bearer sk-invalid"}, "Incorrect API key"),
        ({"Authorization": "Bearer "}, "Incorrect API key"),
        ({"Authorization": KEY}, "Incorrect API key"),
    ],
)
def test_missing_or_bad_key_is_401_without_echoing_it(headers: dict[str, str], message_start: str) -> None:
    with FakeOpenAIServer() as srv:
        reply = chat(srv, headers=headers)
    assert reply.status == 401
    error = reply.json()["error"]
    assert error["message"].startswith(message_start)
    assert (error["type"], error["param"], error["code"]) == (
        "invalid_request_error",
        None,
        "invalid_api_key",
    )
    assert KEY.encode() not in reply.body
    assert b"sk-invalid" not in reply.body
    assert reply.headers["x-request-id"].startswith("req_")


def test_auth_can_be_disabled() -> None:
    with FakeOpenAIServer(require_auth=False) as srv:
        assert chat(srv, headers={}).status == 200


@pytest.mark.parametrize(
    ("model", "status", "type_", "code"),
    [
        ("fake-error-429", 429, "requests", "rate_limit_exceeded"),
        ("fake-error-500", 500, "server_error", None),
        ("fake-error-503", 503, "server_error", None),
        ("fake-error-404", 404, "invalid_request_error", "model_not_found"),
        ("fake-error-context", 400, "invalid_request_error", "context_length_exceeded"),
    ],
)
def test_magic_error_models(model: str, status: int, type_: str, code: str | None) -> None:
    with FakeOpenAIServer() as srv:
        reply = chat(srv, model=model, stream=True)
    assert reply.status == status
    error = reply.json()["error"]
    assert (error["type"], error["code"]) == (type_, code)
    assert re.fullmatch(r"req_[0-9a-f]{32}", reply.headers["x-request-id"])
    assert reply.headers.get("retry-after") == ("1" if status == 429 else None)
    if code == "context_length_exceeded":
        assert error["message"].startswith(
            "This model's maximum context length is 8192 tokens. However, your "
            "messages resulted in 9000 tokens"
        )


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (b"{not json", None),
        ({"messages": USER}, "model"),
        ({"model": "m"}, "messages"),
        ({"model": "m", "messages": []}, "messages"),
        ({"model": "m", "messages": [{"content": "hi"}]}, "messages"),
        ({"model": "m", "messages": USER, "temperature": 2.5}, "temperature"),
        ({"model": "m", "messages": USER, "temperature": -1}, "temperature"),
        ({"model": "m", "messages": USER, "max_tokens": 0}, "max_tokens"),
    ],
)
def test_invalid_bodies_are_400(body: Any, param: str | None) -> None:
    with FakeOpenAIServer() as srv:
        reply = call(f"{srv.base_url}/chat/completions", body, AUTH)
    assert reply.status == 400
    error = reply.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param)


def test_unknown_path_is_404_and_models_are_listed() -> None:
    with FakeOpenAIServer() as srv:
        missing = call(f"{srv.base_url}/nope", {"x": 1}, AUTH)
        models = call(f"{srv.base_url}/models", headers=AUTH)
    assert missing.status == 404
    assert missing.json() == {
        "error": {
            "message": "Invalid URL (POST /v1/nope)",
            "type": "invalid_request_error",
            "param": None,
            "code": "unknown_url",
        }
    }
    data = models.json()["data"]
    assert models.json()["object"] == "list"
    assert {"gpt-4o-mini", "fake-error-429"} <= {m["id"] for m in data}


# --- Azure ------------------------------------------------------------------------------------


def test_azure_route_needs_api_key_and_api_version() -> None:
    with FakeOpenAIServer() as srv:
        url = f"{srv.root_url}/openai/deployments/my-gpt/chat/completions"
        ok = call(f"{url}?api-version=2024-06-01", {"messages": USER}, {"api-key": KEY})
        bearer_only = call(f"{url}?api-version=2024-06-01", {"messages": USER}, AUTH)
        no_version = call(url, {"messages": USER}, {"api-key": KEY})
        magic = call(
            f"{url.replace('my-gpt', 'fake-error-429')}?api-version=1", {"messages": USER}, {"api-key": KEY}
        )
    assert ok.status == 200
    assert ok.json()["model"] == "my-gpt"
    assert bearer_only.status == 401
    assert bearer_only.json()["error"]["code"] == "401"
    assert no_version.status == 400
    assert no_version.json()["error"]["code"] == "MissingApiVersionParameter"
    assert magic.status == 429
    assert srv.requests[0].query == {"api-version": "2024-06-01"}


# --- scripting, recording, lifecycle ----------------------------------------------------------


def test_enqueued_responses_are_served_in_order_then_defaults_resume() -> None:
    with FakeOpenAIServer() as srv:
        srv.enqueue(418, {"error": {"message": "teapot"}}, {"X-Custom": "yes"})
        srv.enqueue(200, b"not json at all", {"content-type": "text/plain"})
        srv.enqueue(200, {"choices": []}, sse=True)
        first, second, third, fourth = (chat(srv) for _ in range(4))
    assert (first.status, first.json(), first.headers["x-custom"]) == (
        418,
        {"error": {"message": "teapot"}},
        "yes",
    )
    assert first.headers["x-request-id"].startswith("req_")
    assert (second.body, second.headers["content-type"]) == (b"not json at all", "text/plain")
    assert third.headers["content-type"].startswith("text/event-stream")
    assert third.body == b'data: {"choices":[]}\n\n'
    assert fourth.status == 200
    assert fourth.json()["object"] == "chat.completion"


def test_requests_are_recorded() -> None:
    with FakeOpenAIServer() as srv:
        chat(srv, headers={**AUTH, "X-Trace": "abc"}, temperature=0.5)
        call(f"{srv.base_url}/chat/completions?x=1", b"garbage", AUTH)
        recorded = list(srv.requests)
    assert [(r.method, r.path) for r in recorded] == [("POST", "/v1/chat/completions")] * 2
    assert recorded[0].headers["x-trace"] == "abc"
    assert recorded[0].headers["authorization"] == f"Bearer {KEY}"
    assert recorded[0].body == {"model": "gpt-4o-mini", "messages": USER, "temperature": 0.5}
    assert (recorded[1].query, recorded[1].body) == ({"x": "1"}, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.1", "192.168.1.2", "example.com", "", "::"])
def test_non_loopback_hosts_are_refused(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakeOpenAIServer(host=host)


def test_urls_lifecycle_and_loopback_variants() -> None:
    srv = FakeOpenAIServer(host="localhost")
    with pytest.raises(RuntimeError):
        _ = srv.base_url
    assert srv.start() is srv
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", srv.base_url)
        assert srv.root_url == srv.base_url.removesuffix("/v1")
    finally:
        srv.stop()
        srv.stop()
    if sys.platform != "linux":
        return  # only Linux routes all of 127.0.0.0/8 to loopback out of the box
    with FakeOpenAIServer(host="127.0.0.2") as other:
        assert other.base_url.startswith("http://127.0.0.2:")
        assert chat(other).status == 200


def test_delay_model_waits_before_answering() -> None:
    with FakeOpenAIServer() as srv:
        started = time.monotonic()
        reply = chat(srv, model="fake-delay-200")
    assert reply.status == 200
    assert time.monotonic() - started >= 0.2


def test_server_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    with FakeOpenAIServer() as srv:
        chat(srv)
        chat(srv, headers={})
        chat(srv, model="fake-stream-error", stream=True)
    assert capfd.readouterr() == ("", "")


def test_command_line_prints_one_line_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmport.testing.openai_server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.fullmatch(r"FAKE OpenAI-compatible server \(not a real model\) listening on (\S+)\n", line)
        assert match, line
        reply = call(f"{match.group(1)}/chat/completions", {"model": "m", "messages": USER}, AUTH)
        assert reply.status == 200
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert (proc.returncode, out, err) == (0, "", "")


# --- the openai SDK accepts what the server sends ---------------------------------------------


def test_openai_sdk_validates_completions() -> None:
    types = pytest.importorskip("openai.types.chat")
    fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    variants: list[dict[str, Any]] = [
        {},
        {"n": 2, "logprobs": True, "top_logprobs": 3},
        {"tools": [WEATHER, TIME]},
        {"functions": [WEATHER["function"]]},
        {"max_tokens": 2},
        {"response_format": fmt},
    ]
    with FakeOpenAIServer() as srv:
        for variant in variants:
            completion = types.ChatCompletion.model_validate(chat(srv, **variant).json())
            assert completion.choices[0].message.role == "assistant"


def test_openai_sdk_validates_stream_chunks() -> None:
    types = pytest.importorskip("openai.types.chat")
    variants: list[dict[str, Any]] = [
        {"stream_options": {"include_usage": True}, "n": 2},
        {"tools": [WEATHER, TIME]},
        {"functions": [WEATHER["function"]]},
        {"logprobs": True, "top_logprobs": 1},
    ]
    with FakeOpenAIServer() as srv:
        for variant in variants:
            for chunk in chunks_of(chat(srv, stream=True, **variant).body):
                types.ChatCompletionChunk.model_validate(chunk)

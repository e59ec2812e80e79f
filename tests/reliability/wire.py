"""One protocol description per codec: everything the fault suite needs to speak its wire format.

A ``WireProtocol`` says how the codec's provider frames a success body, a stream of events with
its terminal event, an error body with the provider's structured error, and an ``error`` event
inside a stream; plus where the codec sends its request. Every body and event comes from a
recording in ``tests/contract/fixtures/<provider>/`` (error bodies follow a recorded error
body's shape). The scenarios in ``test_faults.py`` only use this description, so a new codec
joins the suite by adding one ``WireProtocol`` to ``PROTOCOLS``.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import google.auth.credentials
from botocore.eventstream import EventStreamBuffer

from llmport import APIError, InternalServerError, ServiceUnavailableError
from llmport.adapters.providers.google_oauth import GoogleCredentialsSource, GoogleOAuth
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.testing import StaticCredentials
from llmport.testing.eventstream import encode_frame, exception_frame
from tests.contract.fixtures_loader import load_exchange

SECRET_KEY = "sk-fault-suite-key-0123456789"
SEP = b"\n\n"


def sse_frames(body: bytes) -> tuple[bytes, ...]:
    """Split a recorded SSE body into events, each ending with its blank line."""
    return tuple(frame.strip(b"\n") + SEP for frame in body.split(SEP) if frame.strip())


def cut_frame(frame: bytes) -> bytes:
    """A frame whose last line (its JSON data) stops half-way: a malformed event."""
    lines = frame.rstrip(b"\n").split(b"\n")
    lines[-1] = lines[-1][: len(lines[-1]) // 2]
    return b"\n".join(lines) + SEP


def with_data(frame: bytes, data: bytes) -> bytes:
    """The same event (its ``event:`` line kept) carrying ``data`` instead of its JSON."""
    lines = frame.rstrip(b"\n").split(b"\n")
    lines[-1] = b"data: " + data
    return b"\n".join(lines) + SEP


@dataclass(frozen=True)
class WireProtocol:
    """How one codec's provider speaks, as recorded.

    Attributes:
        name: The provider prefix (and the test id).
        model: The model string a caller passes (``provider/model``).
        base_path: The path after the server root that the caller's ``api_base`` ends with.
        path: The path the codec posts to.
        success_body: A recorded non-streamed answer.
        success_text: Its assistant text.
        events: A recorded stream's events, one SSE frame each, without the terminal event.
        terminal: The terminal event frame.
        stream_text: The assistant text of the whole stream.
        head: How many events a mid-stream fault lets through first.
        head_text: The assistant text those ``head`` events carry.
        error_body: The provider's error body for an HTTP status.
        error_event: An ``error`` event sent inside a stream (the provider reports overload).
        error_event_class: The exception that event maps to.
        tool_events: A recorded stream (terminal included) whose tool arguments are not valid JSON,
            or None when the wire format streams arguments as JSON values (Gemini).
        tool_body: A non-streamed answer whose tool arguments are not valid JSON, or None when
            the wire format carries arguments as a JSON value (it cannot be malformed there).
        tool_arguments: The raw arguments ``tool_events`` carry.
        tool_body_arguments: The raw arguments ``tool_body`` carries.
        context_window_body: The provider's error body for a prompt longer than the model's window.
        stream_path: The path the codec posts a stream to, when it is not ``path`` (Gemini).
        cut: Makes a malformed copy of one event (its JSON cut half-way), in the wire's framing.
        with_payload: Makes a copy of one event carrying other data, in the wire's framing.
        credentials: The ``llmport.Client`` keywords that authenticate (default: the suite's key).
        resends_after_401: How often the auth refreshes and sends again after a 401 (OAuth: once).
    """

    name: str
    model: str
    base_path: str
    path: str
    success_body: bytes
    success_text: str
    events: tuple[bytes, ...]
    terminal: bytes
    stream_text: str
    head: int
    head_text: str
    error_body: Callable[[int], bytes]
    error_event: bytes
    error_event_class: type[APIError]
    tool_events: tuple[bytes, ...] | None
    tool_body: bytes | None
    tool_arguments: str
    context_window_body: bytes
    tool_body_arguments: str | None = None
    stream_path: str | None = None
    cut: Callable[[bytes], bytes] = cut_frame
    with_payload: Callable[[bytes, bytes], bytes] = with_data
    credentials: Callable[[], dict[str, Any]] = field(default=lambda: {"api_key": SECRET_KEY})
    resends_after_401: int = 0

    def api_base(self, root_url: str) -> str:
        """The ``api_base`` that points this codec at a server whose root is ``root_url``."""
        return root_url + self.base_path

    @property
    def stream(self) -> tuple[bytes, ...]:
        """The whole recorded stream: its events, then the terminal event."""
        return (*self.events, self.terminal)

    def __repr__(self) -> str:
        return f"WireProtocol({self.name})"


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


# -- OpenAI chat completions ---------------------------------------------------------------

_OPENAI_ERRORS: dict[int, tuple[str, str | None]] = {  # status -> (type, code), as OpenAI sends them
    400: ("invalid_request_error", None),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    409: ("invalid_request_error", None),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
}


# No recording has a context-window error: OpenAI's documented code in the recorded error shape.
_OPENAI_CONTEXT_WINDOW = _json(
    {
        "error": {
            "message": "This model's maximum context length is 128000 tokens.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }
)


def _openai_error_body(status: int) -> bytes:
    if status == 401:  # recorded as is
        return load_exchange("openai", "error_401_invalid_api_key").body
    if status == 400:
        return load_exchange("openai", "error_400_unsupported_parameter").body
    type_, code = _OPENAI_ERRORS.get(status, ("server_error", None))
    # The recorded error shape: {"error": {"message", "type", "param", "code"}}.
    error = {"message": f"fault suite: HTTP {status}", "type": type_, "param": None, "code": code}
    return _json({"error": error})


def _openai() -> WireProtocol:
    stream = sse_frames(load_exchange("openai", "stream_text_usage_gpt4o").body)
    tool_stream = sse_frames(load_exchange("openai", "stream_tool_call_include_usage").body)
    # Without the fragment that closes the object, the arguments are not JSON.
    tool_events = tuple(frame for frame in tool_stream if b'"arguments":"}"' not in frame)
    tool_body = json.loads(load_exchange("openai", "nonstream_tool_call").body)
    function = tool_body["choices"][0]["message"]["tool_calls"][0]["function"]
    cut_arguments = function["arguments"][: len(function["arguments"]) // 2]
    function["arguments"] = cut_arguments
    server_error = json.loads(_openai_error_body(500))
    return WireProtocol(
        name="openai",
        model="openai/gpt-4o-mini",
        base_path="/v1",
        path="/v1/chat/completions",
        success_body=load_exchange("openai", "text_nonstream_gpt4o").body,
        success_text="The capital of France is Paris.",
        events=stream[:-1],
        terminal=stream[-1],
        stream_text=(
            "I'm unable to provide real-time weather updates. To get the current weather in San "
            "Francisco, I recommend checking a reliable weather website or a weather app."
        ),
        head=3,  # the role chunk, "I'm", " unable"
        head_text="I'm unable",
        error_body=_openai_error_body,
        error_event=b"data: " + _json(server_error) + SEP,
        error_event_class=InternalServerError,
        tool_events=tool_events,
        tool_body=_json(tool_body),
        tool_arguments='{"a":1231,"b":2331',
        context_window_body=_OPENAI_CONTEXT_WINDOW,
        tool_body_arguments=cut_arguments,
    )


# -- Anthropic Messages ----------------------------------------------------------------------

_ANTHROPIC_ERRORS = {  # status -> error type, from Anthropic's documented table
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "invalid_request_error",
    413: "request_too_large",
    422: "invalid_request_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


# No recording has one either: Anthropic's documented message in the recorded error shape.
_ANTHROPIC_CONTEXT_WINDOW = _json(
    {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": "prompt is too long: 210000 tokens > 200000"},
        "request_id": "req_fault_suite",
    }
)


def _anthropic_error_body(status: int) -> bytes:
    if status == 429:  # recorded as is
        return load_exchange("anthropic", "sdk_test_messages_testasyncparse_d743d628_0").body
    if status == 400:
        return load_exchange("anthropic", "sdk_test_runners_testsyncruntools_f59a9391_1").body
    # The recorded error shape: {"type": "error", "error": {"type", "message"}, "request_id"}.
    error = {"type": _ANTHROPIC_ERRORS.get(status, "api_error"), "message": f"fault suite: HTTP {status}"}
    return _json({"type": "error", "error": error, "request_id": "req_fault_suite"})


def _anthropic() -> WireProtocol:
    stream = sse_frames(load_exchange("anthropic", "simonw_test_prompt").body)
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    return WireProtocol(
        name="anthropic",
        model="anthropic/claude-sonnet-4-5",
        base_path="",
        path="/v1/messages",
        success_body=load_exchange("anthropic", "vercel_anthropic_text").body,
        success_text=(
            "Hello! I'm doing well, thanks for asking. How are you doing today? "
            "Is there anything I can help you with?"
        ),
        events=stream[:-1],
        terminal=stream[-1],
        stream_text="- Captain\n- Scoop",
        head=5,  # message_start, content_block_start, ping, "-", " Captain"
        head_text="- Captain",
        error_body=_anthropic_error_body,
        error_event=b"event: error\ndata: " + _json(overloaded) + SEP,
        error_event_class=ServiceUnavailableError,
        tool_events=sse_frames(load_exchange("anthropic", "sdk_sse_incomplete_partial_json_response").body),
        tool_body=None,  # a Messages body carries tool input as a JSON object
        tool_arguments=(
            '{"filename": "taxes.txt", "lines_of_text": [\n"# COMPREHENSIVE TAX GUIDE FOR INDIVIDUALS '
            'WITH MULTIPLE W-2s",\n"",\n"## INTRODUCTION",\n"",\n"Filing taxes'
        ),
        context_window_body=_ANTHROPIC_CONTEXT_WINDOW,
    )


# -- AWS Bedrock Converse -----------------------------------------------------------------------


def aws_frames(body: bytes) -> tuple[bytes, ...]:
    """Split a recorded event-stream body into its frames (lengths read by botocore)."""
    buffer = EventStreamBuffer()
    buffer.add_data(body)
    frames, start = [], 0
    for message in buffer:
        frames.append(body[start : start + message.prelude.total_length])
        start += message.prelude.total_length
    return tuple(frames)


def aws_with_payload(frame: bytes, payload: bytes) -> bytes:
    """The same event-stream frame (headers kept, CRCs recomputed) carrying ``payload``."""
    buffer = EventStreamBuffer()
    buffer.add_data(frame)
    (message,) = list(buffer)
    return encode_frame(message.headers, payload)


def aws_cut(frame: bytes) -> bytes:
    """A valid frame whose JSON payload stops half-way: a malformed event."""
    buffer = EventStreamBuffer()
    buffer.add_data(frame)
    (message,) = list(buffer)
    return encode_frame(message.headers, message.payload[: len(message.payload) // 2])


def _bedrock_credentials() -> dict[str, Any]:
    # SigV4 on every attempt: the suite's key is the AWS secret key (it never travels).
    env = {
        "AWS_ACCESS_KEY_ID": "AKIDFAULTSUITE012345",
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_REGION": "us-east-1",
    }
    return {"credentials": StaticCredentials(env)}


def _bedrock_error_body(status: int) -> bytes:
    # Bedrock's documented shape: {"message"}; the code travels in x-amzn-ErrorType, which the
    # fault server does not send, so these are classified by status alone.
    return _json({"message": f"fault suite: HTTP {status}"})


def _aws_payload(frame: bytes) -> dict[str, Any]:
    buffer = EventStreamBuffer()
    buffer.add_data(frame)
    (message,) = list(buffer)
    payload: dict[str, Any] = json.loads(message.payload)
    return payload


def _bedrock() -> WireProtocol:
    stream = aws_frames(load_exchange("bedrock", "oi_converse_stream_text").body)
    tool_stream = aws_frames(load_exchange("bedrock", "oi_converse_stream_tool_use").body)
    # Without the fragment that closes the object, the arguments are not JSON.
    tool_events = tuple(
        f for f in tool_stream if _aws_payload(f).get("delta", {}).get("toolUse", {}).get("input") != 'ZPZ"}'
    )
    success = load_exchange("bedrock", "oi_converse_nova_micro_max_tokens").body
    model_path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0"
    context_window = {"__type": "ValidationException", "message": "Input is too long for requested model."}
    return WireProtocol(
        name="bedrock",
        model="bedrock/anthropic.claude-3-haiku-20240307-v1:0",
        base_path="",
        path=model_path + "/converse",
        stream_path=model_path + "/converse-stream",
        success_body=success,
        success_text=json.loads(success)["output"]["message"]["content"][0]["text"],
        events=stream[:-1],
        terminal=stream[-1],
        stream_text="".join(_aws_payload(frame).get("delta", {}).get("text", "") for frame in stream),
        head=3,  # messageStart, "The", " sum"
        head_text="The sum",
        error_body=_bedrock_error_body,
        error_event=exception_frame("serviceUnavailableException", "Bedrock is unavailable"),
        error_event_class=ServiceUnavailableError,
        tool_events=tool_events,
        tool_body=None,  # Converse carries tool input as a JSON object
        tool_arguments='{"sign": "W',
        context_window_body=_json(context_window),
        cut=aws_cut,
        with_payload=aws_with_payload,
        credentials=_bedrock_credentials,
    )


# -- OpenAI Responses -------------------------------------------------------------------------


def _event_data(frame: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(frame.split(b"data: ", 1)[1])
    return data


def _text_of(frames: tuple[bytes, ...]) -> str:
    deltas = (_event_data(frame) for frame in frames)
    return "".join(d["delta"] for d in deltas if d["type"] == "response.output_text.delta")


def _responses() -> WireProtocol:
    stream = sse_frames(load_exchange("responses", "simonw_responses_tool_use_streaming_1").body)
    tool_stream = sse_frames(load_exchange("responses", "simonw_responses_tool_use_streaming_0").body)
    # Without the delta that closes the object, the arguments are not JSON.
    closing = b'"delta":"}"'
    tool_events = tuple(frame for frame in tool_stream if closing not in frame)
    tool_body = json.loads(load_exchange("responses", "simonw_responses_tool_use_0").body)
    call = tool_body["output"][0]
    cut_arguments = call["arguments"][: len(call["arguments"]) // 2]
    call["arguments"] = cut_arguments
    # The error event's shape as recorded (vercel-ai openai-error), reporting a server error.
    failure = {"type": "server_error", "code": "server_error", "message": "fault suite", "param": None}
    error_event = {"type": "error", "sequence_number": 2, "error": failure}
    head = 6  # created, in_progress, the message added, its part added, "123", "1"
    return WireProtocol(
        name="responses",
        model="responses/gpt-5.5",
        base_path="/v1",
        path="/v1/responses",
        success_body=load_exchange("responses", "simonw_responses_basic_non_streaming").body,
        success_text="pong",
        events=stream[:-1],
        terminal=stream[-1],
        stream_text=_text_of(stream),
        head=head,
        head_text=_text_of(stream[:head]),
        error_body=_openai_error_body,  # the Responses API answers errors in the chat API's shape
        error_event=b"event: error\ndata: " + _json(error_event) + SEP,
        error_event_class=InternalServerError,
        tool_events=tool_events,
        tool_body=_json(tool_body),
        tool_arguments='{"a":1231,"b":2331',
        context_window_body=_OPENAI_CONTEXT_WINDOW,
        tool_body_arguments=cut_arguments,
    )


# -- Ollama native (/api/chat, NDJSON) --------------------------------------------------------


def ndjson_lines(body: bytes) -> tuple[bytes, ...]:
    """Split a recorded NDJSON body into lines, each ending with its newline."""
    return tuple(line + b"\n" for line in body.split(b"\n") if line.strip())


def _ollama_error_body(status: int) -> bytes:
    if status == 404:  # recorded as is
        return load_exchange("ollama", "oi_chat_error_records_model_name").body
    return _json({"error": f"fault suite: HTTP {status}"})  # the recorded shape: {"error": "<message>"}


def _ollama_hostile_tool_answer() -> tuple[dict[str, Any], str]:
    """The recorded tool-call answer with its arguments as a cut JSON string (a hostile relay's)."""
    answer = json.loads(load_exchange("ollama", "oi_chat_with_tool_call").body)
    function = answer["message"]["tool_calls"][0]["function"]
    text = json.dumps(function["arguments"])
    function["arguments"] = text[: len(text) // 2]
    return answer, function["arguments"]


def _ollama() -> WireProtocol:
    stream = ndjson_lines(load_exchange("ollama", "oi_chat_stream").body)
    contents = [json.loads(line)["message"]["content"] for line in stream]
    first = next(index for index, text in enumerate(contents) if text)
    tool_answer, tool_arguments = _ollama_hostile_tool_answer()
    tool_start = {**tool_answer, "done": False}
    tool_end = {**tool_answer, "message": {"role": "assistant", "content": ""}}
    return WireProtocol(
        name="ollama_chat",
        model="ollama_chat/qwen3.6:latest",
        base_path="",
        path="/api/chat",
        success_body=load_exchange("ollama", "oi_chat").body,
        success_text=json.loads(load_exchange("ollama", "oi_chat").body)["message"]["content"],
        events=stream[:-1],
        terminal=stream[-1],
        stream_text="".join(contents),
        head=first + 2,  # the thinking lines, then "1", "\n2"
        head_text="".join(contents[: first + 2]),
        error_body=_ollama_error_body,
        error_event=b'{"error":"an error was encountered while running the model"}\n',
        error_event_class=InternalServerError,
        tool_events=(_json(tool_start) + b"\n", _json(tool_end) + b"\n"),
        tool_body=_json(tool_answer),
        tool_arguments=tool_arguments,
        context_window_body=_json({"error": "the input length exceeds the context length"}),
        tool_body_arguments=tool_arguments,
    )


# -- Cohere v2 chat (SSE with event: lines) ----------------------------------------------------


def cohere_payloads(name: str) -> list[dict[str, Any]]:
    """A recorded Cohere chunk list's payloads (the fixture is data lines, then ``[DONE]``)."""
    frames = sse_frames(load_exchange("cohere", name).body)
    return [json.loads(frame[len(b"data: ") :]) for frame in frames if b"[DONE]" not in frame]


def cohere_frames(name: str) -> tuple[bytes, ...]:
    """A recorded Cohere chunk list framed as Cohere sends it: ``event: <type>`` and ``data:``."""
    return tuple(f"event: {p['type']}\ndata: {json.dumps(p)}\n\n".encode() for p in cohere_payloads(name))


def _cohere_error_body(status: int) -> bytes:
    # The documented shape ({"id", "message"}); 498 and 499 are Cohere's own statuses.
    return _json({"id": "c3f80b96-0000-4000-8000-00000000fa17", "message": f"fault suite: HTTP {status}"})


def _cohere() -> WireProtocol:
    stream = cohere_frames("vercel_cohere_text_stream")
    deltas = [p for p in cohere_payloads("vercel_cohere_text_stream") if p["type"] == "content-delta"]
    texts = [p["delta"]["message"]["content"]["text"] for p in deltas]
    tool_stream = cohere_frames("vercel_cohere_tool_call_stream")
    closing = next(frame for frame in tool_stream if b'"index": 0' in frame and b'\\"}' in frame)
    tool_body = json.loads(load_exchange("cohere", "vercel_cohere_tool_call").body)
    function = tool_body["message"]["tool_calls"][0]["function"]
    function["arguments"] = function["arguments"][: len(function["arguments"]) // 2]
    failed = {"type": "message-end", "delta": {"finish_reason": "ERROR", "error": "internal error"}}
    too_long = "too many tokens: size limit exceeded by 11326 tokens. Try using shorter or fewer inputs."
    return WireProtocol(
        name="cohere",
        model="cohere/command-a-03-2025",
        base_path="",
        path="/v2/chat",
        success_body=load_exchange("cohere", "vercel_cohere_text").body,
        success_text="The capital of France is Paris.",
        events=stream[:-1],
        terminal=stream[-1],
        stream_text="".join(texts),
        head=3,  # message-start, content-start, "The"
        head_text="The",
        error_body=_cohere_error_body,
        error_event=b"event: message-end\ndata: " + _json(failed) + SEP,
        error_event_class=InternalServerError,
        tool_events=tuple(frame for frame in tool_stream if frame is not closing),
        tool_body=_json(tool_body),
        tool_arguments='{"location": "San Francisco',
        context_window_body=_json({"id": "c3f80b96-0000-4000-8000-00000000fa17", "message": too_long}),
        tool_body_arguments=function["arguments"],
    )


# -- Gemini generateContent -----------------------------------------------------------------

_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
    409: "ABORTED", 422: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "UNKNOWN",
    503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED", 529: "UNAVAILABLE",
}  # fmt: skip


def _gemini_error_body(status: int) -> bytes:
    # The recorded error shape (vercel-ai google-429-retry-info.json) without its RetryInfo, so the
    # generic scenarios see no retry hint; tests/reliability/test_gemini_faults.py covers RetryInfo.
    error = {
        "code": status,
        "message": f"fault suite: HTTP {status}",
        "status": _GOOGLE_STATUS.get(status, "UNKNOWN"),
    }
    return _json({"error": error})


def gemini_frames(body: bytes) -> tuple[bytes, ...]:
    """Split a recorded Gemini SSE body (CRLF-framed) into LF-framed events."""
    return sse_frames(body.replace(b"\r\n", b"\n"))


def _gemini() -> WireProtocol:
    stream = gemini_frames(load_exchange("gemini", "oi_streaming_text_content").body)
    texts = [json.loads(frame[5:])["candidates"][0]["content"]["parts"][0]["text"] for frame in stream]
    unavailable = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    context = "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."
    return WireProtocol(
        name="gemini",
        model="gemini/gemini-2.0-flash",
        base_path="/v1beta",
        path="/v1beta/models/gemini-2.0-flash:generateContent",
        stream_path="/v1beta/models/gemini-2.0-flash:streamGenerateContent",
        success_body=load_exchange("gemini", "oi_multi_turn_conversation_0").body,
        success_text="The capital of France is **Paris**.\n",
        events=stream[:-1],
        terminal=stream[-1],  # the frame with the finish reason: Gemini sends no end marker
        stream_text="".join(texts),
        head=2,
        head_text="".join(texts[:2]),
        error_body=_gemini_error_body,
        error_event=b"data: " + _json(unavailable) + SEP,
        error_event_class=ServiceUnavailableError,
        tool_events=None,  # function-call arguments are JSON objects on the wire: never malformed
        tool_body=None,
        tool_arguments="",
        context_window_body=_json({"error": {"code": 400, "message": context, "status": "INVALID_ARGUMENT"}}),
    )


class _SuiteToken(google.auth.credentials.Credentials):  # type: ignore[misc]
    """Google credentials whose refresh mints a token holding the suite's key (so leaks show)."""

    def refresh(self, request: Any) -> None:
        self.token = f"{SECRET_KEY}-vertex"
        self.expiry = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(hours=1)


def _vertex_credentials() -> dict[str, Any]:
    # Google OAuth on every attempt, offline: the loader stands in for ADC and names the project.
    token = _SuiteToken()
    source = GoogleCredentialsSource(loader=lambda _source: (token, "fault-project"), request_factory=object)
    return {"registry": ProviderRegistry(auths={"google_oauth": lambda scheme: GoogleOAuth(scheme, source)})}


def _vertex() -> WireProtocol:
    # Gemini's wire format on Vertex's paths, behind a Bearer token that is refreshed once on a 401.
    path = "/v1/projects/fault-project/locations/us-central1/publishers/google/models/gemini-2.0-flash"
    return replace(
        _gemini(),
        name="vertex_ai",
        model="vertex_ai/gemini-2.0-flash",
        base_path="",
        path=f"{path}:generateContent",
        stream_path=f"{path}:streamGenerateContent",
        credentials=_vertex_credentials,
        resends_after_401=1,
    )


PROTOCOLS: tuple[WireProtocol, ...] = (
    _openai(),
    _anthropic(),
    _responses(),
    _gemini(),
    _vertex(),
    _bedrock(),
    _ollama(),
    _cohere(),
)
"""Every codec the suite runs against; a new codec adds its description here."""

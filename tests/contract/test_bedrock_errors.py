"""Bedrock errors: classified by the ``x-amzn-ErrorType`` code, then the status; stream exception frames.

The shapes are the documented ones (``../shared/wire/bedrock-converse.md`` §5-6: the code before
``:`` in the header, ``{"message"}`` bodies, ``:exception-type`` frames after HTTP 200); the
corpus holds no recorded Bedrock error answer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import llmport
from llmport.testing import HttpResponse
from llmport.testing.eventstream import error_frame, event_frame, event_stream, exception_frame

from .replay import MESSAGES, make_client, pieces_at

BASE = "http://127.0.0.1:9"
MODEL = "bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0"
NAMESPACE = "http://internal.amazon.com/coral/com.amazon.bedrock/"


def _error(status: int, code: str | None, message: str, request_id: str = "rid-1") -> HttpResponse:
    headers = {"content-type": "application/json", "x-amzn-RequestId": request_id}
    if code is not None:
        headers["x-amzn-ErrorType"] = f"{code}:{NAMESPACE}"
    return HttpResponse(status, headers, json.dumps({"message": message}).encode())


@pytest.mark.parametrize(
    ("status", "code", "message", "expected"),
    [
        (
            429,
            "ThrottlingException",
            "Too many tokens, please wait before trying again.",
            llmport.RateLimitError,
        ),
        (
            429,
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
            llmport.RateLimitError,
        ),
        (
            400,
            "ValidationException",
            "Input is too long for requested model.",
            llmport.ContextWindowExceededError,
        ),
        (
            400,
            "ValidationException",
            "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
            llmport.BadRequestError,
        ),
        (
            403,
            "AccessDeniedException",
            "You don't have access to the model with the specified model ID.",
            llmport.PermissionDeniedError,
        ),
        (404, "ResourceNotFoundException", "Model not found.", llmport.NotFoundError),
        (408, "ModelTimeoutException", "Model timed out.", llmport.Timeout),
        (500, "InternalServerException", "Internal error.", llmport.InternalServerError),
        (503, "ServiceUnavailableException", "Service unavailable.", llmport.ServiceUnavailableError),
        (400, None, "Too many tokens in the prompt.", llmport.BadRequestError),
    ],
)
def test_http_errors_by_code_then_status(
    status: int, code: str | None, message: str, expected: type[Exception]
) -> None:
    client, fake = make_client(lambda request: _error(status, code, message), api_base=BASE)
    with client, pytest.raises(llmport.APIError) as caught:
        client.completion(MODEL, MESSAGES)
    error = caught.value
    assert type(error) is expected
    assert error.status_code == status
    assert error.llm_provider == "bedrock"
    assert error.model == MODEL
    assert error.request_id == "rid-1"
    assert error.code == code
    assert message in str(error)
    assert len(fake.requests) == 1  # num_retries=0


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "ModelNotReadyException"), (503, "ServiceUnavailableException"), (429, "ThrottlingException")],
)
def test_model_not_ready_and_unavailable_are_retried(status: int, code: str) -> None:
    answers = [_error(status, code, "try again"), HttpResponse(200, {}, json.dumps(_ANSWER).encode())]
    client, fake = make_client(lambda request: answers.pop(0), api_base=BASE)
    with client:
        response = client.completion(MODEL, MESSAGES, num_retries=1)
    assert response.choices[0].message.content == "ok"
    assert len(fake.requests) == 2


def test_the_body_type_names_the_code_when_the_header_is_missing() -> None:
    body = json.dumps(
        {
            "__type": "com.amazon.coral.validate#ValidationException",
            "message": "Input is too long for requested model.",
        }
    )
    client, _ = make_client(lambda request: HttpResponse(400, {}, body.encode()), api_base=BASE)
    with client, pytest.raises(llmport.ContextWindowExceededError):
        client.completion(MODEL, MESSAGES)


_ANSWER = {
    "output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
}
_HEAD = [
    event_frame("messageStart", {"p": "abc", "role": "assistant"}),
    event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hel"}, "p": "ab"}),
    event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "lo"}}),
]


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (
            exception_frame("throttlingException", "Too many tokens, please wait before trying again."),
            llmport.RateLimitError,
        ),
        (
            exception_frame("validationException", "Input is too long for requested model."),
            llmport.ContextWindowExceededError,
        ),
        (
            exception_frame("modelStreamErrorException", "The model stream failed."),
            llmport.InternalServerError,
        ),
        (exception_frame("serviceUnavailableException", "Unavailable."), llmport.ServiceUnavailableError),
        (error_frame("InternalFailure", "boom"), llmport.APIError),
    ],
)
@pytest.mark.parametrize("split", [False, True])
def test_exception_frames_after_200_raise_after_the_chunks_delivered(
    frame: bytes, expected: type[Exception], split: bool
) -> None:
    body = event_stream([*_HEAD, frame])
    pieces = pieces_at(body, range(1, len(body))) if split else (body,)
    client, _ = make_client(lambda request: HttpResponse(200, {}, chunks=pieces), api_base=BASE)
    received: list[Any] = []
    with client, pytest.raises(llmport.APIError) as caught:
        received.extend(client.completion(MODEL, MESSAGES, stream=True))
    assert type(caught.value) is expected
    assert "".join(c.choices[0].delta.content or "" for c in received) == "Hello"


async def test_exception_frame_async() -> None:
    body = event_stream([*_HEAD, exception_frame("throttlingException", "Too many tokens")])
    client, _ = make_client(lambda request: HttpResponse(200, {}, chunks=(body,)), api_base=BASE)
    received: list[Any] = []

    async def read() -> None:
        stream = await client.acompletion(MODEL, MESSAGES, stream=True)
        async for chunk in stream:
            received.append(chunk)

    with client, pytest.raises(llmport.RateLimitError):
        await read()
    assert "".join(c.choices[0].delta.content or "" for c in received) == "Hello"


def test_a_corrupted_frame_is_a_validation_error_after_the_good_ones() -> None:
    body = bytearray(event_stream(_HEAD))
    tail = event_frame("messageStop", {"stopReason": "end_turn"})
    corrupted = bytes(body) + tail[:-1] + bytes([tail[-1] ^ 0xFF])
    client, _ = make_client(lambda request: HttpResponse(200, {}, chunks=(corrupted,)), api_base=BASE)
    received: list[Any] = []
    with client, pytest.raises(llmport.APIResponseValidationError, match="malformed"):
        received.extend(client.completion(MODEL, MESSAGES, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in received) == "Hello"


def test_a_frame_claiming_less_than_its_prelude_is_refused() -> None:
    import binascii
    import struct

    prelude = struct.pack("!II", 0, 0)
    frame = prelude + struct.pack("!I", binascii.crc32(prelude))
    frame += struct.pack("!I", binascii.crc32(frame))
    client, _ = make_client(lambda request: HttpResponse(200, {}, chunks=(frame,)), api_base=BASE)
    with client, pytest.raises(llmport.APIResponseValidationError):
        list(client.completion(MODEL, MESSAGES, stream=True))


def test_a_stream_ending_after_message_stop_without_metadata_is_incomplete() -> None:
    frames = [
        *_HEAD,
        event_frame("contentBlockStop", {"contentBlockIndex": 0}),
        event_frame("messageStop", {"stopReason": "end_turn"}),
    ]
    client, _ = make_client(
        lambda request: HttpResponse(200, {}, chunks=(event_stream(frames),)), api_base=BASE
    )
    with client, pytest.raises(llmport.APIConnectionError, match="metadata"):
        list(client.completion(MODEL, MESSAGES, stream=True))


def test_metadata_before_message_stop_is_complete_and_usage_rides_on_the_finish_chunk() -> None:
    usage = {"inputTokens": 7, "outputTokens": 2, "totalTokens": 9, "cacheReadInputTokens": 3}
    frames = [
        *_HEAD,
        event_frame("metadata", {"usage": usage}),
        event_frame("messageStop", {"stopReason": "max_tokens"}),
    ]
    client, _ = make_client(
        lambda request: HttpResponse(200, {}, chunks=(event_stream(frames),)), api_base=BASE
    )
    with client:
        chunks = list(client.completion(MODEL, MESSAGES, stream=True))
    last = chunks[-1]
    assert last.choices[0].finish_reason == "length"
    assert last.usage is not None
    assert last.usage.prompt_tokens == 10
    assert last.usage.prompt_tokens_details.cached_tokens == 3

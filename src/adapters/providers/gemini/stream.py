"""Gemini ``GenerateContentResponse`` frames → OpenAI-shaped chunks: one decoder for every form.

A frame is one JSON object: an SSE ``data:`` payload (``alt=sse``), one element of the streamed
JSON array (no ``alt=sse``), or a whole non-streamed body. ``ResponseDecoder`` turns each into
chunks, so streamed and whole answers share every rule: text, thought parts as
``reasoning_content``, function calls (whole, or assembled from ``partialArgs``) with their
thought signatures on the message's ``thought_signatures``, finish reasons and usage. Gemini
sends no end marker: a stream is complete when its body ends after every candidate has a finish
reason (frames after the last finish reason, such as a usage-only one, are still read).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ....domain.models.errors import APIError, ContentPolicyViolationError
from ....domain.models.stream import ModelResponseStream
from ....ports.codec import ProviderCall
from .._json import loads
from ..errors import invalid_response
from ..framing import SSEEvent
from .errors import gemini_error, is_error
from .partial_args import PartialCall

CUT_MESSAGE = "the Gemini stream ended before every candidate had a finish reason"

_FILTERED = frozenset(
    {
        "SAFETY", "RECITATION", "LANGUAGE", "OTHER", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
        "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "IMAGE_OTHER", "NO_IMAGE",
    }
)  # fmt: skip
FINISH_REASONS = {"STOP": "stop", "MAX_TOKENS": "length", **dict.fromkeys(_FILTERED, "content_filter")}
# enum-encoding=int answers (Vertex through google-cloud-aiplatform): 1 STOP, 2 MAX_TOKENS, 3-8 filters.
_FINISH_NUMBERS = {1: "stop", 2: "length", **dict.fromkeys(range(3, 9), "content_filter")}
_NOT_JSON = object()


def finish_reason(value: object) -> str:
    """Gemini's ``finishReason`` (name or enum number) → OpenAI's; unknown values are ``stop``."""
    if isinstance(value, int):
        return _FINISH_NUMBERS.get(value, "stop")
    return FINISH_REASONS.get(str(value), "stop")


def new_tool_call_id() -> str:
    """Return an id for a function call Gemini sent without one (litellm and llm-gemini make one too)."""
    return f"call_{uuid.uuid4().hex}"


@dataclass
class _Candidate:
    started: bool = False
    tools: int = 0
    finished: bool = False
    pending: PartialCall | None = None
    parts: list[dict[str, Any]] = field(default_factory=list)


class ResponseDecoder:
    """Turns Gemini response frames into ``ModelResponseStream`` chunks for one answer.

    A ``FrameDecoder`` for the shared ``FramedStream``: frames are SSE events or JSON-array
    elements (text); ``frame`` takes an already parsed object (a whole body).
    """

    def __init__(self, call: ProviderCall) -> None:
        self._call = call
        self._candidates: dict[int, _Candidate] = {}
        self._id: str | None = None
        self._model = call.model
        self._usage: Mapping[str, Any] = {}
        self._ended = False

    @property
    def done(self) -> bool:
        """Whether the body ended with every candidate finished (set by ``finish``)."""
        return self._ended

    def finish(self) -> list[ModelResponseStream]:
        """End of body: the stream is complete when every candidate seen has a finish reason."""
        self._ended = bool(self._candidates) and all(c.finished for c in self._candidates.values())
        return []

    def decode(self, frame: SSEEvent | str) -> list[ModelResponseStream]:
        """Decode one SSE event or JSON-array element; raise the mapped error for an error frame."""
        text = frame.data if isinstance(frame, SSEEvent) else frame
        data = decode_text(text, self._call)
        try:
            return self.frame(data)
        except APIError:
            raise
        except (AttributeError, KeyError, TypeError, ValueError):
            pass
        # Raised outside the except block: the error quoting the frame is not chained as __context__.
        raise invalid_response(
            "a Gemini stream frame does not have the response shape", text.encode(), self._call
        )

    def frame(self, frame: Any) -> list[ModelResponseStream]:
        """Consume one parsed frame; an error frame or a blocked prompt raises the mapped ``APIError``."""
        if not isinstance(frame, Mapping):
            raise invalid_response("a Gemini frame is not a JSON object", b"", self._call)
        if is_error(frame):
            code = frame["error"].get("code")
            raise gemini_error(code if isinstance(code, int) else None, {}, frame, self._call)
        self._id = frame.get("responseId") or self._id
        self._model = frame.get("modelVersion") or self._model
        self._usage = frame.get("usageMetadata") or self._usage
        candidates = frame.get("candidates") or ()
        if not candidates:
            self._blocked(frame.get("promptFeedback"))
        chunks: list[ModelResponseStream] = []
        for candidate in candidates:
            chunks += self._candidate(candidate)
        return chunks

    def close(self) -> list[ModelResponseStream]:
        """End of a whole (non-streamed) answer: a candidate without a finish reason stopped."""
        chunks: list[ModelResponseStream] = []
        for index, state in sorted(self._candidates.items()):
            if not state.finished:
                chunks += self._finish(index, state, "STOP")
        return chunks

    def _blocked(self, feedback: object) -> None:
        if not isinstance(feedback, Mapping):
            return
        reason = feedback.get("blockReason")
        if reason:
            message = feedback.get("blockReasonMessage") or f"the prompt was blocked ({reason})"
            raise ContentPolicyViolationError(
                str(message), self._call.provider, self._call.request.model,
                status_code=400, code="content_policy_violation", type=str(reason), body=dict(feedback),
            )  # fmt: skip

    def _candidate(self, candidate: Mapping[str, Any]) -> list[ModelResponseStream]:
        index = int(candidate.get("index") or 0)
        state = self._candidates.setdefault(index, _Candidate())
        content = candidate.get("content") or {}
        chunks: list[ModelResponseStream] = []
        for part in content.get("parts") or ():
            delta = self._part(state, part)
            if delta:
                chunks.append(self._chunk(index, state, delta))
        logprobs = openai_logprobs(candidate.get("logprobsResult"))
        if logprobs is not None:
            chunks.append(self._chunk(index, state, {}, logprobs=logprobs))
        reason = candidate.get("finishReason")
        if reason is not None and not state.finished:
            chunks += self._finish(index, state, reason)
        return chunks

    def _part(self, state: _Candidate, part: Mapping[str, Any]) -> dict[str, Any]:
        signature = part.get("thoughtSignature")
        if "functionCall" in part:
            return self._function_call(state, part["functionCall"] or {}, signature)
        delta: dict[str, Any] = {}
        text = part.get("text")
        if isinstance(text, str) and text:
            delta["reasoning_content" if part.get("thought") else "content"] = text
        if isinstance(signature, str) and signature:
            delta["thought_signatures"] = [{"signature": signature}]
        return delta  # executableCode, inlineData...: no OpenAI counterpart in a chat message

    def _function_call(self, state: _Candidate, call: Mapping[str, Any], signature: Any) -> dict[str, Any]:
        if state.pending is None:
            state.pending = PartialCall(call.get("name"), call.get("id"), signature)
            state.pending.add(call)
            if call.get("willContinue"):
                return {}
        else:
            state.pending.add(call)
            if call.get("willContinue"):
                return {}
        return self._tool_delta(state)

    def _tool_delta(self, state: _Candidate) -> dict[str, Any]:
        pending, state.pending = state.pending, None
        if pending is None:
            return {}
        call_id = pending.id or new_tool_call_id()
        function = {"name": pending.name, "arguments": json.dumps(pending.arguments)}
        delta: dict[str, Any] = {
            "tool_calls": [{"index": state.tools, "id": call_id, "type": "function", "function": function}]
        }
        state.tools += 1
        if isinstance(pending.signature, str) and pending.signature:
            delta["thought_signatures"] = [{"signature": pending.signature, "tool_call_id": call_id}]
        return delta

    def _finish(self, index: int, state: _Candidate, reason: object) -> list[ModelResponseStream]:
        chunks = []
        if state.pending is not None:  # a partial-arguments call the stream never closed
            chunks.append(self._chunk(index, state, self._tool_delta(state)))
        finish = finish_reason(reason)
        if finish == "stop" and state.tools:
            finish = "tool_calls"
        state.finished = True
        chunks.append(self._chunk(index, state, {}, finish_reason=finish, usage=openai_usage(self._usage)))
        return chunks

    def _chunk(
        self, index: int, state: _Candidate, delta: dict[str, Any], **extra: Any
    ) -> ModelResponseStream:
        if not state.started:
            delta = {"role": "assistant", **delta}
            state.started = True
        choice = {"index": index, "delta": delta, "finish_reason": extra.pop("finish_reason", None)}
        if "logprobs" in extra:
            choice["logprobs"] = extra.pop("logprobs")
        payload: dict[str, Any] = {"choices": [choice], "model": self._model, **extra}
        if self._id:
            payload["id"] = self._id
        return ModelResponseStream.model_validate(payload)


def openai_logprobs(result: Any) -> dict[str, Any] | None:
    """``logprobsResult`` (chosen tokens, and the top alternatives per position) → OpenAI's ``logprobs``."""
    if not isinstance(result, Mapping) or not result.get("chosenCandidates"):
        return None
    tops = result.get("topCandidates") or []
    content = []
    for position, chosen in enumerate(result["chosenCandidates"]):
        alternatives = (tops[position].get("candidates") or []) if position < len(tops) else []
        top = [
            {"token": a.get("token", ""), "logprob": a.get("logProbability", 0.0), "bytes": None}
            for a in alternatives
        ]
        token = {
            "token": chosen.get("token", ""),
            "logprob": chosen.get("logProbability", 0.0),
            "bytes": None,
        }
        content.append({**token, "top_logprobs": top})
    return {"content": content}


def openai_usage(usage: Mapping[str, Any]) -> dict[str, Any]:
    """``usageMetadata`` → OpenAI usage: thoughts count as completion (and reasoning) tokens.

    ``prompt_tokens`` is ``promptTokenCount`` (cached tokens included) plus tool-use prompt
    tokens; ``completion_tokens`` is ``candidatesTokenCount + thoughtsTokenCount``; the total is
    their sum (what ``totalTokenCount`` says).
    """
    prompt = int(usage.get("promptTokenCount") or 0) + int(usage.get("toolUsePromptTokenCount") or 0)
    thoughts = int(usage.get("thoughtsTokenCount") or 0)
    completion = int(usage.get("candidatesTokenCount") or 0) + thoughts
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": int(usage.get("cachedContentTokenCount") or 0)},
        "completion_tokens_details": {"reasoning_tokens": thoughts},
    }


def decode_text(raw: str | bytes, call: ProviderCall) -> Any:
    """Parse one frame's JSON text, raising ``APIResponseValidationError`` when it is not JSON."""
    try:
        data = loads(raw)
    except ValueError:
        data = _NOT_JSON  # raised below, outside the except block: the decoder's error quotes the text
    if data is _NOT_JSON:
        text = raw if isinstance(raw, bytes) else raw.encode()
        raise invalid_response("a Gemini stream frame is not JSON", text, call)
    return data

"""What observers learn about one ``completion()``: the call record and litellm's logging payload.

``CallRecord`` is filled by the dispatcher as the call runs (routing, attempts, answer or
error) and handed to every observer when the call is over. ``standard_logging_object`` turns it
into the payload litellm's callbacks receive as ``kwargs["standard_logging_object"]``, with
secrets scrubbed from everything that came from the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from .redaction import redact, redact_value
from .response import ModelResponse, Usage


@dataclass(eq=False)
class CallRecord:
    """One call as it happened, filled in while it runs.

    Attributes:
        model: The model the caller named.
        messages: The request's messages (not yet scrubbed: use ``standard_logging_object``).
        params: The request's body parameters.
        metadata: The caller's ``metadata=``.
        stream: Whether a stream was asked for.
        start_time: Wall-clock start (epoch seconds).
        started: Monotonic start, for latencies.
        callbacks: The call's own callbacks, tagged ``"any"``, ``"success"`` or ``"failure"``.
        id: The call's id (litellm's ``litellm_call_id``).
        provider: The provider that answered or failed last (after fallbacks).
        api_base: Its base URL, secrets removed.
        secrets: The secrets the call used, to scrub anything derived from it.
        end_time: Wall-clock end.
        completion_start_time: Wall-clock time of the first streamed chunk.
        latency_ms: Start to end, milliseconds.
        ttft_ms: Start to first chunk (streams), milliseconds.
        attempts: HTTP attempts made, over retries and fallbacks.
        fallbacks_tried: Fallback entries used after the primary failed.
        cache_hit: Whether the answer came from the cache.
        response: The answer (a stream's chunks folded into one response).
        usage: Token counts, when the answer reported them.
        response_cost: Price in USD, None when the model has no known price.
        request_id: The provider's request id, when it sent one.
        error: The exception that ended the call.
        stopped_early: The caller stopped reading the stream before its end.
        call_type: ``"completion"`` or ``"acompletion"``.
        attempt_ended_at: Wall-clock end of the latest HTTP attempt.
    """

    model: str
    messages: list[dict[str, Any]]
    params: dict[str, Any]
    metadata: Mapping[str, Any] | None
    stream: bool
    start_time: float
    started: float
    callbacks: tuple[tuple[str, object], ...] = ()
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    provider: str | None = None
    api_base: str | None = None
    secrets: tuple[str, ...] = ()
    end_time: float | None = None
    completion_start_time: float | None = None
    latency_ms: float | None = None
    ttft_ms: float | None = None
    attempts: int = 0
    fallbacks_tried: int = 0
    cache_hit: bool = False
    response: ModelResponse | None = None
    usage: Usage | None = None
    response_cost: float | None = None
    request_id: str | None = None
    error: BaseException | None = None
    stopped_early: bool = False
    call_type: str = "completion"
    attempt_ended_at: float | None = None

    def __repr__(self) -> str:
        # Messages and metadata are private; the repr names the call, never its content.
        return f"CallRecord(id={self.id!r}, model={self.model!r}, provider={self.provider!r})"

    @property
    def status(self) -> Literal["success", "failure"]:
        """``"failure"`` when an error ended the call, else ``"success"``."""
        return "success" if self.error is None else "failure"


class StandardLoggingPayload(TypedDict):
    """``kwargs["standard_logging_object"]``: litellm's key names, plus llmport's own four.

    Keys from litellm: ``id``, ``status`` (``"success"``/``"failure"``), ``model``,
    ``custom_llm_provider``, ``api_base`` (no secrets), ``messages`` and ``model_parameters``
    (secrets scrubbed), ``metadata``, ``startTime``/``endTime``/``completionStartTime`` (epoch
    seconds), ``prompt_tokens``, ``completion_tokens``, ``total_tokens``, ``response_cost``
    (USD, None when unknown), ``cache_hit``, ``error_str``, ``stream``, ``call_type``,
    ``response`` (the answer as a dict, None on failure).

    llmport's additions: ``attempts`` (HTTP attempts over retries and fallbacks),
    ``fallbacks_tried``, ``request_id`` (the provider's) and ``error_class``.
    """

    id: str
    call_type: str
    status: Literal["success", "failure"]
    model: str
    custom_llm_provider: str | None
    api_base: str | None
    messages: list[dict[str, Any]]
    model_parameters: dict[str, Any]
    metadata: dict[str, Any]
    stream: bool
    startTime: float
    endTime: float | None
    completionStartTime: float | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    response_cost: float | None
    cache_hit: bool
    response: dict[str, Any] | None
    error_str: str | None
    attempts: int
    fallbacks_tried: int
    request_id: str | None
    error_class: str | None


def standard_logging_object(record: CallRecord) -> StandardLoggingPayload:
    """Build litellm's standard logging payload from ``record``, secrets scrubbed."""
    usage = record.usage
    secrets = record.secrets
    error = record.error
    return {
        "id": record.id,
        "call_type": record.call_type,
        "status": record.status,
        "model": record.model,
        "custom_llm_provider": record.provider,
        "api_base": record.api_base,
        "messages": redact_value(record.messages, secrets),
        "model_parameters": redact_value(record.params, secrets),
        "metadata": redact_value(dict(record.metadata or {}), secrets),
        "stream": record.stream,
        "startTime": record.start_time,
        "endTime": record.end_time,
        "completionStartTime": record.completion_start_time or record.end_time,
        "prompt_tokens": usage.prompt_tokens if usage else 0,
        "completion_tokens": usage.completion_tokens if usage else 0,
        "total_tokens": usage.total_tokens if usage else 0,
        "response_cost": record.response_cost,
        "cache_hit": record.cache_hit,
        "response": None if record.response is None else record.response.model_dump(mode="json"),
        "error_str": None if error is None else redact(str(error), secrets),
        "attempts": record.attempts,
        "fallbacks_tried": record.fallbacks_tried,
        "request_id": record.request_id,
        "error_class": None if error is None else type(error).__name__,
    }

"""OpenTelemetry GenAI spans (the ``otel`` extra: opentelemetry-api only).

One CLIENT span per call, ``chat {model}``, with the GenAI semantic conventions' attributes
(``gen_ai.operation.name``, ``gen_ai.provider.name``, request and response model, request
parameters, usage, finish reasons, response id, ``server.address``/``server.port``) and
``error.type`` on failure; a child span per HTTP attempt. Message content is recorded only with
``capture_content=True`` (``gen_ai.input.messages``/``gen_ai.output.messages``, secrets
scrubbed). Off unless the application set a tracer provider, or the client asks for tracing.
"""

from __future__ import annotations

import importlib.util
import json
import weakref
from typing import Any
from urllib.parse import urlsplit

from ...domain.models.errors import APIError
from ...domain.models.observation import CallRecord
from ...domain.models.redaction import redact_value
from ...domain.models.request import CompletionRequest

EXTRA_HINT = "pip install 'llmport[otel]'"

# llmport provider prefix → the semantic conventions' gen_ai.provider.name (well-known values).
PROVIDER_NAMES = {
    "openai": "openai", "responses": "openai", "azure": "azure.ai.openai",
    "azure_responses": "azure.ai.openai", "anthropic": "anthropic", "bedrock": "aws.bedrock",
    "gemini": "gcp.gemini", "vertex_ai": "gcp.vertex_ai", "xai": "x_ai", "deepseek": "deepseek",
    "groq": "groq", "mistral": "mistral_ai", "codestral": "mistral_ai", "perplexity": "perplexity",
    "cohere": "cohere", "cohere_chat": "cohere",
}  # fmt: skip
_REQUEST_PARAMS = {
    "max_tokens": "gen_ai.request.max_tokens", "max_completion_tokens": "gen_ai.request.max_tokens",
    "temperature": "gen_ai.request.temperature", "top_p": "gen_ai.request.top_p",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty", "seed": "gen_ai.request.seed",
    "n": "gen_ai.request.choice.count",
}  # fmt: skip


class OtelObserver:
    """The tracing observer of one client.

    Args:
        enabled: True traces always; None traces when the application set a global tracer
            provider (or ``tracer_provider`` is given); False never.
        tracer_provider: A tracer provider to use instead of the global one.
        capture_content: Record the messages (secrets scrubbed) on the call's span.

    Raises:
        ImportError: naming the ``otel`` extra, when tracing is asked for and opentelemetry-api is missing.
    """

    def __init__(
        self, enabled: bool | None = None, tracer_provider: Any = None, *, capture_content: bool = False
    ) -> None:
        self.enabled = enabled
        self.tracer_provider = tracer_provider
        self.capture_content = capture_content
        if (enabled is True or tracer_provider is not None) and importlib.util.find_spec(
            "opentelemetry"
        ) is None:
            raise ImportError(f"tracing needs opentelemetry-api: {EXTRA_HINT}")
        self._loaded = False
        self._global_set = False
        self._trace_module: Any = None
        self._spans: weakref.WeakKeyDictionary[CallRecord, Any] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return f"OtelObserver(enabled={self.enabled}, capture_content={self.capture_content})"

    @property
    def _trace(self) -> Any:
        if not self._loaded:  # imported on the first call, not when the client is built
            self._trace_module, self._loaded = _import_trace(), True
        return self._trace_module

    def active(self, request: CompletionRequest) -> bool:  # noqa: ARG002 - the port's signature
        """Whether calls are traced now."""
        if self.enabled is False:
            return False
        if self.enabled or self.tracer_provider is not None:
            return self._trace is not None
        if self._global_set:
            return True
        trace = self._trace
        if trace is None or getattr(trace, "_TRACER_PROVIDER", True) is None:
            # The API's own global, read directly: nothing set yet is the common case, and
            # get_tracer_provider() costs a few microseconds per call to say so.
            return False
        # A global tracer provider can be set only once, so a yes is for good.
        self._global_set = not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
        return self._global_set

    def started(self, record: CallRecord) -> None:
        """Open the call's span."""
        trace = self._trace
        provider = self.tracer_provider or trace.get_tracer_provider()
        tracer = provider.get_tracer("llmport")
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": record.model,
        }
        for name, key in _REQUEST_PARAMS.items():
            value = record.params.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                attributes[key] = value
        stop = record.params.get("stop")
        if stop:
            attributes["gen_ai.request.stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
        span = tracer.start_span(
            f"chat {record.model}", kind=trace.SpanKind.CLIENT, attributes=attributes,
            start_time=_ns(record.start_time),
        )  # fmt: skip
        self._spans[record] = span

    async def astarted(self, record: CallRecord) -> None:
        """Open the call's span (async path)."""
        self.started(record)

    def attempted(self, record: CallRecord, number: int, error: APIError | None, latency_ms: float) -> None:
        """Record one HTTP attempt as a child span, timed by its measured latency."""
        parent = self._spans.get(record)
        if parent is None:
            return
        trace = self._trace
        end = _ns(record.attempt_ended_at or record.start_time)
        start = end - int(latency_ms * 1e6)
        tracer = (self.tracer_provider or trace.get_tracer_provider()).get_tracer("llmport")
        span = tracer.start_span(
            f"chat {record.model} attempt {number}", context=trace.set_span_in_context(parent),
            kind=trace.SpanKind.CLIENT, start_time=start,
            attributes={"llmport.attempt": number, "gen_ai.request.model": record.model},
        )  # fmt: skip
        if record.provider:
            span.set_attribute("gen_ai.provider.name", PROVIDER_NAMES.get(record.provider, record.provider))
        if error is not None:
            _record_error(span, error, trace)
        span.end(end_time=end)

    def finished(self, record: CallRecord) -> None:
        """Close the call's span with the outcome."""
        span = self._spans.pop(record, None)
        if span is None:
            return
        span.set_attributes(self._outcome(record))
        if record.error is not None:
            _record_error(span, record.error, self._trace)
        span.end(end_time=_ns(record.end_time or record.start_time))

    async def afinished(self, record: CallRecord) -> None:
        """Close the call's span (async path)."""
        self.finished(record)

    def _outcome(self, record: CallRecord) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        if record.provider:
            attributes["gen_ai.provider.name"] = PROVIDER_NAMES.get(record.provider, record.provider)
        attributes.update(_server(record.api_base))
        usage = record.usage
        if usage is not None:
            attributes["gen_ai.usage.input_tokens"] = usage.prompt_tokens
            attributes["gen_ai.usage.output_tokens"] = usage.completion_tokens
        response = record.response
        if response is not None and record.error is None:
            attributes["gen_ai.response.id"] = response.id
            attributes["gen_ai.response.model"] = response.model or record.model
            reasons = [choice.finish_reason for choice in response.choices if choice.finish_reason]
            if reasons:
                attributes["gen_ai.response.finish_reasons"] = reasons
        if self.capture_content:
            attributes.update(_content(record))
        return attributes


def _content(record: CallRecord) -> dict[str, str]:
    found = {"gen_ai.input.messages": json.dumps(redact_value(record.messages, record.secrets), default=str)}
    if record.response is not None:
        output = [
            choice.message.model_dump(mode="json", exclude_none=True) for choice in record.response.choices
        ]
        found["gen_ai.output.messages"] = json.dumps(redact_value(output, record.secrets))
    return found


def _record_error(span: Any, error: BaseException, trace: Any) -> None:
    span.set_attribute("error.type", type(error).__name__)
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        span.set_attribute("http.response.status_code", status)
    span.set_status(trace.Status(trace.StatusCode.ERROR, type(error).__name__))


def _server(api_base: str | None) -> dict[str, Any]:
    if not api_base:
        return {}
    try:
        parts = urlsplit(api_base)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return {}
    return {"server.address": parts.hostname or "", "server.port": port}


def _ns(seconds: float) -> int:
    return int(seconds * 1e9)


def _import_trace() -> Any:
    try:
        from opentelemetry import trace
    except ImportError:
        return None
    return trace

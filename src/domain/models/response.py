"""Non-streamed completion results: ``ModelResponse`` and its parts, shaped like OpenAI's.

``ModelResponse.model_dump()`` validates as the OpenAI SDK's ``ChatCompletion``. Field names and
defaults follow litellm where it differs harmlessly from OpenAI (``Choices``, ``_hidden_params``).
"""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any, Generic, cast

from pydantic import Field, PrivateAttr, field_validator
from pydantic_core import SchemaValidator
from typing_extensions import TypeVar

from ._record import Envelope, Record, plain_validator

# The type of ``message.parsed``, for type checkers: ``completion(..., response_format=City)``
# returns ``ModelResponse[City | None]``, whose ``message.parsed`` is ``City | None``. Runtime
# objects are never parametrised; the default, Any, keeps every bare ``ModelResponse`` annotation
# (and ``parsed`` under it) meaning what it did.
ParsedT = TypeVar("ParsedT", default=Any)

# litellm deletes these attributes from a Message when they are None, so ``hasattr`` checks in
# user code (``hasattr(message, "function_call")``) see them only when the model produced them.
_ABSENT_WHEN_NONE = frozenset(
    {
        "function_call",
        "audio",
        "reasoning_content",
        "thinking_blocks",
        "responses_items",
        "thought_signatures",
    }
)


class Function(Record):
    """The function part of a tool call: its name and JSON-encoded arguments."""

    name: str | None = None
    arguments: str = ""


class FunctionCall(Record):
    """A legacy ``function_call`` (the pre-tools API)."""

    name: str | None = None
    arguments: str = ""


class ResponsesItem(Record):
    """An OpenAI Responses API output item kept verbatim for the next turn of a conversation.

    Encrypted reasoning (``type="reasoning"`` with ``encrypted_content``) and preamble messages
    (``phase="commentary"``) are not part of the chat message; the Responses codec sends these
    back, in order, before the message's text and tool calls. Other codecs drop them.
    """

    type: str
    id: str | None = None


class ChatCompletionMessageToolCall(Record):
    """One tool call requested by the model."""

    id: str
    type: str = "function"
    function: Function


class PromptTokensDetails(Record):
    """Breakdown of prompt tokens (cache reads, audio...)."""

    cached_tokens: int | None = None
    audio_tokens: int | None = None
    cache_creation_tokens: int | None = None


class CompletionTokensDetails(Record):
    """Breakdown of completion tokens (reasoning, audio, predictions)."""

    reasoning_tokens: int | None = None
    audio_tokens: int | None = None
    accepted_prediction_tokens: int | None = None
    rejected_prediction_tokens: int | None = None


class Usage(Record):
    """Token counts of a call."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None


class ThoughtSignature(Record):
    """An opaque signature a provider put on one part of its answer, owed back with that part.

    Gemini signs the parts of a thinking model's answer (``thoughtSignature``) and refuses the
    next turn when a signed function call comes back without it. llmport keeps the signature
    here, never inside a tool-call id or the content, so the message stays valid for every
    other provider (their codecs drop this field).

    Attributes:
        signature: The signature, verbatim.
        tool_call_id: The tool call whose part carried it; None for a text part.
    """

    signature: str
    tool_call_id: str | None = None


class Message(Record, Generic[ParsedT]):
    """A chat message: the assistant's answer in a response, or a message you build to send.

    Append it to your ``messages`` list to continue a conversation. ``function_call``, ``audio``,
    ``reasoning_content``, ``thinking_blocks``, ``responses_items`` and ``thought_signatures`` are
    absent (``hasattr`` is False) when None, as in litellm; ``.get(name)`` returns None for them.
    """

    content: str | None = None
    role: str = "assistant"
    tool_calls: list[ChatCompletionMessageToolCall] | None = None
    function_call: FunctionCall | None = None
    refusal: str | None = None
    audio: dict[str, Any] | None = None
    reasoning_content: str | None = None
    thinking_blocks: list[dict[str, Any]] | None = None
    responses_items: list[ResponsesItem] | None = None
    """OpenAI Responses items to send back with this message (encrypted reasoning), if any."""
    thought_signatures: list[ThoughtSignature] | None = None
    """Signatures owed back to the provider that answered (Gemini), see ``ThoughtSignature``."""
    # None until a pydantic ``response_format`` validates the content (ParsedT then includes None).
    parsed: ParsedT = Field(default=cast(Any, None), exclude=True)
    """The content validated as the pydantic class given as ``response_format``, if one was."""

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if value is None and name in _ABSENT_WHEN_NONE:
            raise AttributeError(name)
        return value


class ChoiceLogprobs(Record):
    """Log probabilities of a choice's tokens."""

    content: list[dict[str, Any]] | None = None
    refusal: list[dict[str, Any]] | None = None


class Choices(Record, Generic[ParsedT]):
    """One completion choice (litellm's name for OpenAI's ``Choice``)."""

    finish_reason: str = "stop"
    index: int = 0
    message: Message[ParsedT] = Field(default_factory=Message)
    logprobs: ChoiceLogprobs | None = None

    @field_validator("finish_reason", mode="before")
    @classmethod
    def _stop_when_missing(cls, value: Any) -> Any:
        # Some compatible servers send null on a finished, non-streamed choice; OpenAI means "stop".
        return "stop" if value is None else value

    @field_validator("message", mode="before")
    @classmethod
    def _empty_when_missing(cls, value: Any) -> Any:
        return {} if value is None else value


def _new_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


class ModelResponse(Envelope, Generic[ParsedT]):
    """A non-streamed chat completion, OpenAI's ``ChatCompletion`` shape.

    ``_hidden_params`` carries llmport's metadata about the call (provider, api_base without
    secrets, latency, ``cache_hit``), as in litellm; it is not part of ``model_dump()``.
    """

    id: str = Field(default_factory=_new_id)
    choices: list[Choices[ParsedT]] = Field(default_factory=list)
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str = ""
    object: str = "chat.completion"
    system_fingerprint: str | None = None
    usage: Usage = Field(default_factory=Usage)
    service_tier: str | None = None

    _hidden_params: dict[str, Any] = PrivateAttr(default_factory=dict)
    _response_headers: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def response_headers(self) -> dict[str, str]:
        """The provider's response headers (secret ones removed)."""
        return self._response_headers


def parse_plain_response(raw: bytes | str) -> ModelResponse | None:
    """Validate a chat completion's JSON text in one pass, or return None to leave it to the usual way.

    For plain answers only: no ``null`` standing for a default (an envelope field, a choice's
    ``finish_reason`` or ``message``); those fail here, as does a text pydantic reads otherwise
    than ``json`` would, and the caller parses it with ``json`` and ``model_validate``.
    """
    try:
        return cast("ModelResponse", _plain_response_validator().validate_json(raw))
    except ValueError:  # pydantic's ValidationError is one
        return None


@functools.cache
def _plain_response_validator() -> SchemaValidator:
    return plain_validator(
        ModelResponse, Envelope._drop_nulls, Choices._stop_when_missing, Choices._empty_when_missing
    )

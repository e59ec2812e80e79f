"""Checked by `mypy tests/typing` under --strict: litellm-style calls keep their precise types.

A provider-specific keyword (``top_k=3``) still gives a ``ModelResponse``; a typed keyword given
the wrong type is an error on the call's own line. The ``type: ignore`` below asserts that:
under strict mypy an ignore that silences nothing is itself an error.
"""

from __future__ import annotations

import llmport
from llmport import Client, CompletionStream, ModelResponse

MESSAGES = [{"role": "user", "content": "hi"}]


def provider_extras(client: Client, flag: bool) -> None:
    content: str | None = llmport.completion("gpt-4o", MESSAGES, top_k=3).choices[0].message.content
    also: str | None = client.completion("mistral/x", MESSAGES, safe_prompt=True).choices[0].message.content
    stream: CompletionStream = client.completion("gpt-4o", MESSAGES, stream=True, top_k=3)
    either: ModelResponse | CompletionStream = client.completion("gpt-4o", MESSAGES, stream=flag)
    del content, also, stream, either


def wrong_type_is_reported_on_the_call() -> None:
    reply = llmport.completion("gpt-4o", MESSAGES, temperature="hot")  # type: ignore[call-overload]
    del reply


async def async_extras(client: Client) -> None:
    reply = await client.acompletion("gpt-4o", MESSAGES, top_k=3, max_tokens=5)
    content: str | None = reply.choices[0].message.content
    stream: CompletionStream = await llmport.acompletion("gpt-4o", MESSAGES, stream=True, top_k=3)
    del content, stream

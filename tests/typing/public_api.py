"""Checked by `mypy tests/typing` under --strict: the public API's types as users see them."""

from __future__ import annotations

import llmport
from llmport import Client, CompletionStream, ModelResponse, ModelResponseStream

MESSAGES = [{"role": "user", "content": "hi"}]


def sync_usage(client: Client) -> str | None:
    response: ModelResponse = client.completion("gpt-4o", MESSAGES, temperature=0.2, max_tokens=10)
    stream: CompletionStream = client.completion("gpt-4o", MESSAGES, stream=True)
    for chunk in stream:
        piece: ModelResponseStream = chunk
        text: str | None = piece.choices[0].delta.content
        del text
    module_level: ModelResponse = llmport.completion(model="gpt-4o", messages=MESSAGES)
    provider_specific = client.completion("mistral/x", MESSAGES, safe_prompt=True)
    assert isinstance(provider_specific, ModelResponse)
    tokens: int = module_level.usage.total_tokens
    del tokens
    return response.choices[0].message.content


async def async_usage() -> None:
    response: ModelResponse = await llmport.acompletion(model="gpt-4o", messages=MESSAGES)
    stream: CompletionStream = await llmport.acompletion("gpt-4o", MESSAGES, stream=True)
    async for chunk in stream:
        assert chunk.choices
    del response


def errors() -> int | None:
    try:
        llmport.completion("gpt-4o", MESSAGES)
    except llmport.RateLimitError as error:
        return error.status_code
    return None

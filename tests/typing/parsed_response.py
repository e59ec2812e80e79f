"""Checked by `mypy tests/typing` under --strict: ``message.parsed`` is typed from ``response_format``.

A pydantic class as ``response_format`` makes the answer a ``ModelResponse[ThatClass | None]``
(the parameter is the type of ``parsed``); without one (or with a dict) calls type as before,
``parsed`` being ``Any``, also under a bare ``ModelResponse`` annotation. The ``type: ignore``
lines assert errors: under strict mypy an ignore that silences nothing is itself an error.
"""

from __future__ import annotations

from typing import Any, assert_type

from pydantic import BaseModel

import llmport
from llmport import Client, CompletionStream, ModelResponse

MESSAGES = [{"role": "user", "content": "Name a French city."}]


class City(BaseModel):
    name: str
    population: int


def parsed_is_the_response_format_class(client: Client) -> None:
    reply = client.completion("gpt-4o", MESSAGES, response_format=City)
    assert_type(reply, ModelResponse[City | None])
    assert_type(reply.choices[0].message.parsed, City | None)
    module = llmport.completion("gpt-4o", MESSAGES, response_format=City, temperature=0, top_k=3)
    assert_type(module.choices[0].message.parsed, City | None)
    parsed = module.choices[0].message.parsed
    if parsed is not None:
        assert_type(parsed.population, int)
    content: str | None = module.choices[0].message.content
    del content


def parsed_may_be_none(client: Client) -> None:
    reply = client.completion("gpt-4o", MESSAGES, response_format=City)
    name: str = reply.choices[0].message.parsed.name  # type: ignore[union-attr]
    wrong: int = reply.choices[0].message.parsed  # type: ignore[assignment]
    del name, wrong


async def async_parsed(client: Client) -> None:
    reply = await client.acompletion("gpt-4o", MESSAGES, response_format=City)
    assert_type(reply.choices[0].message.parsed, City | None)
    module = await llmport.acompletion("gpt-4o", MESSAGES, response_format=City)
    assert_type(module, ModelResponse[City | None])


def without_a_class_calls_type_as_before(client: Client, flag: bool) -> None:
    plain = client.completion("gpt-4o", MESSAGES)
    assert_type(plain, ModelResponse)
    assert_type(plain.choices[0].message.parsed, Any)
    as_dict = client.completion("gpt-4o", MESSAGES, response_format={"type": "json_object"})
    assert_type(as_dict, ModelResponse)
    streamed = client.completion("gpt-4o", MESSAGES, stream=True, response_format=City)
    assert_type(streamed, CompletionStream)
    either = client.completion("gpt-4o", MESSAGES, stream=flag, response_format=City)
    assert_type(either, ModelResponse | CompletionStream)
    annotated: ModelResponse = client.completion("gpt-4o", MESSAGES, response_format=City)
    city: City = annotated.choices[0].message.parsed  # Any, as before: no new error in old code
    del annotated, city


def a_response_format_that_is_not_a_model_is_refused(client: Client) -> None:
    reply = client.completion("gpt-4o", MESSAGES, response_format=int)  # type: ignore[type-var]
    del reply

"""The clients the benchmark races: raw httpx, httpx2 and aiohttp, and llmport over each transport.

Every contender is a zero-argument callable (sync) or coroutine factory (async) that makes one
chat call against the loopback server and returns the parsed answer, so each side does the same
work: send, read, decode JSON (and, for streams, split the SSE events and decode each one).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

import llmport

MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]
BODY = {"model": MODEL, "messages": MESSAGES}
STREAM_BODY = {**BODY, "stream": True}
KEY = "sk-bench"
HEADERS = {"authorization": f"Bearer {KEY}"}

AsyncCall = Callable[[], Awaitable[object]]
# llmport's per-client timeout in the transport table: long enough that a connection storm at
# concurrency 1000 is measured, not cut (the module-level rows keep the defaults users get).
TIMEOUT = 600.0


def sse_events(lines: Any) -> list[Any]:
    """The decoded ``data:`` events of an SSE body given as lines, as a raw client would read them."""
    return [json.loads(line[6:]) for line in lines if line.startswith("data: {")]


def httpx_limits(module: Any, concurrency: int) -> Any:
    # The OpenAI SDK's pool shape (llmport's default): keep-alive capped at 100 connections.
    return module.Limits(max_connections=max(1000, concurrency), max_keepalive_connections=100)


@contextlib.asynccontextmanager
async def raw_async(name: str, url: str, concurrency: int, stream: bool) -> AsyncIterator[AsyncCall]:
    """A raw client's async call: ``name`` is ``httpx``, ``httpx2`` or ``aiohttp``."""
    endpoint = f"{url}/chat/completions"
    body = STREAM_BODY if stream else BODY
    if name == "aiohttp":
        import aiohttp

        connector = aiohttp.TCPConnector(limit=max(100, concurrency))
        async with aiohttp.ClientSession(connector=connector) as session:

            async def aiohttp_call() -> object:
                async with session.post(endpoint, json=body, headers=HEADERS) as response:
                    if stream:
                        return sse_events([line.decode() async for line in response.content])
                    return await response.json()

            yield aiohttp_call
        return
    module = httpx if name == "httpx" else __import__("httpx2")
    # No timeouts: at concurrency 1000 httpx's pool churns its connections, and its default 5 s
    # connect timeout would end the benchmark instead of measuring it.
    async with module.AsyncClient(limits=httpx_limits(module, concurrency), timeout=None) as client:

        async def httpx_call() -> object:
            if not stream:
                return (await client.post(endpoint, json=body, headers=HEADERS)).json()
            async with client.stream("POST", endpoint, json=body, headers=HEADERS) as response:
                return sse_events([line async for line in response.aiter_lines()])

        yield httpx_call


@contextlib.asynccontextmanager
async def llmport_async(transport: str | None, url: str, stream: bool) -> AsyncIterator[AsyncCall]:
    """llmport's async call: the module-level default client (``None``) or a client on one transport."""
    if transport is None:
        complete: Callable[..., Awaitable[Any]] = llmport.acompletion
        client = None
    else:
        client = llmport.Client(async_transport=transport, timeout=TIMEOUT)
        complete = client.acompletion
    try:

        async def call() -> object:
            answer = await complete(MODEL, MESSAGES, api_base=url, api_key=KEY, stream=stream)
            if stream:
                return [chunk async for chunk in answer]
            return answer

        yield call
    finally:
        if client is not None:
            await client.aclose()


def raw_sync(client: httpx.Client, url: str, stream: bool) -> Callable[[], object]:
    """Raw httpx's sync call on ``client``."""
    endpoint = f"{url}/chat/completions"
    if stream:

        def raw_stream() -> object:
            with client.stream("POST", endpoint, json=STREAM_BODY, headers=HEADERS) as response:
                return sse_events(response.iter_lines())

        return raw_stream
    return lambda: client.post(endpoint, json=BODY, headers=HEADERS).json()


def openai_sync(url: str, stream: bool) -> Callable[[], object]:
    """The OpenAI SDK's sync call (default client, no retries): the library whose types llmport returns."""
    import openai

    sdk = openai.OpenAI(base_url=url, api_key=KEY, max_retries=0)
    create: Any = sdk.chat.completions.create
    if stream:
        return lambda: list(create(model=MODEL, messages=MESSAGES, stream=True))
    return lambda: create(model=MODEL, messages=MESSAGES)


@contextlib.asynccontextmanager
async def openai_async(url: str, stream: bool) -> AsyncIterator[AsyncCall]:
    """The OpenAI SDK's async call on its default client (no retries)."""
    import openai

    async with openai.AsyncOpenAI(base_url=url, api_key=KEY, max_retries=0) as sdk:
        create: Any = sdk.chat.completions.create

        async def call() -> object:
            answer = await create(model=MODEL, messages=MESSAGES, stream=stream)
            if stream:
                return [chunk async for chunk in answer]
            return answer

        yield call


def llmport_sync(url: str, stream: bool) -> Callable[[], object]:
    """llmport's sync call through the module-level default client."""
    if stream:
        return lambda: list(llmport.completion(MODEL, MESSAGES, api_base=url, api_key=KEY, stream=True))
    return lambda: llmport.completion(MODEL, MESSAGES, api_base=url, api_key=KEY)

"""Test doubles that ship with llmport, for testing code that calls it.

``fake_client(fn)`` is a ``Client`` answered by a plain function, with no wire format to learn;
``FakeTransport`` answers HTTP requests with a function of yours, which may return the reply
builders' results (``openai_reply``/``openai_stream`` and their twins for Anthropic, Gemini,
Bedrock Converse, Responses, Ollama and Cohere), a ``ModelResponse``, chunks or a ``str``;
``FakeOpenAIServer`` is a loopback OpenAI-compatible HTTP server, ``FakeAnthropicServer`` a
loopback Anthropic Messages server and
``FakeResponsesServer`` a loopback OpenAI Responses server; ``FakeGeminiServer`` a loopback Gemini
``generateContent`` server; ``FakeBedrockServer`` a loopback Bedrock Converse server (SigV4-checked,
binary event streams); ``FakeOllamaServer`` and ``FakeCohereServer`` speak Ollama's native API and
Cohere's v2 chat; ``FakeClock``, ``MemoryLogger`` and ``StaticCredentials`` replace the other
ports; ``from_sse``, ``from_ndjson`` and ``from_json_array`` build streamed answers in each framing.
The pytest plugin (fixtures ``llm_fake`` and ``llm_client``) and the network guard are described
in docs/testing.md.
"""

from typing import TYPE_CHECKING, Any

from ..adapters.cache.memory import MemoryCache
from ..adapters.clock.clocks import FakeClock
from ..adapters.credentials.sources import StaticCredentials
from ..adapters.logging.simple import LogEvent, MemoryLogger, NullLogger
from ..adapters.transport.fake import FakeStream, FakeTransport
from ..adapters.transport.fake_replies import anthropic_reply, anthropic_stream, openai_reply, openai_stream
from ..adapters.transport.fake_replies_events import (
    bedrock_reply,
    bedrock_stream,
    responses_reply,
    responses_stream,
)
from ..adapters.transport.fake_replies_native import (
    cohere_reply,
    cohere_stream,
    gemini_reply,
    gemini_stream,
    ollama_reply,
    ollama_stream,
)
from ..domain.models.request import CompletionRequest
from ..ports.transport import HttpRequest, HttpResponse
from .fake_client import fake_client
from .recording import vcr_config
from .responses import from_json_array, from_ndjson, from_sse

if TYPE_CHECKING:
    from .anthropic_server import FakeAnthropicServer
    from .bedrock_server import FakeBedrockServer
    from .cohere_server import FakeCohereServer
    from .gemini_server import FakeGeminiServer
    from .ollama_server import FakeOllamaServer
    from .openai_server import FakeOpenAIServer, RecordedRequest
    from .responses_server import FakeResponsesServer

__all__ = [
    "CompletionRequest",
    "FakeAnthropicServer",
    "FakeBedrockServer",
    "FakeClock",
    "FakeCohereServer",
    "FakeGeminiServer",
    "FakeOllamaServer",
    "FakeOpenAIServer",
    "FakeResponsesServer",
    "FakeStream",
    "FakeTransport",
    "HttpRequest",
    "HttpResponse",
    "LogEvent",
    "MemoryCache",
    "MemoryLogger",
    "NullLogger",
    "RecordedRequest",
    "StaticCredentials",
    "anthropic_reply",
    "anthropic_stream",
    "bedrock_reply",
    "bedrock_stream",
    "cohere_reply",
    "cohere_stream",
    "fake_client",
    "from_json_array",
    "from_ndjson",
    "from_sse",
    "gemini_reply",
    "gemini_stream",
    "ollama_reply",
    "ollama_stream",
    "openai_reply",
    "openai_stream",
    "responses_reply",
    "responses_stream",
    "vcr_config",
]


def __getattr__(name: str) -> Any:
    # Imported on demand so `python -m llmport.testing.openai_server` runs that module only once.
    if name in ("FakeOpenAIServer", "RecordedRequest"):
        from . import openai_server

        return getattr(openai_server, name)
    if name == "FakeAnthropicServer":
        from . import anthropic_server

        return anthropic_server.FakeAnthropicServer
    if name == "FakeBedrockServer":
        from . import bedrock_server

        return bedrock_server.FakeBedrockServer
    if name == "FakeResponsesServer":
        from . import responses_server

        return responses_server.FakeResponsesServer
    if name == "FakeGeminiServer":
        from . import gemini_server

        return gemini_server.FakeGeminiServer
    if name == "FakeOllamaServer":
        from . import ollama_server

        return ollama_server.FakeOllamaServer
    if name == "FakeCohereServer":
        from . import cohere_server

        return cohere_server.FakeCohereServer
    raise AttributeError(f"module 'llmport.testing' has no attribute {name!r}")

"""Test doubles that ship with llmport, for testing code that calls it.

``FakeTransport`` answers with a function of yours; ``FakeOpenAIServer`` is a loopback
OpenAI-compatible HTTP server, ``FakeAnthropicServer`` a loopback Anthropic Messages server and
``FakeResponsesServer`` a loopback OpenAI Responses server; ``FakeGeminiServer`` a loopback Gemini
``generateContent`` server; ``FakeBedrockServer`` a loopback Bedrock Converse server (SigV4-checked,
binary event streams); ``FakeClock``, ``MemoryLogger`` and ``StaticCredentials`` replace the other
ports; ``from_sse``, ``from_ndjson`` and ``from_json_array`` build streamed answers in each framing.
"""

from typing import TYPE_CHECKING, Any

from ..adapters.cache.memory import MemoryCache
from ..adapters.clock.clocks import FakeClock
from ..adapters.credentials.sources import StaticCredentials
from ..adapters.logging.simple import LogEvent, MemoryLogger, NullLogger
from ..adapters.transport.fake import FakeStream, FakeTransport
from ..ports.transport import HttpRequest, HttpResponse
from .responses import from_json_array, from_ndjson, from_sse

if TYPE_CHECKING:
    from .anthropic_server import FakeAnthropicServer
    from .bedrock_server import FakeBedrockServer
    from .gemini_server import FakeGeminiServer
    from .openai_server import FakeOpenAIServer, RecordedRequest
    from .responses_server import FakeResponsesServer

__all__ = [
    "FakeAnthropicServer",
    "FakeBedrockServer",
    "FakeClock",
    "FakeGeminiServer",
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
    "from_json_array",
    "from_ndjson",
    "from_sse",
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
    raise AttributeError(f"module 'llmport.testing' has no attribute {name!r}")

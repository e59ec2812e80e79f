"""The canary test: failing (and succeeding) calls with a canary key leave no trace of it anywhere.

Every call runs at TRACE log level through the loguru adapter against a loopback provider that
echoes the credentials it receives (in error messages, error fields and response headers). Then
every text a caller, a log sink or a cache could see is searched for the canary and for any
fragment of it of seven characters or more: exception str/repr/attributes along the whole
cause/context chain, the formatted traceback, log records, stdout/stderr, response and stream
reprs with their hidden params and headers, request reprs, and cache keys and entries.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import socket
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from loguru import logger
from pydantic import SecretStr

import llmport
from llmport import LLMPortError
from llmport.adapters.logging.stdlib_logger import StdlibLogger
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.adapters.transport.aiohttp_transport import AiohttpTransport
from llmport.domain.dispatch.routing import provider_call, resolve_host
from llmport.domain.dispatch.settings import DispatchSettings
from llmport.domain.models.request import build_request
from llmport.integrations.custom_logger import CustomLogger
from llmport.testing import FakeClock, MemoryCache, StaticCredentials
from tests.unit.google_token_server import TokenServer

from .canary_server import EchoingProvider

# One key of a well-known shape (caught by pattern too) and one of no known shape (caught only
# because llmport knows it is the key); a third secret rides in the base URL.
SHAPED = "sk-canary-7f3a9c2e5b1d8f4a6e0c"
OPAQUE = "Zq7uOpaqueQm9Wv2Rt8XyK4"
URL_SECRET = "Qm4urlSecretZt8Kp2VxJ6"
FRAGMENT = 7
USER = [{"role": "user", "content": "hi"}]
CODECS = ("openai", "anthropic", "groq", "azure", "responses", "gemini", "ollama_chat", "cohere")
MODES = ("sync", "async-httpx", "async-aiohttp")


def fragments(*secrets: str) -> set[str]:
    """Every run of FRAGMENT characters of each secret, and the Basic-auth encoding of the URL's."""
    found = {s[i : i + FRAGMENT] for s in secrets for i in range(len(s) - FRAGMENT + 1)}
    return found | {base64.b64encode(f"user:{URL_SECRET}".encode()).decode()}


class RecordingCache(MemoryCache):
    """A memory cache that remembers every key and entry written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[tuple[str, bytes]] = []

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self.written.append((key, value))
        super().set(key, value, ttl)


@dataclass
class Probe:
    """Everything one call left behind that a caller, a log or a cache could read."""

    texts: list[tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, text: object) -> None:
        self.texts.append((where, text if isinstance(text, str) else repr(text)))

    def add_exception(self, error: BaseException, *, public: bool = True) -> None:
        self.add("traceback", "".join(traceback.format_exception(error)))
        if public:
            # What loguru's diagnose=True and Sentry show of an error from the public API: the
            # locals of llmport's frames, whole chain (the caller's own frames hold what it gave).
            with_locals = traceback.TracebackException.from_exception(error, capture_locals=True)
            self.add("traceback locals", llmport_locals(with_locals))
        seen: set[int] = set()
        chain: list[BaseException | None] = [error]
        while chain:
            current = chain.pop()
            if current is None or id(current) in seen:
                continue
            seen.add(id(current))
            name = type(current).__name__
            self.add(f"str({name})", str(current))
            self.add(f"repr({name})", repr(current))
            self.add(f"args({name})", repr(current.args))
            self.add(f"vars({name})", repr(getattr(current, "__dict__", {})))
            chain += [current.__cause__, current.__context__]

    def leaks(self, secrets: tuple[str, ...]) -> list[str]:
        bad = fragments(*secrets)
        return [f"{where}: ...{text[max(0, text.find(f) - 60) : text.find(f) + 40]}..."
                for where, text in self.texts for f in bad if f in text][:5]  # fmt: skip


def llmport_locals(summary: traceback.TracebackException) -> str:
    """The local variables of every llmport frame of a traceback and of its cause/context chain."""
    texts: list[str] = []
    seen: set[int] = set()
    chain: list[traceback.TracebackException | None] = [summary]
    while chain:
        current = chain.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        for frame in current.stack:
            if "llmport" in frame.filename and "/tests/" not in frame.filename:
                texts.append(f"{frame.filename}:{frame.lineno} {frame.name} {frame.locals}")
        chain += [current.__cause__, current.__context__]
    assert not summary.stack or texts or "llmport" not in "".join(f.filename for f in summary.stack)
    return "\n".join(texts)


@pytest.fixture
def provider() -> Iterator[EchoingProvider]:
    with EchoingProvider() as server:
        yield server


@pytest.fixture
def log_records() -> Iterator[list[str]]:
    """Every loguru record (serialised: message, extras, exception) at TRACE and above."""
    records: list[str] = []
    sink = logger.add(lambda message: records.append(str(message)), level="TRACE", serialize=True)
    yield records
    logger.remove(sink)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def base_for(codec: str, root: str) -> str:
    return (
        f"{root}/v1"
        if codec in ("openai", "groq", "responses")
        else f"{root}/v1beta"
        if codec == "gemini"
        else root
    )


def make_client(mode: str, cache: MemoryCache | None = None, **options: Any) -> llmport.Client:
    transport = AiohttpTransport(ssl_verify=False) if mode == "async-aiohttp" else None
    return llmport.Client(
        log_level="TRACE",
        clock=FakeClock(),  # retries happen (and log) without sleeping
        num_retries=1,
        credentials=StaticCredentials({}),
        transport=transport,
        cache=cache,
        **options,
    )


class CapturingCallback(CustomLogger):
    """Keeps the text of everything its callbacks were given."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def log_pre_api_call(self, model, messages, kwargs):  # type: ignore[no-untyped-def]
        self.texts.append(repr((model, messages, kwargs)))

    def log_success_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        self.texts.append(repr((kwargs, response_obj)))

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):  # type: ignore[no-untyped-def]
        self.texts.append(repr((kwargs, response_obj)))


def run(client: llmport.Client, mode: str, model: str, kwargs: dict[str, Any], probe: Probe) -> None:
    """Make the call (consuming a stream), recording what it returns or raises."""

    async def arun() -> None:
        result = await client.acompletion(model, kwargs.pop("messages", USER), **kwargs)
        if isinstance(result, llmport.CompletionStream):
            probe.add("stream", result)
            async for chunk in result:
                probe.add("chunk", chunk)
        else:
            record_response(result, probe)

    try:
        if mode == "sync":
            result = client.completion(model, kwargs.pop("messages", USER), **kwargs)
            if isinstance(result, llmport.CompletionStream):
                probe.add("stream", result)
                for chunk in result:
                    probe.add("chunk", chunk)
            else:
                record_response(result, probe)
        else:
            asyncio.run(arun())
    except LLMPortError as error:  # anything else escaping is a failure of its own
        probe.add_exception(error)
    finally:
        client.close()


def record_response(response: llmport.ModelResponse, probe: Probe) -> None:
    probe.add("repr(response)", response)
    probe.add("str(response)", str(response))
    probe.add("response json", response.model_dump_json())
    probe.add("_hidden_params", response._hidden_params)
    probe.add("_response_headers", response._response_headers)


def record_requests(model: str, kwargs: dict[str, Any], client: llmport.Client, probe: Probe) -> None:
    """The request objects built for the call (when the input is valid), and the client's repr."""
    probe.add("repr(client)", client)
    registry = ProviderRegistry()
    try:
        request = build_request(model, kwargs.get("messages", USER), kwargs)
        host, name = resolve_host(request.model, None, registry)
        call = provider_call(request, host, name, StaticCredentials({}), DispatchSettings())
        http = registry.codec(host.codec).build_request(call)
    except LLMPortError as error:
        probe.add_exception(error, public=False)  # internal functions called directly
        return
    probe.add("repr(CompletionRequest)", request)
    probe.add("repr(CallOptions)", request.options)
    probe.add("repr(ProviderCall)", call)
    probe.add("repr(HttpRequest)", http)
    probe.add("HttpRequest.safe_url", http.safe_url)


@dataclass(frozen=True)
class Scenario:
    """One call: a model name the provider acts on, where the base URL points, extra arguments.

    ``base``: ``live`` (the echoing provider) or ``refused`` (a closed port), with ``+query``
    for a ``?key=`` secret or ``+userinfo`` for a ``user:secret@`` one. String values in
    ``extra`` may name the key as ``{key}``.
    """

    name: str
    model: str = "ok"
    base: str = "live"
    extra: dict[str, Any] = field(default_factory=dict)
    fails: bool = True
    key_in_headers: bool = False  # no api_key: the key travels only in ``extra`` headers

    def kwargs(self, codec: str, root: str, key: str) -> dict[str, Any]:
        where, _, secret = self.base.partition("+")
        base = base_for(codec, root if where == "live" else f"http://127.0.0.1:{closed_port()}")
        if secret == "query":
            base = f"{base}?key={URL_SECRET}"
        elif secret.startswith("query-"):  # a query parameter no pattern knows: ?subscription-key=
            base = f"{base}?{secret.removeprefix('query-')}={URL_SECRET}"
        elif secret == "userinfo":
            base = base.replace("http://", f"http://user:{URL_SECRET}@")
        made: dict[str, Any] = (
            {"api_base": base} if self.key_in_headers else {"api_key": key, "api_base": base}
        )
        made.update({name: _with_key(value, key) for name, value in self.extra.items()})
        if codec == "azure":
            made["api_version"] = "2024-02-01"
        return made


def _with_key(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return {name: _with_key(item, key) for name, item in value.items()}
    return value.format(key=key) if isinstance(value, str) else value


SCENARIOS = [
    Scenario("e401", "e401"),
    Scenario("e400", "e400"),
    Scenario("e429", "e429"),
    Scenario("e500", "e500"),
    Scenario("timeout", "stall", extra={"timeout": 0.3, "num_retries": 0}),
    Scenario("mid-stream-drop", "drop", extra={"stream": True}),
    Scenario("not-json", "not-json"),
    Scenario("wrong-shape", "wrong-shape"),
    Scenario("bad-stream-event", "bad-event", extra={"stream": True}),
    Scenario("refused", base="refused"),
    Scenario("refused-query-key", base="refused+query"),
    Scenario("refused-userinfo", base="refused+userinfo"),
    # e401 echoes the request target, key and all (before the URL fix the broken path did, as a 404).
    Scenario("query-key", "e401", base="live+query"),
    Scenario("userinfo", "e401", base="live+userinfo"),
    Scenario("bad-messages", extra={"messages": "{key}"}),
    Scenario("bad-timeout", extra={"timeout": "{key}"}),
    Scenario("bad-key-char", extra={"api_key": "{key}\u200b"}),
    Scenario("bad-header", extra={"extra_headers": {"x-token": "{key}\u00e9"}}),
    Scenario("success", extra={"caching": True}, fails=False),
    Scenario("success-stream", extra={"stream": True}, fails=False),
]


@dataclass
class Seen:
    """What a test's surroundings captured: loguru records and the process's stdout/stderr."""

    records: list[str]
    capfd: pytest.CaptureFixture[str]

    def collect(self, probe: Probe, cache: RecordingCache) -> None:
        """Add what the cache, the log sink and the process's output captured to ``probe``."""
        for entry_key, entry in cache.written:
            probe.add("cache key", entry_key)
            probe.add("cache entry", entry.decode("utf-8", "replace"))
        for record in self.records:
            probe.add("log record", record)
        captured = self.capfd.readouterr()
        probe.add("stdout", captured.out)
        probe.add("stderr", captured.err)


@pytest.fixture
def seen(log_records: list[str], capfd: pytest.CaptureFixture[str]) -> Seen:
    return Seen(log_records, capfd)


@dataclass(frozen=True)
class Route:
    """Which codec (by model prefix), which transport mode and which key a call uses."""

    codec: str
    mode: str
    key: str

    def __str__(self) -> str:
        return f"{self.codec}-{self.mode}-{'shaped' if self.key == SHAPED else 'opaque'}-key"


ROUTES = [Route(*combo) for combo in itertools.product(CODECS, MODES, (SHAPED, OPAQUE))]


# Secrets put where no pattern looks for them: a query parameter of any name, a header of the
# caller's. A smaller matrix (the opaque key, which only llmport's knowledge of it can catch).
PLACED_SCENARIOS = [
    Scenario("apim-subscription-key", "e401", base="live+query-subscription-key"),
    Scenario("functions-code", "e400", base="live+query-code", extra={"stream": True}),
    Scenario("refused-code", base="refused+query-code"),
    Scenario("success-code", base="live+query-code", extra={"caching": True}, fails=False),
    Scenario(
        "header-x-api-key", "e401", extra={"extra_headers": {"x-api-key": "{key}"}}, key_in_headers=True
    ),
    Scenario(
        "header-custom-token",
        "e429",
        extra={"extra_headers": {"X-Tenant-Token": "{key}"}, "stream": True},
        key_in_headers=True,
    ),
    Scenario(
        "header-success",
        extra={"extra_headers": {"x-goog-api-key": "{key}"}, "caching": True},
        key_in_headers=True,
        fails=False,
    ),
]
PLACED_ROUTES = [
    Route(codec, mode, OPAQUE) for codec in ("openai", "anthropic") for mode in ("sync", "async-aiohttp")
]


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_the_canary_appears_nowhere(
    scenario: Scenario, route: Route, provider: EchoingProvider, seen: Seen
) -> None:
    check_call(scenario, route, provider, seen)


@pytest.mark.parametrize("route", PLACED_ROUTES, ids=str)
@pytest.mark.parametrize("scenario", PLACED_SCENARIOS, ids=[s.name for s in PLACED_SCENARIOS])
def test_secrets_placed_anywhere_appear_nowhere(
    scenario: Scenario, route: Route, provider: EchoingProvider, seen: Seen
) -> None:
    check_call(scenario, route, provider, seen)


def check_call(scenario: Scenario, route: Route, provider: EchoingProvider, seen: Seen) -> None:
    """Make the scenario's call over the route, then search everything it left for the secrets."""
    codec, mode, key = route.codec, route.mode, route.key
    probe = Probe()
    cache = RecordingCache()
    client = make_client(mode, cache)
    model = f"{codec}/{scenario.model}"
    kwargs = scenario.kwargs(codec, provider.root_url, key)
    record_requests(model, dict(kwargs), client, probe)
    run(client, mode, model, dict(kwargs), probe)
    failed = any(where == "traceback" for where, _ in probe.texts)
    assert failed == scenario.fails, probe.texts[-3:]
    seen.collect(probe, cache)
    assert probe.leaks((key, URL_SECRET)) == []


STDLIB_ROUTES = [Route("openai", "sync", OPAQUE), Route("anthropic", "async-httpx", OPAQUE)]


@pytest.mark.parametrize("route", STDLIB_ROUTES, ids=str)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_the_canary_appears_nowhere_in_stdlib_logs_or_callbacks(
    scenario: Scenario, route: Route, provider: EchoingProvider, caplog: pytest.LogCaptureFixture
) -> None:
    # The stdlib adapter and the callbacks' payloads, with the key in metadata too; an opaque
    # key is only caught because llmport knows it.
    probe = Probe()
    callback = CapturingCallback()
    client = make_client(route.mode, logger=StdlibLogger(), callbacks=[callback])
    kwargs = scenario.kwargs(route.codec, provider.root_url, route.key)
    kwargs["metadata"] = {"note": f"key {route.key}"}
    with caplog.at_level(5, logger="llmport"):
        run(client, route.mode, f"{route.codec}/{scenario.model}", kwargs, probe)
    assert caplog.records or scenario.name.startswith("bad-")
    for record in caplog.records:
        probe.add("stdlib record", record.getMessage())
        probe.add("stdlib record attributes", vars(record))
    for text in callback.texts:
        probe.add("callback", text)
    assert callback.texts or scenario.name.startswith("bad-")
    assert probe.leaks((route.key, URL_SECRET)) == []


def test_the_provider_really_echoes_the_key(provider: EchoingProvider) -> None:
    # The canary test proves nothing if the echo never happens: the raw answer carries the key.
    import httpx

    url = f"{provider.root_url}/v1/chat/completions"
    answer = httpx.post(url, json={"model": "e401"}, headers={"authorization": f"Bearer {SHAPED}"})
    assert answer.status_code == 401
    assert SHAPED in answer.text
    assert SHAPED in answer.headers["set-cookie"]


def test_the_provider_really_echoes_a_gemini_key(provider: EchoingProvider) -> None:
    import httpx

    url = f"{provider.root_url}/v1beta/models/e400:generateContent"
    answer = httpx.post(url, json={"contents": []}, headers={"x-goog-api-key": OPAQUE})
    assert answer.status_code == 400
    assert OPAQUE in answer.json()["error"]["message"]
    assert OPAQUE in answer.json()["error"]["status"]


def test_the_run_sees_every_kind_of_text(provider: EchoingProvider, log_records: list[str]) -> None:
    # Guards the probe itself: an error call yields a chain, a traceback and log records.
    probe = Probe()
    client = make_client("sync")
    run(client, "sync", "openai/e500", {"api_key": SHAPED, "api_base": f"{provider.root_url}/v1"}, probe)
    places = {where for where, _ in probe.texts}
    assert {"traceback", "str(InternalServerError)", "vars(InternalServerError)"} <= places
    assert any("llmport retry" in record for record in log_records)
    assert any("llmport request" in record for record in log_records)


def test_keys_are_held_as_secrets() -> None:
    request = build_request("openai/gpt-4o", USER, {"api_key": SHAPED})
    assert isinstance(request.options.api_key, SecretStr)
    client = llmport.Client(api_key=SHAPED, credentials=StaticCredentials({}))
    assert isinstance(client.dispatcher.settings.api_key, SecretStr)
    host, name = resolve_host(request.model, None, ProviderRegistry())
    call = provider_call(request, host, name, StaticCredentials({}), DispatchSettings())
    assert isinstance(call.api_key, SecretStr)
    assert SHAPED not in repr(call) + repr(client) + repr(request.options)


def test_the_loguru_adapter_scrubs_what_it_is_given(log_records: list[str]) -> None:
    # The patcher is the last line of defence: even a message and fields carrying a key come out clean.
    from llmport.adapters.logging.loguru_logger import LoguruLogger

    LoguruLogger("TRACE").log("TRACE", f"key {SHAPED}", url=f"http://h/v1?key={URL_SECRET}", raw=[SHAPED])
    assert len(log_records) == 1
    assert "[REDACTED]" in log_records[0]
    assert Probe([("log record", log_records[0])]).leaks((SHAPED, URL_SECRET)) == []


# -- Vertex AI: the canary is the OAuth token (and the service account's private key) -------------

VERTEX_SCENARIOS = [
    Scenario("e401-refresh", "e401"),  # refused, refreshed, refused again
    Scenario("e400", "e400"),
    Scenario("e429", "e429"),
    Scenario("e500", "e500"),
    Scenario("mid-stream-drop", "drop", extra={"stream": True}),
    Scenario("not-json", "not-json"),
    Scenario("bad-stream-event", "bad-event", extra={"stream": True}),
    Scenario("refused", base="refused"),
    Scenario("success", "gemini-2.5-flash", extra={"caching": True}, fails=False),
    Scenario("success-stream", "gemini-2.5-flash", extra={"stream": True}, fails=False),
]


@pytest.fixture
def token_server() -> Iterator[TokenServer]:
    with TokenServer() as server:
        yield server


def _private_key_body(document: str) -> str:
    import json as _json

    pem = _json.loads(document)["private_key"]
    return "".join(line for line in pem.splitlines() if "-----" not in line)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("scenario", VERTEX_SCENARIOS, ids=[s.name for s in VERTEX_SCENARIOS])
def test_the_vertex_token_appears_nowhere(
    scenario: Scenario, mode: str, provider: EchoingProvider, token_server: TokenServer, seen: Seen
) -> None:
    document = token_server.service_account()
    probe = Probe()
    cache = RecordingCache()
    client = make_client(mode, cache)
    root = provider.root_url if scenario.base == "live" else f"http://127.0.0.1:{closed_port()}"
    kwargs = {"api_base": root, "vertex_project": "p", "vertex_credentials": document, **scenario.extra}
    model = f"vertex_ai/{scenario.model}"
    record_requests(model, dict(kwargs), client, probe)
    run(client, mode, model, dict(kwargs), probe)
    failed = any(where == "traceback" for where, _ in probe.texts)
    assert failed == scenario.fails, probe.texts[-3:]
    assert token_server.issued, "no token was ever fetched: the canary proves nothing"
    if scenario.name == "e401-refresh":
        assert len(token_server.issued) == 2
    seen.collect(probe, cache)
    assert probe.leaks((*token_server.issued, _private_key_body(document))) == []
    assert all(token not in target for token in token_server.issued for target in provider.targets)

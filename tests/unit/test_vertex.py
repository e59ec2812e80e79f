"""Vertex AI: Gemini and Claude models on one host, Google OAuth per attempt, settings and URLs.

Real HTTP where it matters: a loopback token endpoint signs in a real service account (an RSA
key made in the test) and the fake Gemini server answers on Vertex's paths. Elsewhere a
``FakeTransport`` captures the requests, and credentials are a ``Credentials`` subclass that
counts its refreshes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import llmport
from llmport.adapters.providers.google_oauth import GoogleCredentialsSource, GoogleOAuth
from llmport.adapters.providers.registry import ProviderRegistry
from llmport.ports.auth import AuthScheme
from llmport.testing import (
    FakeClock,
    FakeGeminiServer,
    FakeTransport,
    HttpRequest,
    HttpResponse,
    StaticCredentials,
)
from tests.contract.fixtures_loader import load_exchange

from .google_token_server import TokenServer
from .test_google_oauth import CountingCredentials

HI = [{"role": "user", "content": "hi"}]
GEMINI_OK = json.loads(load_exchange("gemini", "oi_multi_turn_conversation_0").body)
CLAUDE_OK = load_exchange("anthropic", "vercel_anthropic_text")
CLAUDE_STREAM = load_exchange("anthropic", "simonw_test_prompt")


@pytest.fixture
def token_server() -> Iterator[TokenServer]:
    with TokenServer() as server:
        yield server


@pytest.fixture
def gemini_server() -> Iterator[FakeGeminiServer]:
    with FakeGeminiServer() as server:
        yield server


def counting_client(
    handler: Any, credentials: CountingCredentials, project: str | None = "adc-project", **settings: Any
) -> tuple[llmport.Client, FakeTransport]:
    source = GoogleCredentialsSource(loader=lambda _source: (credentials, project), request_factory=object)
    registry = ProviderRegistry(auths={"google_oauth": lambda scheme: GoogleOAuth(scheme, source)})
    transport = FakeTransport(handler)
    client = llmport.Client(
        transport=transport, clock=FakeClock(), num_retries=0, registry=registry,
        credentials=StaticCredentials(settings.pop("env", {})), **settings,
    )  # fmt: skip
    return client, transport


def ok(_request: HttpRequest) -> HttpResponse:
    return HttpResponse.from_json(GEMINI_OK)


def test_gemini_on_vertex_through_a_real_service_account(
    token_server: TokenServer, gemini_server: FakeGeminiServer
) -> None:
    document = token_server.service_account()
    with llmport.Client(api_base=gemini_server.root_url, num_retries=0) as client:
        response = client.completion(
            "vertex_ai/gemini-2.5-flash", HI, vertex_credentials=document, vertex_project="p1",
            vertex_location="europe-west4",
        )  # fmt: skip
        chunks = list(
            client.completion("vertex_ai/gemini-2.5-flash", HI, stream=True, vertex_credentials=document)
        )
    assert response.choices[0].message.content.endswith("You said: hi")
    assert llmport.stream_chunk_builder(chunks).choices[0].message.content.endswith("You said: hi")
    first, second = gemini_server.requests
    assert (
        first.path
        == "/v1/projects/p1/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent"
    )
    # No project given: the service account's own; the default location.
    assert second.path == (
        "/v1/projects/proj-from-key/locations/us-central1/publishers/google/models/gemini-2.5-flash"
        ":streamGenerateContent"
    )
    assert second.query == {"alt": "sse"}
    assert first.headers["authorization"] == f"Bearer {token_server.issued[0]}"
    assert second.headers["authorization"] == first.headers["authorization"]  # reused while valid
    assert len(token_server.issued) == 1
    assert "x-goog-api-key" not in first.headers


def test_vertex_credentials_given_as_a_dict_sign_in_like_their_json_text(
    token_server: TokenServer, gemini_server: FakeGeminiServer
) -> None:
    info = json.loads(token_server.service_account())  # litellm takes the parsed document too
    with llmport.Client(api_base=gemini_server.root_url, num_retries=0) as client:
        response = client.completion("vertex_ai/gemini-2.5-flash", HI, vertex_credentials=info)
        with pytest.raises(llmport.InternalServerError) as failure:
            client.completion("vertex_ai/fake-error-500", HI, vertex_credentials=info)
    assert response.choices[0].message.content.endswith("You said: hi")
    assert gemini_server.requests[0].path.startswith("/v1/projects/proj-from-key/locations/us-central1/")
    assert gemini_server.requests[0].headers["authorization"] == f"Bearer {token_server.issued[0]}"
    key_line = info["private_key"].splitlines()[1]
    assert key_line not in f"{failure.value} {failure.value!r}"


async def test_async_vertex_call_refreshes_off_the_loop(gemini_server: FakeGeminiServer) -> None:
    credentials = CountingCredentials()
    source = GoogleCredentialsSource(
        loader=lambda _source: (credentials, "adc-project"), request_factory=object
    )
    registry = ProviderRegistry(auths={"google_oauth": lambda scheme: GoogleOAuth(scheme, source)})
    import threading

    loop_thread = threading.get_ident()
    async with llmport.Client(api_base=gemini_server.root_url, num_retries=0, registry=registry) as client:
        response = await client.acompletion("vertex_ai/gemini-2.5-flash", HI)
        again = await client.acompletion("vertex_ai/gemini-2.5-flash", HI)
    assert response.choices[0].message.content
    assert again.choices[0].message.content
    assert credentials.refreshes == 1
    assert credentials.threads[0] != loop_thread
    assert gemini_server.requests[0].path.startswith("/v1/projects/adc-project/")


def test_a_401_refreshes_once_and_sends_again() -> None:
    credentials = CountingCredentials()
    answers = iter(
        [HttpResponse.from_json({"error": {"code": 401, "status": "UNAUTHENTICATED"}}, 401), ok(None)]
    )  # type: ignore[arg-type]
    client, transport = counting_client(lambda request: next(answers), credentials)
    with client:
        response = client.completion("vertex_ai/gemini-2.5-flash", HI)
    assert response.choices[0].message.content == "The capital of France is **Paris**.\n"
    assert credentials.refreshes == 2
    tokens = [request.headers["authorization"] for request in transport.requests]
    assert tokens == ["Bearer token-1", "Bearer token-2"]


def test_a_second_401_is_final() -> None:
    credentials = CountingCredentials()
    refused = HttpResponse.from_json(
        {"error": {"code": 401, "message": "no", "status": "UNAUTHENTICATED"}}, 401
    )
    client, transport = counting_client(lambda request: refused, credentials)
    with client, pytest.raises(llmport.AuthenticationError) as caught:
        client.completion("vertex_ai/gemini-2.5-flash", HI)
    assert len(transport.requests) == 2
    assert "token-2" not in f"{caught.value!s} {caught.value!r} {caught.value.headers!r}"


@pytest.mark.parametrize(
    ("location", "root"),
    [
        ("us-central1", "https://us-central1-aiplatform.googleapis.com"),
        ("europe-west4", "https://europe-west4-aiplatform.googleapis.com"),
        ("global", "https://aiplatform.googleapis.com"),
        ("us", "https://aiplatform.us.rep.googleapis.com"),
        ("eu", "https://aiplatform.eu.rep.googleapis.com"),
    ],
)
def test_the_default_host_follows_the_location(location: str, root: str) -> None:
    client, transport = counting_client(
        ok, CountingCredentials(quota_project="billing"), env={"VERTEXAI_LOCATION": location}
    )
    with client:
        client.completion("vertex_ai/gemini-2.5-pro", HI, vertex_project="p")
    (request,) = transport.requests
    path = f"/v1/projects/p/locations/{location}/publishers/google/models/gemini-2.5-pro:generateContent"
    assert request.url == root + path
    assert request.headers["x-goog-user-project"] == "billing"


def test_project_and_location_from_the_environment_and_keywords_win() -> None:
    env = {"VERTEXAI_PROJECT": "env-project", "VERTEX_LOCATION": "asia-east1"}
    client, transport = counting_client(ok, CountingCredentials(), env=env)
    with client:
        client.completion("vertex_ai/gemini-2.5-flash", HI)
        client.completion(
            "vertex_ai/gemini-2.5-flash", HI, vertex_project="kw-project", vertex_location="us-east5"
        )
    first, second = (request.url for request in transport.requests)
    assert "/projects/env-project/locations/asia-east1/" in first
    assert first.startswith("https://asia-east1-aiplatform.googleapis.com/")
    assert "/projects/kw-project/locations/us-east5/" in second
    assert all("vertex_" not in request.body.decode() for request in transport.requests)


def test_no_project_anywhere_is_a_clear_error() -> None:
    client, transport = counting_client(ok, CountingCredentials(), project=None)
    with client, pytest.raises(llmport.BadRequestError, match="vertex_project"):
        client.completion("vertex_ai/gemini-2.5-flash", HI)
    assert transport.requests == []


def test_claude_on_vertex_speaks_anthropic_at_raw_predict() -> None:
    seen: list[HttpRequest] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        if request.url.endswith(":streamRawPredict"):
            return HttpResponse(200, {"content-type": "text/event-stream"}, chunks=(CLAUDE_STREAM.body,))
        return HttpResponse(200, {"content-type": "application/json"}, CLAUDE_OK.body)

    client, _ = counting_client(handler, CountingCredentials())
    model = "vertex_ai/claude-sonnet-4-5@20250929"
    with client:
        response = client.completion(
            model, HI, vertex_project="p", vertex_location="us-east5", max_tokens=100
        )
        chunks = list(
            client.completion(model, HI, stream=True, vertex_project="p", vertex_location="us-east5")
        )
    assert response.choices[0].message.content.startswith("Hello! I'm doing well")
    assert llmport.stream_chunk_builder(chunks).choices[0].message.content == "- Captain\n- Scoop"
    whole, streamed = seen
    base = "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models"
    assert whole.url == f"{base}/claude-sonnet-4-5@20250929:rawPredict"
    assert streamed.url == f"{base}/claude-sonnet-4-5@20250929:streamRawPredict"
    body = json.loads(whole.body)
    assert "model" not in body
    assert body["anthropic_version"] == "vertex-2023-10-16"
    assert body["max_tokens"] == 100
    assert body["messages"] == [{"role": "user", "content": "hi"}]
    assert json.loads(streamed.body)["stream"] is True
    assert whole.headers["authorization"] == "Bearer token-1"
    assert "x-api-key" not in whole.headers
    assert "anthropic-version" not in whole.headers


def test_each_family_refuses_what_its_format_cannot_take() -> None:
    client, transport = counting_client(ok, CountingCredentials())
    with client:
        with pytest.raises(llmport.UnsupportedParamsError, match="seed"):
            client.completion("vertex_ai/claude-sonnet-4-5", HI, seed=1, vertex_project="p")
        client.completion("vertex_ai/gemini-2.5-flash", HI, seed=1, vertex_project="p")
    assert json.loads(transport.requests[0].body)["generationConfig"]["seed"] == 1


def test_without_google_credentials_the_error_points_to_ai_studio(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    # ADC finds nothing (and never probes a metadata server): the message says what to do.
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "none.json"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    transport = FakeTransport(ok)
    with (
        llmport.Client(transport=transport, num_retries=0) as client,
        pytest.raises(llmport.AuthenticationError) as caught,
    ):
        client.completion("gemini-2.5-flash", HI)  # a bare gemini-* name is Vertex's, as in litellm
    assert "gemini/gemini-2.5-flash" in str(caught.value)
    assert transport.requests == []


def test_the_auth_is_resolved_lazily_by_name() -> None:
    auth = ProviderRegistry().auth(AuthScheme("google_oauth"))
    assert isinstance(auth, GoogleOAuth)


@pytest.mark.parametrize(
    ("model", "body", "cls"),
    [
        # Vertex answers Google's error shape for both families...
        (
            "gemini-2.5-flash",
            {"error": {"code": 429, "message": "Quota", "status": "RESOURCE_EXHAUSTED"}},
            llmport.RateLimitError,
        ),
        (
            "claude-sonnet-4-5",
            {"error": {"code": 404, "message": "no model", "status": "NOT_FOUND"}},
            llmport.NotFoundError,
        ),
        # ...and Claude's own errors come through in Anthropic's shape.
        (
            "claude-sonnet-4-5",
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            llmport.ServiceUnavailableError,
        ),
    ],
)
def test_errors_of_both_families_are_classified(model: str, body: dict[str, Any], cls: type) -> None:
    status = {llmport.RateLimitError: 429, llmport.NotFoundError: 404, llmport.ServiceUnavailableError: 529}[
        cls
    ]
    client, _ = counting_client(lambda request: HttpResponse.from_json(body, status), CountingCredentials())
    with client, pytest.raises(cls) as caught:
        client.completion(f"vertex_ai/{model}", HI, vertex_project="p", num_retries=0)
    assert type(caught.value) is cls
    assert caught.value.llm_provider == "vertex_ai"

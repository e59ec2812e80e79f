"""bedrock/… end to end against the loopback FakeBedrockServer: SigV4 or API key, sync and async, streamed.

The fake refuses a request without a SigV4 ``Authorization`` scoped to ``bedrock`` (or a bearer
key), and serves event streams that botocore decodes. Region and credential sources are checked
on the requests it records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

import llmport
from llmport.testing import FakeBedrockServer, FakeClock, StaticCredentials
from llmport.testing.loopback import LoopbackFake, QuietHandler

USER = [{"role": "user", "content": "What is the capital of France?"}]
MODEL = "bedrock/anthropic.claude-3-haiku-20240307-v1:0"
ACCESS = "AKIDEXAMPLE0123456789"
SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY0"
TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKENabcdef"
KEYS = {"aws_access_key_id": ACCESS, "aws_secret_access_key": SECRET}
# Every variable botocore's default chain reads credentials or their location from.
AMBIENT_AWS = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_CREDENTIAL_EXPIRATION", "AWS_BEARER_TOKEN_BEDROCK",
)  # fmt: skip
_SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/bedrock/aws4_request")


@pytest.fixture
def server() -> Iterator[FakeBedrockServer]:
    with FakeBedrockServer() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _no_ambient_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """botocore's default chain must find nothing of the machine's (and never ask instance metadata)."""
    for name in AMBIENT_AWS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def client(env: dict[str, str] | None = None) -> llmport.Client:
    return llmport.Client(credentials=StaticCredentials(env or {}), clock=FakeClock(), num_retries=0)


def scope(server: FakeBedrockServer) -> tuple[str, str]:
    """The access key and region the last request was signed for."""
    match = _SCOPE.search(server.requests[-1].headers["authorization"])
    assert match is not None, server.requests[-1].headers
    return match.group(1), match.group(2)


def test_sigv4_signed_call(server: FakeBedrockServer) -> None:
    with client() as llm:
        response = llm.completion(MODEL, USER, api_base=server.base_url, aws_region_name="eu-west-3", **KEYS)
    assert response.choices[0].message.content.startswith("This is a fake reply")
    assert response.choices[0].finish_reason == "stop"
    assert response.usage.total_tokens > 0
    assert response._hidden_params["request_id"]
    request = server.requests[-1]
    assert request.path == "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
    assert scope(server) == (ACCESS, "eu-west-3")
    assert "x-amz-security-token" not in request.headers
    assert not set(request.body) & {"aws_access_key_id", "aws_secret_access_key", "aws_region_name"}


def test_session_token_and_env_credentials(server: FakeBedrockServer) -> None:
    env = {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN}
    with client({**env, "AWS_REGION": "ap-south-1"}) as llm:
        llm.completion(MODEL, USER, api_base=server.base_url)
    assert scope(server) == (ACCESS, "ap-south-1")
    assert server.requests[-1].headers["x-amz-security-token"] == TOKEN


def test_region_name_wins_over_region_and_an_arn_region_over_both(server: FakeBedrockServer) -> None:
    env = {"AWS_REGION_NAME": "us-east-2", "AWS_REGION": "ap-south-1"}
    with client(env) as llm:
        llm.completion(MODEL, USER, api_base=server.base_url, **KEYS)
        assert scope(server)[1] == "us-east-2"
        arn = "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-v1:0"
        llm.completion(f"bedrock/converse/{arn}", USER, api_base=server.base_url, **KEYS)
    assert scope(server)[1] == "eu-central-1"
    assert server.requests[-1].path.endswith(
        "/model/" + arn.replace(":", "%3A").replace("/", "%2F") + "/converse"
    )


def test_profile_credentials_and_region(server: FakeBedrockServer, tmp_path: Path) -> None:
    (tmp_path / "credentials").write_text(
        f"[team]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\n"
    )
    (tmp_path / "config").write_text("[profile team]\nregion = ca-central-1\n")
    with client() as llm:
        llm.completion(MODEL, USER, api_base=server.base_url, aws_profile_name="team")
    assert scope(server) == (ACCESS, "ca-central-1")


def test_the_default_endpoint_carries_the_region(server: FakeBedrockServer) -> None:
    seen: list[str] = []

    def answer(request: Any) -> llmport.testing.HttpResponse:
        seen.append(request.url)
        message = {"role": "assistant", "content": [{"text": "ok"}]}
        usage = {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}
        body = {"output": {"message": message}, "stopReason": "end_turn", "usage": usage}
        return llmport.testing.HttpResponse(200, {}, json.dumps(body).encode())

    fake = llmport.testing.FakeTransport(answer)
    with llmport.Client(transport=fake, credentials=StaticCredentials({}), num_retries=0) as llm:
        llm.completion(MODEL, USER, **KEYS)
        llm.completion(MODEL, USER, aws_region_name="eu-west-1", **KEYS)
        arn = "arn:aws:bedrock:ap-northeast-1:123456789012:application-inference-profile/abc123"
        llm.completion(f"bedrock/{arn}", USER, aws_region_name="eu-west-1", **KEYS)
    assert seen[0].startswith("https://bedrock-runtime.us-west-2.amazonaws.com/model/")
    assert seen[1].startswith("https://bedrock-runtime.eu-west-1.amazonaws.com/model/")
    assert seen[2].startswith(
        "https://bedrock-runtime.ap-northeast-1.amazonaws.com/model/arn%3Aaws%3Abedrock"
    )


def test_runtime_endpoint_from_the_environment(server: FakeBedrockServer) -> None:
    with client({"AWS_BEDROCK_RUNTIME_ENDPOINT": server.base_url, "AWS_REGION": "us-east-1"}) as llm:
        llm.completion(MODEL, USER, **KEYS)
    assert scope(server) == (ACCESS, "us-east-1")


def test_bedrock_api_key_is_a_bearer_token_without_signing(server: FakeBedrockServer) -> None:
    with client({"AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key-0123456789"}) as llm:
        llm.completion(MODEL, USER, api_base=server.base_url)
    headers = server.requests[-1].headers
    assert headers["authorization"] == "Bearer bedrock-api-key-0123456789"
    assert "x-amz-date" not in headers


def test_without_any_credentials_the_call_fails_before_sending(server: FakeBedrockServer) -> None:
    with client() as llm, pytest.raises(llmport.AuthenticationError, match="no AWS credentials"):
        llm.completion(MODEL, USER, api_base=server.base_url)
    assert server.requests == []


def test_unsigned_requests_are_refused_by_the_fake(server: FakeBedrockServer) -> None:
    import httpx

    answer = httpx.post(f"{server.base_url}/model/m/converse", json={"messages": []})
    assert answer.status_code == 403
    assert answer.headers["x-amzn-errortype"].startswith("MissingAuthenticationTokenException")


def test_stream_with_tools_and_reasoning(server: FakeBedrockServer) -> None:
    tools = [{"type": "function", "function": {"name": "get.weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]  # fmt: skip
    model = "bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0"
    with client() as llm:
        chunks = list(llm.completion(model, USER, stream=True, tools=tools, reasoning_effort="low",
                                     api_base=server.base_url, **KEYS))  # fmt: skip
    built = llmport.stream_chunk_builder(chunks)
    assert built is not None
    message = built.choices[0].message
    (call,) = message.tool_calls
    assert call.function.name == "get.weather"
    assert json.loads(call.function.arguments) == {"city": "example"}
    assert message.reasoning_content.startswith("Let me think about")
    assert message.thinking_blocks[0]["signature"]
    assert built.choices[0].finish_reason == "tool_calls"
    assert chunks[-1].usage is not None
    assert server.requests[-1].path.endswith("/converse-stream")
    assert server.requests[-1].body["toolConfig"]["tools"][0]["toolSpec"]["name"] == "get_weather"


def test_a_tool_round_trip_with_reasoning_sent_back(server: FakeBedrockServer) -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
    model = "bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0"
    thinking = {"type": "enabled", "budget_tokens": 1024}
    with client() as llm:
        first = llm.completion(model, USER, tools=tools, thinking=thinking, api_base=server.base_url, **KEYS)
        message = first.choices[0].message
        result = {"role": "tool", "tool_call_id": message.tool_calls[0].id, "content": "Paris"}
        history = [*USER, message.model_dump(), result]
        second = llm.completion(
            model, history, tools=tools, thinking=thinking, api_base=server.base_url, **KEYS
        )
    assert second.choices[0].message.content == "The tool returned: Paris"
    sent = server.requests[-1].body["messages"][1]["content"]
    assert (
        sent[0]["reasoningContent"]["reasoningText"]["signature"] == message.thinking_blocks[0]["signature"]
    )


async def test_async_call_and_stream(server: FakeBedrockServer) -> None:
    with client() as llm:
        response = await llm.acompletion(MODEL, USER, api_base=server.base_url, **KEYS)
        stream = await llm.acompletion(MODEL, USER, stream=True, api_base=server.base_url, **KEYS)
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
    assert text == response.choices[0].message.content
    assert scope(server)[0] == ACCESS


async def test_async_with_credentials_from_the_default_chain(
    server: FakeBedrockServer, tmp_path: Path
) -> None:
    (tmp_path / "credentials").write_text(
        f"[default]\naws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\n"
    )
    with client() as llm:
        response = await llm.acompletion(MODEL, USER, api_base=server.base_url, aws_region_name="us-east-1")
    assert response.choices[0].message.content
    assert scope(server) == (ACCESS, "us-east-1")


def test_structured_output(server: FakeBedrockServer) -> None:
    schema = {"type": "object", "properties": {"capital": {"type": "string"}}, "required": ["capital"]}
    response_format = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}
    with client() as llm:
        forced = llm.completion(
            MODEL, USER, response_format=response_format, api_base=server.base_url, **KEYS
        )
        native_model = "bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0"
        native = llm.completion(
            native_model, USER, response_format=response_format, api_base=server.base_url, **KEYS
        )
    assert json.loads(forced.choices[0].message.content) == {"capital": "example"}
    assert json.loads(native.choices[0].message.content) == {"capital": "example"}
    assert "outputConfig" in server.requests[-1].body


@pytest.mark.parametrize(
    ("model", "error"),
    [
        ("fake-error-429", llmport.RateLimitError),
        ("fake-error-context", llmport.ContextWindowExceededError),
        ("fake-error-403", llmport.PermissionDeniedError),
        ("fake-error-503", llmport.ServiceUnavailableError),
    ],
)
def test_errors(server: FakeBedrockServer, model: str, error: type[Exception]) -> None:
    with client() as llm, pytest.raises(error) as caught:
        llm.completion(f"bedrock/{model}", USER, api_base=server.base_url, **KEYS)
    assert caught.value.request_id


def test_model_not_ready_is_retried(server: FakeBedrockServer) -> None:
    with client() as llm, pytest.raises(llmport.RateLimitError):
        llm.completion("bedrock/fake-error-not-ready", USER, api_base=server.base_url, num_retries=2, **KEYS)
    assert len(server.requests) == 3
    first, last = server.requests[0].headers, server.requests[-1].headers
    assert first["authorization"].startswith("AWS4-HMAC-SHA256")
    assert last["authorization"].startswith("AWS4-HMAC-SHA256")


@pytest.mark.parametrize("model", ["fake-stream-error", "fake-stream-drop"])
def test_stream_failures_after_chunks(server: FakeBedrockServer, model: str) -> None:
    received: list[Any] = []
    expected = llmport.RateLimitError if model == "fake-stream-error" else llmport.APIConnectionError
    with client() as llm, pytest.raises(expected):
        received.extend(
            llm.completion(f"bedrock/{model}", USER, stream=True, api_base=server.base_url, **KEYS)
        )
    assert received


class _STSHandler(QuietHandler):
    """STS AssumeRole on loopback: records the form, answers with fixed temporary credentials."""

    server: Any

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        self.server.owner.calls.append((form, self.headers.get("authorization", "")))
        body = STS_ANSWER.encode()
        self.send_response(200)
        self.send_header("content-type", "text/xml")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FakeSTS(LoopbackFake):
    handler = _STSHandler

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[dict[str, str], str]] = []


ASSUMED_KEY, ASSUMED_SECRET, ASSUMED_TOKEN = (
    "ASIAASSUMED012345678",
    "assumedSecretKey0123456789",
    "assumedSessionToken012345",
)
STS_ANSWER = f"""<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>{ASSUMED_KEY}</AccessKeyId><SecretAccessKey>{ASSUMED_SECRET}</SecretAccessKey>
      <SessionToken>{ASSUMED_TOKEN}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/reader/s1</Arn><AssumedRoleId>AROA1:s1</AssumedRoleId></AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>sts-request-1</RequestId></ResponseMetadata>
</AssumeRoleResponse>"""


def test_assume_role_through_sts(server: FakeBedrockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    role = "arn:aws:iam::123456789012:role/reader"
    with FakeSTS() as sts:
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts.root_url)
        with client() as llm:
            for _ in range(2):  # the assumed credentials are kept, not fetched per call
                llm.completion(MODEL, USER, api_base=server.base_url, aws_region_name="us-east-1",
                               aws_role_name=role, aws_session_name="s1", **KEYS)  # fmt: skip
    assert len(sts.calls) == 1
    form, authorization = sts.calls[0]
    assert (form["Action"], form["RoleArn"], form["RoleSessionName"]) == ("AssumeRole", role, "s1")
    assert f"Credential={ACCESS}/" in authorization  # STS itself was called with the source keys
    assert scope(server) == (ASSUMED_KEY, "us-east-1")
    assert server.requests[-1].headers["x-amz-security-token"] == ASSUMED_TOKEN

"""The secret canary for Bedrock: the AWS secret key and session token leave no trace anywhere.

Same probe as ``test_secret_canary`` (exception chains and tracebacks, loguru records at TRACE,
stdout/stderr, responses and their hidden params, request reprs, cache keys and entries), on a
loopback Bedrock that echoes the session token and the Authorization header it receives in
error messages, error bodies, headers, stream exception frames and broken bodies. The secret
key never travels (SigV4 signs with it), so any trace of it is llmport's own leak.
"""

from __future__ import annotations

import itertools
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import llmport
from llmport.adapters.transport.aiohttp_transport import AiohttpTransport
from llmport.testing import FakeClock, MemoryCache, StaticCredentials
from llmport.testing.eventstream import event_frame, event_stream, exception_frame
from llmport.testing.loopback import QuietHandler

from .canary_server import EchoingProvider
from .test_secret_canary import MODES, Probe, RecordingCache, Seen, log_records, run, seen

__all__ = ["log_records", "seen"]  # fixtures used here, defined with the shared probe

SECRET = "Zq7uAwsSecretQm9Wv2Rt8XyK4LpBn"
TOKEN = "FwoGZXIvYXdzCanaryToken9Qm2Vx7Kp4Lz"
ACCESS = "AKIDCANARY0123456789"


class _Handler(QuietHandler):
    server: Any

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        echo = f"{self.headers.get('x-amz-security-token')} {self.headers.get('authorization')}"
        model = self.path.split("/model/", 1)[-1].split("/", 1)[0]
        if model.startswith("e") and model[1:].isdigit():
            body = {
                "message": f"The security token included in the request is invalid: {echo}",
                "token": echo,
            }
            self._send(int(model[1:]), json.dumps(body).encode(), "application/json", "ExpiredTokenException")
        elif model == "not-json":
            self._send(200, f"<html>upstream error for {echo}</html>".encode(), "text/html")
        elif model == "stall":
            self.server.owner.stopping.wait(10)
            self.close_connection = True
        elif self.path.endswith("/converse-stream"):
            self._stream(model, echo)
        else:
            answer = {
                "output": {"message": {"role": "assistant", "content": [{"text": "hello"}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
            }
            self._send(200, json.dumps(answer).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str, code: str | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.send_header("x-amzn-RequestId", "rid-echo")
        self.send_header("set-cookie", f"session={self.headers.get('x-amz-security-token')}")
        if code is not None:
            self.send_header("x-amzn-ErrorType", f"{code}:http://internal.amazon.com/coral/")
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, model: str, echo: str) -> None:
        frames = [
            event_frame("messageStart", {"role": "assistant"}),
            event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "hel"}}),
            event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "lo"}}),
        ]
        if model == "stream-exception":
            frames.append(exception_frame("validationException", f"bad token {echo}"))
        elif model == "bad-event":
            frames.append(event_frame("contentBlockDelta", f"{{not json {echo}".encode()))
        else:
            frames += [
                event_frame("messageStop", {"stopReason": "end_turn"}),
                event_frame("metadata", {"usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}}),
            ]
        body = event_stream(frames)
        self.send_response(200)
        self.send_header("content-type", "application/vnd.amazon.eventstream")
        self.send_header("content-length", str(len(body)))
        self.send_header("set-cookie", f"session={self.headers.get('x-amz-security-token')}")
        self.end_headers()
        self.wfile.write(body)


class EchoingBedrock(EchoingProvider):
    """A Bedrock runtime that echoes the session token and Authorization header back."""

    handler = _Handler
    thread_name = "llmport-echo-bedrock"


def make_client(mode: str, cache: MemoryCache, credentials: StaticCredentials) -> llmport.Client:
    """The shared canary client (TRACE logs, fake clock, one retry), with the given credentials."""
    transport = AiohttpTransport(ssl_verify=False) if mode == "async-aiohttp" else None
    return llmport.Client(
        log_level="TRACE", clock=FakeClock(), num_retries=1, credentials=credentials, transport=transport,
        cache=cache,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def canary_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A shared-credentials profile ``canary`` holding the canary keys, read by botocore only."""
    shared = tmp_path / "credentials"
    profile = f"aws_access_key_id = {ACCESS}\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n"
    shared.write_text("[canary]\n" + profile)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(shared))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))


@pytest.fixture
def provider() -> Iterator[EchoingBedrock]:
    with EchoingBedrock() as server:
        yield server


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Scenario:
    name: str
    model: str = "ok"
    extra: dict[str, Any] = field(default_factory=dict)
    refused: bool = False
    fails: bool = True


SCENARIOS = [
    Scenario("e403", "e403"),
    Scenario("e400", "e400"),
    Scenario("e429", "e429"),
    Scenario("e500", "e500"),
    Scenario("timeout", "stall", extra={"timeout": 0.3, "num_retries": 0}),
    Scenario("not-json", "not-json"),
    Scenario("stream-exception", "stream-exception", extra={"stream": True}),
    Scenario("bad-stream-event", "bad-event", extra={"stream": True}),
    Scenario("refused", refused=True),
    Scenario("bad-timeout", extra={"timeout": "x"}),
    Scenario("success", extra={"caching": True}, fails=False),
    Scenario("success-stream", extra={"stream": True}, fails=False),
]
# Credentials as keywords, from the environment through the credentials port, or from a profile
# that botocore reads (then llmport learns the secrets only from the auth, per attempt).
SOURCES = ("kwargs", "env", "profile")


ROUTES = list(itertools.product(MODES, SOURCES))


@pytest.mark.parametrize(("mode", "source"), ROUTES, ids=[f"{mode}-{source}" for mode, source in ROUTES])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_the_aws_secret_key_and_session_token_appear_nowhere(
    scenario: Scenario, mode: str, source: str, provider: EchoingBedrock, seen: Seen
) -> None:
    probe = Probe()
    cache = RecordingCache()
    keys = {"aws_access_key_id": ACCESS, "aws_secret_access_key": SECRET, "aws_session_token": TOKEN}
    env = {"AWS_ACCESS_KEY_ID": ACCESS, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN}
    client = make_client(mode, cache, StaticCredentials(env if source == "env" else {}))
    if source == "env":
        keys = {}
    elif source == "profile":
        keys = {"aws_profile_name": "canary"}
    base = f"http://127.0.0.1:{closed_port()}" if scenario.refused else provider.root_url
    kwargs = {"api_base": base, "aws_region_name": "us-east-1", **keys, **scenario.extra}
    probe.add("repr(client)", client)
    run(client, mode, f"bedrock/{scenario.model}", kwargs, probe)
    failed = any(where == "traceback" for where, _ in probe.texts)
    assert failed == scenario.fails, probe.texts[-3:]
    seen.collect(probe, cache)
    assert probe.leaks((SECRET, TOKEN)) == []


def test_the_echo_really_carries_the_token(provider: EchoingBedrock) -> None:
    # The canary proves nothing if the token never comes back: the raw answer carries it.
    import httpx

    url = f"{provider.root_url}/model/e403/converse"
    answer = httpx.post(
        url, json={}, headers={"x-amz-security-token": TOKEN, "authorization": "AWS4-HMAC-SHA256 x"}
    )
    assert answer.status_code == 403
    assert TOKEN in answer.text
    assert TOKEN in answer.headers["set-cookie"]

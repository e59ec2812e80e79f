"""SigV4 for Bedrock: our signature equals botocore's own client's for the same request and clock."""

from __future__ import annotations

import datetime
from typing import Any

import botocore.auth
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.credentials import Credentials

from llmport.adapters.providers.bedrock.aws import arn_region, endpoint_region, sign
from llmport.testing import HttpRequest

ACCESS = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
FIXED = datetime.datetime(2026, 12, 5, 23, 50, 0)


class _Raw:
    def stream(self, **kwargs: Any) -> Any:
        return iter([b"{}"])


def _botocore_request(token: str | None, region: str, model_id: str, **params: Any) -> Any:
    """What boto's own bedrock-runtime client sends for ``converse`` (captured before sending)."""
    session = botocore.session.Session()
    client = session.create_client(
        "bedrock-runtime", region_name=region, aws_access_key_id=ACCESS, aws_secret_access_key=SECRET,
        aws_session_token=token,
    )  # fmt: skip
    captured: list[Any] = []

    def before_send(request: Any, **kwargs: Any) -> AWSResponse:
        captured.append(request)
        return AWSResponse(request.url, 200, {}, _Raw())

    client.meta.events.register("before-send.bedrock-runtime.Converse", before_send)
    client.converse(modelId=model_id, messages=[{"role": "user", "content": [{"text": "hi"}]}], **params)
    return captured[0]


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *args, **kwargs: FIXED)


@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"])
@pytest.mark.parametrize(
    ("region", "model_id"),
    [
        ("us-east-1", "anthropic.claude-3-haiku-20240307-v1:0"),
        (
            "eu-west-1",
            "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0",
        ),
    ],
)
def test_signature_matches_botocores_client(token: str | None, region: str, model_id: str) -> None:
    theirs = _botocore_request(token, region, model_id, inferenceConfig={"maxTokens": 10})
    headers = {"content-type": "application/json", "user-agent": "llmport/0.1", "accept": "application/json"}
    ours = sign(
        HttpRequest("POST", theirs.url, headers, body=theirs.body),
        Credentials(ACCESS, SECRET, token).get_frozen_credentials(),
        region,
    )  # fmt: skip
    want = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in theirs.headers.items()}
    assert ours.headers["authorization"] == want["authorization"]
    assert ours.headers["x-amz-date"] == want["x-amz-date"] == "20261205T235000Z"
    assert ours.headers.get("x-amz-security-token") == want.get("x-amz-security-token")
    assert ours.body == theirs.body
    assert ours.headers["user-agent"] == "llmport/0.1"  # unsigned headers still travel


def test_a_retry_is_signed_again_with_the_new_time(monkeypatch: pytest.MonkeyPatch) -> None:
    request = HttpRequest(
        "POST",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse",
        {"content-type": "application/json"},
        b"{}",
    )
    credentials = Credentials(ACCESS, SECRET).get_frozen_credentials()
    first = sign(request, credentials, "us-east-1")
    monkeypatch.setattr(
        botocore.auth, "get_current_datetime", lambda *a, **k: FIXED + datetime.timedelta(seconds=30)
    )
    second = sign(first, credentials, "us-east-1")
    assert second.headers["x-amz-date"] == "20261205T235030Z"
    assert second.headers["authorization"] != first.headers["authorization"]
    assert second.headers["authorization"].count("Signature=") == 1


def test_region_of_arns_and_endpoints() -> None:
    assert (
        arn_region("arn:aws:bedrock:ap-south-1:123:inference-profile/apac.amazon.nova-lite-v1:0")
        == "ap-south-1"
    )
    assert arn_region("converse/arn:aws-us-gov:bedrock:us-gov-west-1:1:foundation-model/x") == "us-gov-west-1"
    assert arn_region("us.anthropic.claude-3-haiku-20240307-v1:0") is None
    assert endpoint_region("https://bedrock-runtime.eu-central-1.amazonaws.com") == "eu-central-1"
    assert endpoint_region("https://bedrock-runtime-fips.us-east-1.amazonaws.com/model/x") == "us-east-1"
    assert endpoint_region("https://vpce-123.bedrock-runtime.us-east-1.vpce.amazonaws.com") is None

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmport.domain.models.redaction import (
    _ANY_PATTERN,
    _PATTERNS,
    REDACTED,
    redact,
    redact_headers,
    redact_value,
    url_secrets,
)


@pytest.mark.parametrize(
    "text",
    [
        "Incorrect API key provided: sk-proj-abcdefghijklmnop",
        "Authorization: Bearer abcdefghijklmnopqrstuvwxyz",
        "https://generativelanguage.googleapis.com/v1/models/x:generate?key=AIzaSyA-secret_value",
        "https://user:hunter2pass@proxy.local:8080",
        "AKIAIOSFODNN7EXAMPLE is an AWS key id",
    ],
)
def test_key_shapes_are_scrubbed(text: str) -> None:
    scrubbed = redact(text)
    assert REDACTED in scrubbed
    for secret in ("abcdefghijklmnop", "AIzaSyA-secret_value", "hunter2pass", "AKIAIOSFODNN7EXAMPLE"):
        assert secret not in scrubbed


def test_exact_secrets_are_scrubbed_whatever_their_shape() -> None:
    assert redact("the key was plainsecret42!", ["plainsecret42!"]) == f"the key was {REDACTED}"


def test_secret_headers_are_masked() -> None:
    headers = redact_headers({"Authorization": "Bearer x", "api-key": "k", "x-request-id": "req_1"})
    assert headers == {"Authorization": REDACTED, "api-key": REDACTED, "x-request-id": "req_1"}


def test_nested_values_are_scrubbed_with_their_shape_kept() -> None:
    class Holder:
        def __repr__(self) -> str:
            return "Holder(sk-inside-an-object-123456)"

    value = {"sk-key-as-a-name-12345": ["Bearer abcdefghijklmnop", ("plain", 3, None, True)], "o": Holder()}
    scrubbed = redact_value(value, ["plain"])
    assert scrubbed == {
        REDACTED: [f"Bearer {REDACTED}", (REDACTED, 3, None, True)],
        "o": f"Holder({REDACTED})",
    }


@pytest.mark.parametrize(
    "text",
    [
        "Incorrect API key provided: sk-abcd1****************************wxyz.",
        "key Zq7uOpaq********************XyK4 rejected",
        "token ****************ZyX9Lm",
    ],
)
def test_keys_masked_by_the_provider_are_scrubbed_whole(text: str) -> None:
    # The visible ends of a masked key are still part of the key.
    scrubbed = redact(text)
    assert "*" not in scrubbed
    assert not any(end in scrubbed for end in ("sk-abcd1", "wxyz", "Zq7uOpaq", "XyK4", "ZyX9Lm"))


def test_url_secrets_are_the_credentials_and_key_like_query_values() -> None:
    assert url_secrets("https://host/v1/m:generate?alt=sse&key=AIza-secret&x=1") == ("AIza-secret",)
    password, basic = url_secrets("http://me:p%40ss-word@127.0.0.1:8080/v1")[-2:]
    assert password == "p@ss-word"
    assert basic == base64.b64encode(b"me:p@ss-word").decode()
    assert url_secrets("https://tok3n-as-user@host/v1")[0] == "tok3n-as-user"
    assert url_secrets("http://127.0.0.1:8080/v1") == ()
    assert url_secrets(None) == ()


@given(st.text(alphabet=st.sampled_from(list("sk-pABIAZaz09*:/@?&=._ \tBearerkeyKEYtoken")), max_size=80))
def test_the_combined_prefilter_misses_nothing_a_single_pattern_finds(text: str) -> None:
    # redact() skips the per-pattern passes when the combined search finds nothing: sound only
    # if every single pattern's match is also a match of the alternation.
    if _ANY_PATTERN.search(text) is None:
        assert all(pattern.search(text) is None for pattern in _PATTERNS)

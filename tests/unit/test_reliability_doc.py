"""docs/reliability.md cannot drift from the code: its tables and numbers are checked against it.

The exception tables are parsed from the page and every row is run through ``classify`` and the
retry policy; every status and code the code knows must have a row. The retry and timeout
figures the page states are formatted from the constants they describe.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from llmport.adapters.providers.anthropic.errors import anthropic_error_fields
from llmport.domain.dispatch.retry import INITIAL_DELAY, MAX_DELAY, MAX_RETRY_AFTER, RetryPolicy, is_retryable
from llmport.domain.dispatch.settings import DEFAULT_NUM_RETRIES
from llmport.domain.models import errors
from llmport.domain.models.errors import APIError, classify
from llmport.domain.models.request import TimeoutConfig

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = (DOCS / "reliability.md").read_text()
# Statuses the tables' "any other" rows stand for: none of them has a row of its own.
OTHER = {"any other 4xx": (402, 418, 451), "any other 5xx": (501, 507, 599)}


def section(title: str) -> str:
    start = PAGE.index(f"\n{title}\n")
    following = re.search(r"\n#{2,3} ", PAGE[start + len(title) + 2 :])
    return PAGE[start : start + len(title) + 2 + following.start()] if following else PAGE[start:]


def table(title: str) -> list[list[str]]:
    """The body rows of the first table under ``title``, cells stripped."""
    rows = [line for line in section(title).splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def names(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


STATUS_ROWS = table("### By HTTP status")
CODE_ROWS = table("### By provider error code or type")


def statuses(cell: str) -> tuple[int, ...]:
    return OTHER.get(cell) or tuple(int(part) for part in cell.split(","))


@pytest.mark.parametrize(("cell", "exception", "retried"), STATUS_ROWS, ids=[row[0] for row in STATUS_ROWS])
def test_each_status_row_is_what_classify_and_the_retry_policy_do(
    cell: str, exception: str, retried: str
) -> None:
    for status in statuses(cell):
        cls = classify(status)
        assert f"`{cls.__name__}`" == exception, status
        assert is_retryable(cls("x", status_code=status)) == (retried == "yes"), status


def test_every_status_the_code_knows_has_a_row() -> None:
    documented = {status for cell, _, _ in STATUS_ROWS if cell not in OTHER for status in statuses(cell)}
    assert documented == set(errors._BY_STATUS)


@pytest.mark.parametrize(("cell", "exception"), CODE_ROWS, ids=[row[0][:30] for row in CODE_ROWS])
def test_each_code_row_is_what_classify_does(cell: str, exception: str) -> None:
    codes = names(cell) or ["no-such-code-anywhere"]  # "anything else"
    for code in codes:
        assert f"`{classify(None, code).__name__}`" == exception, code
        assert f"`{classify(None, None, code).__name__}`" == exception, code


def test_every_code_the_code_knows_has_a_row() -> None:
    documented = {code.lower() for cell, _ in CODE_ROWS for code in names(cell)}
    assert documented == set(errors._BY_CODE)


def test_a_code_refines_a_status_only_within_its_family() -> None:
    # The page's example: a 401 whose type is invalid_request_error stays an AuthenticationError.
    assert classify(401, None, "invalid_request_error").__name__ == "AuthenticationError"
    assert classify(400, "context_length_exceeded").__name__ == "ContextWindowExceededError"


def test_anthropic_over_long_prompts_are_context_window_errors() -> None:
    for message in ("prompt is too long: 210000 tokens > 200000 maximum", "exceeds the context window"):
        fields = anthropic_error_fields({"error": {"type": "invalid_request_error", "message": message}})
        assert fields is not None
        assert classify(400, fields.code, fields.type).__name__ == "ContextWindowExceededError"


def test_the_retry_figures_are_the_policy_s() -> None:
    retries = section("## Retries")
    assert "HTTP **408, 409, 429** and every **5xx**" in retries
    assert all(is_retryable(APIError("x", status_code=s)) for s in (408, 409, 429, 500, 529))
    assert f"**{INITIAL_DELAY:g} s** before the first retry" in retries
    assert f"up to **{MAX_DELAY:g} s**" in retries
    assert f"at most **{MAX_RETRY_AFTER:g} s**" in retries
    assert f"**{DEFAULT_NUM_RETRIES} by default**" in retries
    # "up to 25 %" of jitter, "doubling": the largest jitter takes a quarter off each step.
    policy = RetryPolicy(10, jitter=lambda: 1.0)
    error = APIError("x", status_code=500)
    assert [policy.delay(n, error) for n in (1, 2, 3)] == [INITIAL_DELAY * 0.75 * 2**k for k in range(3)]
    assert "up to 25 %" in retries


def test_the_timeout_figures_are_the_defaults() -> None:
    defaults = TimeoutConfig()
    assert f"Default: **{defaults.read:g} s**, with **{defaults.connect:g} s** to connect" in section(
        "## Timeouts"
    )


def test_the_page_is_linked_from_the_index() -> None:
    assert "(reliability.md)" in (DOCS / "index.md").read_text()

import pickle

import pytest

import llmport
from llmport.domain.models.errors import classify


@pytest.mark.parametrize(
    ("status", "code", "type_", "expected"),
    [
        (400, None, "invalid_request_error", llmport.BadRequestError),
        (400, "context_length_exceeded", "invalid_request_error", llmport.ContextWindowExceededError),
        (400, "content_policy_violation", None, llmport.ContentPolicyViolationError),
        (401, "invalid_api_key", "invalid_request_error", llmport.AuthenticationError),
        (401, None, "invalid_request_error", llmport.AuthenticationError),
        (403, None, None, llmport.PermissionDeniedError),
        (404, "model_not_found", None, llmport.NotFoundError),
        (408, None, None, llmport.Timeout),
        (409, None, None, llmport.ConflictError),
        (422, None, None, llmport.UnprocessableEntityError),
        (429, "insufficient_quota", "insufficient_quota", llmport.RateLimitError),
        (500, None, "server_error", llmport.InternalServerError),
        (502, None, None, llmport.BadGatewayError),
        (503, None, None, llmport.ServiceUnavailableError),
        (529, None, "overloaded_error", llmport.ServiceUnavailableError),
        (599, None, None, llmport.InternalServerError),
        (418, None, None, llmport.BadRequestError),
        (None, None, "server_error", llmport.InternalServerError),
        (None, "rate_limit_exceeded", None, llmport.RateLimitError),
        (None, None, None, llmport.APIError),
    ],
)
def test_status_decides_and_structured_codes_refine(
    status: int | None, code: str | None, type_: str | None, expected: type[llmport.APIError]
) -> None:
    assert classify(status, code, type_) is expected


def test_tree_mirrors_openai_python() -> None:
    assert issubclass(llmport.Timeout, llmport.APIConnectionError)
    assert issubclass(llmport.APIConnectionError, llmport.APIError)
    assert issubclass(llmport.ContextWindowExceededError, llmport.BadRequestError)
    assert issubclass(llmport.UnsupportedParamsError, llmport.BadRequestError)
    assert issubclass(llmport.BadRequestError, ValueError)
    assert issubclass(llmport.RateLimitError, llmport.APIStatusError)
    assert llmport.APITimeoutError is llmport.Timeout
    assert issubclass(llmport.APIError, llmport.LLMPortError)


def test_errors_carry_fields_and_pickle() -> None:
    error = llmport.RateLimitError(
        "slow down", "openai", "gpt-4o", request_id="req_9", retry_after=2.0, code="x"
    )
    assert (error.status_code, error.llm_provider, error.model, error.retry_after) == (
        429,
        "openai",
        "gpt-4o",
        2.0,
    )
    assert "slow down" in str(error)
    assert "req_9" in str(error)
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is llmport.RateLimitError
    assert (clone.request_id, clone.code, clone.status_code) == ("req_9", "x", 429)

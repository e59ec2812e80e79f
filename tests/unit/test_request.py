from typing import Any

import pytest
from pydantic import BaseModel

import llmport
from llmport.domain.models.request import TimeoutConfig, build_request, reject_not_implemented

USER = [{"role": "user", "content": "hi"}]


def test_kwargs_are_sorted_into_body_client_side_and_extras() -> None:
    request = build_request(
        "gpt-4o",
        USER,
        {
            "temperature": 0.2,
            "top_k": 3,
            "api_key": "sk-x",
            "timeout": 30,
            "metadata": {"a": 1},
            "user": None,
        },
    )
    assert request.params == {"temperature": 0.2, "top_k": 3}
    assert request.options.api_key is not None
    assert request.options.api_key.get_secret_value() == "sk-x"
    assert request.options.timeout == TimeoutConfig(30, 30, 30, 30)
    assert "sk-x" not in repr(request)


@pytest.mark.parametrize(
    "name", ["model_list", "stream_timeout", "input_cost_per_token", "output_cost_per_token"]
)
def test_litellm_params_not_implemented_yet_say_so(name: str) -> None:
    request = build_request("gpt-4o", USER, {name: ["x"]})
    assert name not in request.params
    with pytest.raises(llmport.UnsupportedParamsError, match="not implemented in llmport yet"):
        reject_not_implemented(request)


def test_empty_messages_are_rejected() -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        build_request("gpt-4o", [], {})
    assert caught.value.param == "messages"


@pytest.mark.parametrize(
    ("model", "kwargs", "param"),
    [
        ("", {}, "model"),
        (None, {}, "model"),
        ("gpt-4o", {"n": 0}, "n"),
        ("gpt-4o", {"stream": "yes"}, "stream"),
        ("gpt-4o", {"tools": [{"function": {"x": object()}}]}, "tools[0]"),
        ("gpt-4o", {"tools": {"not": "a list"}}, "tools"),
        ("gpt-4o", {"timeout": "soon"}, "timeout"),
        ("gpt-4o", {"timeout": -1}, "timeout"),
        ("gpt-4o", {"num_retries": -1}, "num_retries"),
        ("gpt-4o", {"response_format": "json"}, "response_format"),
    ],
)
def test_bad_input_names_the_field(model: Any, kwargs: dict[str, Any], param: str) -> None:
    with pytest.raises(llmport.BadRequestError) as caught:
        build_request(model, USER, kwargs)
    assert caught.value.param == param


def test_httpx_timeout_objects_are_accepted() -> None:
    import httpx

    config = TimeoutConfig.parse(httpx.Timeout(10.0, connect=2.0))
    assert config == TimeoutConfig(connect=2.0, read=10.0, write=10.0, pool=10.0)


class Person(BaseModel):
    name: str
    age: int | None = None
    default: str = "field named default"


def test_pydantic_response_format_becomes_strict_json_schema() -> None:
    request = build_request("gpt-4o", USER, {"response_format": Person})
    schema = request.params["response_format"]
    assert schema["type"] == "json_schema"
    assert schema["json_schema"]["name"] == "Person"
    assert schema["json_schema"]["strict"] is True
    body = schema["json_schema"]["schema"]
    assert body["additionalProperties"] is False
    assert body["required"] == ["name", "age", "default"]
    assert "default" in body["properties"]
    assert "default" not in body["properties"]["age"]
    assert request.options.response_model is Person

"""The JSON Schema → Gemini OpenAPI-subset translator, against the schemas llm-gemini recorded.

The pydantic models below are those of llm-gemini's tests (their schemas are in the recorded
requests of ``tests/contract/fixtures/gemini/sw_*``); pydantic's JSON Schema for them has
``$defs``/``$ref`` and ``anyOf`` with ``null``, which Gemini's subset has not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field

from llmport.adapters.providers.gemini.schema import RecursiveSchema, to_openapi

FIXTURES = Path(__file__).parents[1] / "contract" / "fixtures" / "gemini"


class Dog(BaseModel):
    name: str
    age: int
    bio: str


class Dogs(BaseModel):
    dogs: list[Dog]


class Address(BaseModel):
    street: str
    city: str


class Person(BaseModel):
    name: str
    address: Address


class Company(BaseModel):
    company_name: str


class Employee(BaseModel):
    name: str
    employer: Company | None


class Item(BaseModel):
    product_name: str
    quantity: int


class Order(BaseModel):
    items: list[Item]


class Customer(BaseModel):
    name: str
    orders: list[Order]


class FullAddress(BaseModel):
    model_config = ConfigDict(title="Address")  # llm-gemini's model is named Address

    street: str
    city: str
    zipcode: str


class PersonInput(BaseModel):
    """Input for creating a person with address"""

    name: str
    age: int
    address: FullAddress = Field(description="Address information")


def _recorded(name: str, tool: bool = False) -> dict[str, Any]:
    body = json.loads((FIXTURES / f"{name}.json").read_text())["request"]["body"]
    if tool:
        return body["tools"][0]["functionDeclarations"][0]["parameters"]
    return body["generationConfig"]["response_schema"]


@pytest.mark.parametrize(
    ("model", "fixture"),
    [
        (Dog, "sw_prompt_with_pydantic_schema"),
        (Dogs, "sw_prompt_with_multiple_dogs"),
        (Person, "sw_nested_model_direct_reference"),
        (Customer, "sw_nested_model_deep_composition"),
    ],
)
def test_pydantic_schemas_translate_to_what_was_recorded(model: type[BaseModel], fixture: str) -> None:
    assert "$defs" in model.model_json_schema() or model is Dog
    assert to_openapi(model.model_json_schema()) == _recorded(fixture)


def test_a_ref_with_a_description_keeps_the_description() -> None:
    translated = to_openapi(PersonInput.model_json_schema())
    recorded = _recorded("sw_tools_with_nested_pydantic_models_0", tool=True)
    # The recording kept the root description (a tool's parameters); so does the translator.
    assert translated == recorded


def test_a_null_union_becomes_nullable() -> None:
    translated = to_openapi(Employee.model_json_schema())
    recorded = _recorded("sw_nested_model_optional")
    employer = translated["properties"]["employer"]
    assert employer["nullable"] is True
    assert "anyOf" not in employer
    # The recording sent the anyOf-with-null form (Gemini took it); the member's fields are the same.
    member = recorded["properties"]["employer"]["anyOf"][0]
    assert {k: v for k, v in employer.items() if k != "nullable"} == member


def test_rejected_keywords_are_dropped_and_const_becomes_enum() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "strict": True,
        "properties": {
            "kind": {"const": "a", "examples": ["a"]},
            "tags": {"type": ["array", "null"], "items": {"type": "string"}, "propertyNames": {}},
        },
    }
    assert to_openapi(schema) == {
        "type": "object",
        "properties": {
            "kind": {"enum": ["a"]},
            "tags": {"type": "array", "nullable": True, "items": {"type": "string"}},
        },
    }


def test_a_recursive_schema_cannot_be_inlined() -> None:
    schema = {
        "$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}},
        "$ref": "#/$defs/Node",
    }
    with pytest.raises(RecursiveSchema):
        to_openapi(schema)


def test_properties_without_a_type_get_object() -> None:
    assert to_openapi({"properties": {"a": {"type": "string"}}}) == {
        "properties": {"a": {"type": "string"}},
        "type": "object",
    }

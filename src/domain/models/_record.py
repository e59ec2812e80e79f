"""The base of every response object: pydantic fields with litellm's dict-style access.

litellm users index responses like dicts (``resp["choices"][0]["message"]["content"]``) and
call ``.get()``; OpenAI SDK users use attributes. A ``Record`` supports both, keeps unknown
provider fields (``extra="allow"``) and dumps to plain JSON-ready dicts.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import SchemaValidator


class Record(BaseModel):
    """A pydantic model that also behaves like a read/write mapping of its fields."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def get(self, key: str, default: Any = None) -> Any:
        """Return the field ``key``, or ``default`` when it is missing or None (like ``dict.get``)."""
        value = getattr(self, key, None)
        return default if value is None else value

    def json(self, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        """Return the object as a dict, as litellm's ``ModelResponse.json()`` does.

        Pydantic's own ``json()`` is deprecated; litellm code calls this one and expects a dict.
        """
        return self.model_dump(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (OpenAI SDK spelling)."""
        return self.model_dump(mode="json")

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return the object as a JSON string (OpenAI SDK spelling)."""
        return self.model_dump_json(indent=indent)


class Envelope(Record):
    """A top-level response object: ``null`` from a provider means "use the default".

    Compatible servers send ``"id": null``, ``"created": null`` or ``"usage": null`` where
    OpenAI sends values; dropping those keys lets the field defaults apply.
    """

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in _DEFAULTED:  # a plain loop: this runs for every streamed chunk
                if name in data and data[name] is None:
                    return {k: v for k, v in data.items() if not (v is None and k in _DEFAULTED)}
        return data


_DEFAULTED = ("id", "created", "model", "object", "choices", "usage")


def plain_validator(model: type[BaseModel], *validators: object) -> SchemaValidator:
    """Return a validator of ``model`` without the given before-validators (Python calls).

    Used on payloads those validators would leave as they are, so that pydantic can validate
    straight from JSON text; a payload they would have changed must fail the plain validator
    (the field types reject the nulls they replace) and be validated the usual way.
    """
    schema = _without_validators(model.__pydantic_core_schema__, {_function(v) for v in validators})
    try:
        # By default pydantic-core reuses each model's own validator for the model's node.
        return SchemaValidator(schema, _use_prebuilt=False)
    except TypeError:  # an older pydantic-core: the models' own validators, slower but as exact
        return SchemaValidator(schema)


def _without_validators(schema: Any, functions: set[object]) -> Any:
    """Copy a core schema, leaving out the ``function-before`` nodes that call ``functions``."""
    if isinstance(schema, list):
        return [_without_validators(item, functions) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "function-before" and _function(schema["function"]["function"]) in functions:
        return _without_validators(schema["schema"], functions)
    return {key: _without_validators(value, functions) for key, value in schema.items()}


def _function(method: object) -> object:
    """Return the plain function behind a (class) method: each access binds a new method object."""
    return getattr(method, "__func__", method)

"""JSON Schema → the OpenAPI subset Gemini takes in ``parameters`` and ``responseSchema``.

Gemini answers ``400 INVALID_ARGUMENT`` ("Unknown name ...") to keywords outside its ``Schema``
message, and it has no ``$ref``. The translation is the one the Google SDK and litellm make
before sending: references are inlined (sibling keys such as ``description`` win over the
definition's), ``anyOf``/``type`` unions with ``null`` become ``nullable: true``, ``const``
becomes a one-value ``enum``, and every keyword Gemini does not know is dropped. A recursive
schema cannot be inlined: ``RecursiveSchema`` tells the caller to send it as JSON Schema
(``parametersJsonSchema`` / ``responseJsonSchema``) instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The keywords of Gemini's Schema message (google.genai.types.Schema), minus the ones AI Studio
# refuses in practice (additionalProperties, $defs, $ref: wire notes §2).
_KEPT = frozenset(
    {
        "type", "format", "description", "nullable", "enum", "items", "properties", "required",
        "propertyOrdering", "anyOf", "minItems", "maxItems", "minLength", "maxLength", "minimum",
        "maximum", "minProperties", "maxProperties", "pattern", "title", "example", "default",
    }
)  # fmt: skip
_MAX_DEPTH = 64


class RecursiveSchema(ValueError):
    """The schema refers to itself (or nests deeper than Gemini allows): it cannot be inlined."""


def to_openapi(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Translate a JSON Schema into Gemini's OpenAPI subset.

    The root's ``title`` is dropped (it names the schema, it constrains nothing).

    Raises:
        RecursiveSchema: for a schema with a reference cycle.
    """
    definitions = {**_mapping(schema.get("definitions")), **_mapping(schema.get("$defs"))}
    translated = _Translator(definitions).node(schema, ())
    translated.pop("title", None)
    return translated


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


class _Translator:
    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self._definitions = definitions

    def node(self, schema: Mapping[str, Any], seen: tuple[str, ...]) -> dict[str, Any]:
        if len(seen) > _MAX_DEPTH:
            raise RecursiveSchema("the schema nests too deeply to inline")
        schema, seen = self._resolved(schema, seen)
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "properties" and isinstance(value, Mapping):
                out[key] = {name: self.node(_mapping(sub), seen) for name, sub in value.items()}
            elif key == "items" and isinstance(value, Mapping):
                out[key] = self.node(value, seen)
            elif key == "const":
                out["enum"] = [value]
            elif key in _KEPT and key not in ("anyOf", "type"):
                out[key] = value
        self._type(schema, out)
        self._union(schema.get("anyOf") or schema.get("oneOf"), seen, out)
        if "properties" in out and "type" not in out and "anyOf" not in out:
            out["type"] = "object"
        return out

    def _resolved(
        self, schema: Mapping[str, Any], seen: tuple[str, ...]
    ) -> tuple[Mapping[str, Any], tuple[str, ...]]:
        while isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in seen:
                raise RecursiveSchema(f"the schema refers to itself through {ref}")
            target = self._definitions.get(ref.rsplit("/", 1)[-1])
            if not isinstance(target, Mapping):
                raise RecursiveSchema(f"the schema refers to {ref}, which it does not define")
            siblings = {key: value for key, value in schema.items() if key != "$ref"}
            schema, seen = {**target, **siblings}, (*seen, ref)
        return schema, seen

    @staticmethod
    def _type(schema: Mapping[str, Any], out: dict[str, Any]) -> None:
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            if len(kinds) < len(kind):
                out["nullable"] = True
            if len(kinds) == 1:
                out["type"] = kinds[0]
            elif kinds:
                out["anyOf"] = [{"type": k} for k in kinds]
        elif kind == "null":
            out["nullable"] = True
        elif isinstance(kind, str):
            out["type"] = kind

    def _union(self, members: object, seen: tuple[str, ...], out: dict[str, Any]) -> None:
        if not isinstance(members, list):
            return
        kept = [self.node(_mapping(m), seen) for m in members if _mapping(m).get("type") != "null"]
        if len(kept) < len(members):
            out["nullable"] = True
        if len(kept) == 1:
            for key, value in kept[0].items():
                out.setdefault(key, value)  # the outer description/title win over the member's
        elif kept:
            out["anyOf"] = kept


def strip_for_json_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return the schema as Gemini's ``*JsonSchema`` fields take it (OpenAI's ``strict`` removed)."""
    return {key: value for key, value in schema.items() if key not in ("strict", "$schema")}

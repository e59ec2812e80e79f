"""The typed call signature lists exactly the keywords of ``CompletionParams`` (no drift)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from llmport.domain.models import call_signature
from llmport.domain.models.params import CompletionParams


def _overloads(protocol: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(Path(call_signature.__file__).read_text())
    (cls,) = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == protocol]
    return [node for node in cls.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


@pytest.mark.parametrize("protocol", ["CompletionCall", "ACompletionCall"])
def test_every_overload_names_every_typed_keyword_and_takes_extras(protocol: str) -> None:
    overloads = _overloads(protocol)
    assert len(overloads) == 4
    expected = set(CompletionParams.__annotations__) | {"stream"}
    for overload in overloads:
        assert {arg.arg for arg in overload.args.kwonlyargs} == expected
        assert overload.args.kwarg is not None
        assert overload.args.kwarg.arg == "provider_params"


def test_the_committed_signature_is_what_the_generator_writes() -> None:
    generator = Path(__file__).resolve().parents[1] / "typing" / "generate_call_signature.py"
    spec = importlib.util.spec_from_file_location("generate_call_signature", generator)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert Path(call_signature.__file__).read_text() == module.render(), "run `make signature`"


def test_a_response_format_class_types_parsed_and_others_do_not() -> None:
    returns = [ast.unparse(node.returns) for node in _overloads("CompletionCall") if node.returns is not None]
    assert returns == [
        "CompletionStream",
        "ModelResponse[ParsedModelT | None]",
        "ModelResponse",
        "ModelResponse | CompletionStream",
    ]

"""The typed call signature lists exactly the keywords of ``CompletionParams`` (no drift)."""

from __future__ import annotations

import ast
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
    assert len(overloads) == 3
    expected = set(CompletionParams.__annotations__) | {"stream"}
    for overload in overloads:
        assert {arg.arg for arg in overload.args.kwonlyargs} == expected
        assert overload.args.kwarg is not None
        assert overload.args.kwarg.arg == "provider_params"

"""The public names: ``llmport.exceptions``, ``llmport.types`` and a ``dir(llmport)`` of public names only."""

import re
import subprocess
import sys
import types

import pytest

import llmport


def test_llmport_exceptions_holds_every_exception_the_package_exports() -> None:
    import llmport.exceptions

    exported = {
        name
        for name in llmport.__all__
        if isinstance(getattr(llmport, name), type) and issubclass(getattr(llmport, name), BaseException)
    }
    assert exported == set(llmport.exceptions.__all__)
    for name in exported:
        assert getattr(llmport.exceptions, name) is getattr(llmport, name)


def test_llmport_types_is_not_the_stdlib_module() -> None:
    assert llmport.types is not types
    assert llmport.types.ModelResponse is llmport.ModelResponse
    for name in ("ModelResponse", "ModelResponseStream", "Message", "Usage", "Delta", "Choices"):
        assert name in llmport.types.__all__


def test_litellm_types_utils_imports_port_unchanged() -> None:
    from llmport.types.utils import Message, ModelResponse, Usage

    assert (ModelResponse, Message, Usage) == (llmport.ModelResponse, llmport.Message, llmport.Usage)


def test_dir_lists_only_public_names() -> None:
    names = dir(llmport)
    assert not {"Any", "sys", "importlib", "TYPE_CHECKING", "annotations"} & set(names)
    assert [name for name in names if name.startswith("_")] == ["__version__"]
    assert set(llmport.__all__) <= set(names)
    assert {"exceptions", "types", "testing"} <= set(names)
    for name in names:
        getattr(llmport, name)


def test_submodules_are_reachable_as_attributes_in_a_fresh_interpreter() -> None:
    code = (
        "import llmport\n"
        "assert llmport.exceptions.RateLimitError is llmport.RateLimitError\n"
        "assert llmport.types.Usage is llmport.Usage\n"
        "assert llmport.utils.get_model_info is llmport.get_model_info\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize(
    ("name", "kind"), [("embedding", "embeddings"), ("aresponses", "responses() function")]
)
def test_litellm_apis_beyond_chat_say_so_when_read(name: str, kind: str) -> None:
    assert not hasattr(llmport, name)
    with pytest.raises(AttributeError, match=re.escape(f"chat completions only, not litellm's {kind}")):
        getattr(llmport, name)


def test_litellm_helpers_are_exported() -> None:
    for name in ("get_llm_provider", "validate_environment", "check_valid_key", "batch_completion",
                 "completion_with_retries", "acompletion_with_retries", "model_cost"):  # fmt: skip
        assert name in llmport.__all__
        assert getattr(llmport, name) is not None


def test_litellm_utils_names_are_llmports_own() -> None:
    for name in llmport.utils.__all__:
        assert getattr(llmport.utils, name) is getattr(llmport, name), name

"""The wheel's explicit package list must name every folder of src/ (setuptools cannot discover them)."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_src_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(("llmport", *init.parent.relative_to(ROOT / "src").parts))
        for init in (ROOT / "src").rglob("__init__.py")
    }
    assert found == listed


def test_py_typed_is_shipped() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert (ROOT / "src" / "py.typed").exists()
    assert "py.typed" in config["package-data"]["llmport"]


def test_import_is_light_and_silent() -> None:
    code = (
        "import sys, llmport\n"
        "heavy = ('dependency_injector', 'loguru', 'diskcache', 'httpx', 'llmport.adapters', 'llmport.app')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m.startswith(heavy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert done.stderr == ""


def test_first_call_loads_only_what_it_needs() -> None:
    code = (
        "import sys, llmport\n"
        "llmport.completion('gpt-4o', [{'role': 'user', 'content': 'hi'}], mock_response='ok')\n"
        "lazy = ('diskcache', 'llmport.adapters.providers.openai')\n"
        "print(sorted(m for m in sys.modules if m.startswith(lazy)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert done.stderr == ""

"""Every Python example in docs/*.md runs, except those explicitly marked as needing a network provider.

A block opts out with the line ``<!-- docs-test: skip (reason) -->`` right above its fence; the
reason must name a network provider. The blocks of one file run in order, in one fresh Python
process (later blocks may use names from earlier ones), with no provider key in the environment.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
SKIP = re.compile(r"<!-- docs-test: skip \((?P<reason>[^)]*)\) -->\s*$")
# Every provider's key and base-URL variables: the examples that run need none.
PROVIDER_SUFFIXES = ("_API_KEY", "_API_BASE", "_BASE_URL", "_ENDPOINT")


@dataclass(frozen=True)
class Block:
    file: Path
    line: int
    code: str
    skip_reason: str | None


def blocks(path: Path) -> list[Block]:
    text = path.read_text()
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = SKIP.search(before)
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(path, line, match.group(1), marker.group("reason") if marker else None))
    return found


DOC_FILES = sorted(DOCS.glob("*.md"))
WITH_CODE = [path for path in DOC_FILES if blocks(path)]
RUNNABLE = [path for path in WITH_CODE if any(block.skip_reason is None for block in blocks(path))]


def test_the_docs_have_python_examples_and_most_run() -> None:
    every = [block for path in DOC_FILES for block in blocks(path)]
    runnable = [block for block in every if block.skip_reason is None]
    assert len(every) >= 10
    assert len(runnable) >= len(every) - 3


@pytest.mark.parametrize("path", WITH_CODE, ids=[path.name for path in WITH_CODE])
def test_every_skipped_block_needs_a_network_provider(path: Path) -> None:
    for block in blocks(path):
        if block.skip_reason is not None:
            assert "network provider" in block.skip_reason, f"{path.name}:{block.line}"


@pytest.mark.parametrize("path", RUNNABLE, ids=[path.name for path in RUNNABLE])
def test_the_python_examples_of_each_doc_run(
    path: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    runnable = [block for block in blocks(path) if block.skip_reason is None]
    script = "\n".join(f"# {path.name}:{block.line}\n{block.code}" for block in runnable)
    env = {name: value for name, value in os.environ.items() if not name.endswith(PROVIDER_SUFFIXES)}
    if "REDIS_URL" in script:  # docs/scaling.md: a real redis-server on 127.0.0.1, as users have
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{path.name} examples failed:\n{done.stderr[-3000:]}"


def test_the_quickstart_example_runs(tmp_path: Path) -> None:
    script = DOCS.parent / "examples" / "quickstart.py"
    env = {name: value for name, value in os.environ.items() if not name.endswith(PROVIDER_SUFFIXES)}
    done = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "FAKE" in done.stdout

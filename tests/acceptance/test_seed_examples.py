"""Acceptance: the seed documents' litellm examples, run unchanged with llmport standing in for litellm.

The seeds live outside the repository (``../shared/seeds``, next to the repo root); in a clone
without them this module is skipped. Each example runs in a fresh interpreter whose
``import litellm`` resolves to llmport (through a shim package first on ``PYTHONPATH``), with
``OPENAI_BASE_URL``/``OPENAI_API_KEY`` and ``AZURE_*`` pointing at a loopback OpenAI fake server and
``ANTHROPIC_BASE_URL``/``ANTHROPIC_API_KEY`` at a loopback Anthropic fake server.

* The tutorial chapter (``003_*.txt``): every fenced ``python`` block. Later blocks use names from
  earlier ones (``litellm``, ``messages``), so each block runs after every earlier runnable block.
* The API card (``000_*.txt``): the import lines and the usage examples. The card lost its
  indentation in extraction, so `reindent` restores it (a block opens after a ``:`` line; a
  ``def f`` block ends where ``f(`` is called) and the result must compile.

Examples naming Anthropic models (``n=5`` with ``claude-3-sonnet``, ``thinking_budget`` with
``claude-3-opus``) run unchanged against the Anthropic fake; their OpenAI variant (Anthropic model
names swapped for ``gpt-4`` and the Anthropic-only ``thinking_budget`` dropped) must run too.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from llmport.testing import FakeAnthropicServer, FakeOpenAIServer, RecordedRequest

pytestmark = pytest.mark.acceptance

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"

if not SEEDS_DIR.is_dir():
    pytest.skip(
        f"seed documents not found at {SEEDS_DIR} (they live outside the repository)",
        allow_module_level=True,
    )

CLAUDE = re.compile(r"anthropic/|claude-")
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
CARD_HEADER = re.compile(r"^[A-Z][A-Za-z -]*:$")
STRINGS = re.compile(r"\"[^\"]*\"|'[^']*'")
FAILURE_MARKERS = ("Failed to parse JSON", "Unexpected error", "API error", "Error:")
FAKE_REPLY = "This is a fake reply from llmport's loopback server."


@dataclass(frozen=True)
class Example:
    """One runnable example from a seed: its id, code, and the earlier code it depends on."""

    id: str
    code: str
    prelude: str

    @property
    def needs_anthropic(self) -> bool:
        return uses_claude(self.code)


def uses_claude(code: str) -> bool:
    """Whether ``code`` has an Anthropic model-name string other than a dict key (a price table's)."""
    tree = ast.parse(code)
    keys = {id(k) for node in ast.walk(tree) if isinstance(node, ast.Dict) for k in node.keys}
    return any(
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CLAUDE.match(node.value)
        and id(node) not in keys
        for node in ast.walk(tree)
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def tutorial_examples(text: str) -> list[Example]:
    """Every ``python`` block, each with the earlier runnable blocks as its prelude."""
    examples: list[Example] = []
    runnable: list[str] = []
    for match in FENCE.finditer(text):
        headings = re.findall(r"^#{2,3} (.+)$", text[: match.start()], re.MULTILINE)
        code = match.group(1)
        example = Example(f"003-{slug(headings[-1])}", code, "\n".join(runnable))
        examples.append(example)
        if not example.needs_anthropic:
            runnable.append(code)
    return examples


def reindent(lines: list[str]) -> str:
    """Rebuild the indentation of flattened example code (see the module docstring)."""
    out: list[str] = []
    blocks: list[str | None] = []  # the function name of each open ``def`` block, else None
    depth = 0
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        bare = STRINGS.sub('""', line)
        while depth == 0 and blocks and blocks[-1] and re.search(rf"\b{blocks[-1]}\(", bare):
            blocks.pop()
        out.append("    " * len(blocks) + line)
        depth += sum(bare.count(c) for c in "([{") - sum(bare.count(c) for c in ")]}")
        if depth == 0 and bare.endswith(":"):
            defined = re.match(r"(?:async\s+)?def\s+(\w+)", bare)
            blocks.append(defined.group(1) if defined else None)
    return "\n".join(out) + "\n"


def card_examples(text: str) -> list[Example]:
    """The ``Import:`` lines and each usage example of the API card, re-indented."""
    lines = text.splitlines()
    start = lines.index("Import:") + 1
    examples = [Example("000-import", reindent(lines[start : lines.index("I/O Contract")]), "")]
    title, body = "", list[str]()
    for line in [*lines[lines.index("Usage Examples") + 1 :], "End:"]:
        if CARD_HEADER.match(line.strip()):
            if title:
                examples.append(Example(f"000-{slug(title)}", reindent(body), ""))
            title, body = line.strip().rstrip(":"), []
        else:
            body.append(line)
    return examples


def load_examples() -> list[Example]:
    examples: list[Example] = []
    for path in sorted(SEEDS_DIR.glob("003_*.txt")):
        examples += tutorial_examples(path.read_text(encoding="utf-8"))
    for path in sorted(SEEDS_DIR.glob("000_*.txt")):
        examples += card_examples(path.read_text(encoding="utf-8"))
    return examples


class _OpenAIOnly(ast.NodeTransformer):
    """Swap Anthropic model names for ``gpt-4`` and drop the Anthropic-only ``thinking_budget``."""

    def visit_Dict(self, node: ast.Dict) -> ast.Dict:
        node.values = [self.visit(v) for v in node.values]  # keys (a price table's) stay
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        if isinstance(node.value, str) and CLAUDE.match(node.value):
            return ast.copy_location(ast.Constant("gpt-4"), node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        node.keywords = [k for k in node.keywords if k.arg != "thinking_budget"]
        return node


def openai_variant(code: str) -> str:
    return ast.unparse(_OpenAIOnly().visit(ast.parse(code)))


EXAMPLES = load_examples()
RUNNABLE = [e for e in EXAMPLES if not e.needs_anthropic]
CLAUDE_EXAMPLES = [e for e in EXAMPLES if e.needs_anthropic]


def _bodies(requests: list[RecordedRequest]) -> list[dict[str, object]]:
    return [r.body for r in requests if isinstance(r.body, dict)]


def _advanced_params_sent(requests: list[RecordedRequest]) -> bool:
    expected = {"max_tokens": 500, "top_p": 0.9, "stop": ["\n\n", "###"], "n": 1, "logit_bias": {}}
    return any(all(body.get(k) == v for k, v in expected.items()) for body in _bodies(requests))


# Per example: text its output must contain, and a check of what reached the server.
EXPECTED_OUTPUT: dict[str, tuple[str, ...]] = {
    "003-basic-chat-completions": ("You said: Explain quantum computing in simple terms.",),
    "003-multi-turn-conversations": ("Assistant: This is a fake", "using slicing?"),
    "003-conversation-management-class": ("Response: This is a fake", "Follow-up: This is a fake"),
    "003-structured-outputs": ("Extracted: {",),
    "003-few-shot-prompting": ("Sentiment: This is a fake reply",),
    "003-error-handling-and-validation": ("Response: This is a fake reply",),
    "003-cost-estimation": ("Estimated cost: $", "Output tokens: 1000"),
    "003-multiple-completions": ("1. This is a fake", "5. This is a fake"),
    "003-provider-specific-features": ("Function: get_weather", 'Arguments: {"location"'),
    "000-basic-synchronous-completion": ("You said: What is machine learning?",),
    "000-async-completion": ("You said: Explain quantum computing.",),
    "000-streaming-completion": ("You said: Write a short poem.",),
    "000-cross-provider-usage": ("gpt-4: This is a fake", "azure/my-gpt4-deployment: This is a fake"),
}
SERVER_CHECKS: dict[str, Callable[[list[RecordedRequest]], bool]] = {
    "003-advanced-parameters": _advanced_params_sent,
    "003-few-shot-prompting": lambda reqs: any(b.get("model") == "gpt-3.5-turbo" for b in _bodies(reqs)),
    "003-multiple-completions": lambda reqs: any(b.get("n") == 5 for b in _bodies(reqs)),
    "000-streaming-completion": lambda reqs: any(b.get("stream") is True for b in _bodies(reqs)),
    "000-cross-provider-usage": lambda reqs: any(r.path.startswith("/openai/deployments/") for r in reqs),
}


@pytest.fixture(scope="module")
def shim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding a ``litellm`` package that is llmport itself."""
    root = tmp_path_factory.mktemp("litellm-shim")
    (root / "litellm").mkdir()
    (root / "litellm" / "__init__.py").write_text(
        "import sys, llmport\nsys.modules[__name__] = llmport\n", encoding="utf-8"
    )
    return root


@pytest.fixture
def seed_server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture
def claude_server() -> Iterator[FakeAnthropicServer]:
    with FakeAnthropicServer() as srv:
        yield srv


def run_script(
    code: str,
    tmp_path: Path,
    shim: Path,
    server: FakeOpenAIServer,
    anthropic: FakeAnthropicServer | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` as a script in a fresh interpreter where ``import litellm`` is llmport."""
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    prefixes = ("OPENAI_", "AZURE_", "ANTHROPIC_", "LLMPORT_", "PYTHON")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env |= {
        "PYTHONPATH": str(shim),
        "OPENAI_BASE_URL": server.base_url,
        "OPENAI_API_KEY": "sk-fake-seed-examples",
        "AZURE_API_BASE": server.root_url,
        "AZURE_API_KEY": "azure-fake-seed-examples",
        "AZURE_API_VERSION": "2024-02-01",
    }
    if anthropic is not None:
        env |= {"ANTHROPIC_BASE_URL": anthropic.base_url, "ANTHROPIC_API_KEY": "sk-ant-fake-seed-examples"}
    return subprocess.run(
        [sys.executable, "-W", "default", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_clean_run(
    example_id: str, result: subprocess.CompletedProcess[str], server: FakeOpenAIServer
) -> None:
    report = f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert result.returncode == 0, report
    assert "Traceback" not in result.stderr, report
    assert "Warning" not in result.stderr, report
    for marker in FAILURE_MARKERS:
        assert marker not in result.stdout, report
    for expected in EXPECTED_OUTPUT.get(example_id, ()):
        assert expected in result.stdout, report
    assert server.requests or example_id in ("000-import", "003-cost-estimation"), report
    check = SERVER_CHECKS.get(example_id)
    assert check is None or check(server.requests), f"{example_id}: unexpected requests {server.requests}"


def test_the_seeds_hold_the_expected_examples() -> None:
    ids = [e.id for e in EXAMPLES]
    assert len([i for i in ids if i.startswith("003-")]) == 13, ids
    assert len([i for i in ids if i.startswith("000-")]) == 5, ids
    for example in EXAMPLES:
        compile(example.prelude + "\n" + example.code, example.id, "exec")


def test_reindent_restores_blocks() -> None:
    flat = ["async def main():", "r = f(", "x=1,", ")", "print(r)", "asyncio.run(main())"]
    assert (
        reindent(flat)
        == "async def main():\n    r = f(\n    x=1,\n    )\n    print(r)\nasyncio.run(main())\n"
    )


def test_the_shim_makes_litellm_llmport(
    tmp_path: Path, shim_dir: Path, seed_server: FakeOpenAIServer
) -> None:
    code = "import litellm, llmport\nfrom litellm import completion\nassert litellm is llmport\n"
    code += "assert completion is llmport.completion\nassert litellm.APIError is llmport.APIError\n"
    assert_clean_run("000-import", run_script(code, tmp_path, shim_dir, seed_server), seed_server)


@pytest.mark.parametrize("example", RUNNABLE, ids=[e.id for e in RUNNABLE])
def test_example_runs_unchanged(
    example: Example, tmp_path: Path, shim_dir: Path, seed_server: FakeOpenAIServer
) -> None:
    result = run_script(example.prelude + "\n" + example.code, tmp_path, shim_dir, seed_server)

    assert_clean_run(example.id, result, seed_server)


def _claude_bodies(server: FakeAnthropicServer) -> list[dict[str, Any]]:
    assert all(r.path == "/v1/messages" for r in server.requests)
    assert all(r.headers.get("x-api-key") == "sk-ant-fake-seed-examples" for r in server.requests)
    return [r.body for r in server.requests if isinstance(r.body, dict)]


def _five_separate_requests(server: FakeAnthropicServer) -> bool:
    bodies = _claude_bodies(server)
    return len(bodies) == 5 and all(
        b["model"] == "claude-3-sonnet-20240229" and "n" not in b and b["max_tokens"] == 200 for b in bodies
    )


def _thinking_budget_sent(server: FakeAnthropicServer) -> bool:
    thinking = {"type": "enabled", "budget_tokens": 2000}
    return any(
        b["model"] == "claude-3-opus-20240229" and b["max_tokens"] == 4000 and b.get("thinking") == thinking
        for b in _claude_bodies(server)
    )


def _opus_asked(server: FakeAnthropicServer) -> bool:
    return [b["model"] for b in _claude_bodies(server)] == ["claude-3-opus-20240229"]


CLAUDE_REPLY = "This is a fake reply from llmport's loopback Anthropic server. You said: "
CLAUDE_CHECKS: dict[str, Callable[[FakeAnthropicServer], bool]] = {
    "003-multiple-completions": _five_separate_requests,
    "003-provider-specific-features": _thinking_budget_sent,
    "000-async-completion": _opus_asked,
    "000-cross-provider-usage": _opus_asked,
}
CLAUDE_OUTPUT: dict[str, tuple[str, ...]] = {
    "003-multiple-completions": tuple(f"{i}. {CLAUDE_REPLY}Write a creative" for i in range(1, 6)),
    "003-provider-specific-features": ("Function: get_weather",),
    "000-async-completion": (f"{CLAUDE_REPLY}Explain quantum computing.",),
    "000-cross-provider-usage": (
        "gpt-4: This is a fake",
        f"anthropic/claude-3-opus-20240229: {CLAUDE_REPLY}Hello!",
        "azure/my-gpt4-deployment: This is a fake",
    ),
}


def test_the_claude_examples_are_the_expected_ones() -> None:
    assert sorted(CLAUDE_CHECKS) == sorted(e.id for e in CLAUDE_EXAMPLES)


@pytest.mark.parametrize("example", CLAUDE_EXAMPLES, ids=[e.id for e in CLAUDE_EXAMPLES])
def test_claude_example_runs_unchanged(
    example: Example,
    tmp_path: Path,
    shim_dir: Path,
    seed_server: FakeOpenAIServer,
    claude_server: FakeAnthropicServer,
) -> None:
    result = run_script(example.prelude + "\n" + example.code, tmp_path, shim_dir, seed_server, claude_server)

    report = f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    assert result.returncode == 0, report
    assert "Traceback" not in result.stderr, report
    assert "Warning" not in result.stderr, report
    for expected in CLAUDE_OUTPUT.get(example.id, ()):
        assert expected in result.stdout, report
    assert CLAUDE_CHECKS[example.id](claude_server), f"{example.id}: {claude_server.requests}"
    assert all("claude" not in str(r.body) for r in seed_server.requests)


@pytest.mark.parametrize("example", CLAUDE_EXAMPLES, ids=[e.id for e in CLAUDE_EXAMPLES])
def test_openai_variant_of_claude_example_runs(
    example: Example, tmp_path: Path, shim_dir: Path, seed_server: FakeOpenAIServer
) -> None:
    code = example.prelude + "\n" + openai_variant(example.code)
    assert not uses_claude(openai_variant(example.code))

    assert_clean_run(example.id, run_script(code, tmp_path, shim_dir, seed_server), seed_server)

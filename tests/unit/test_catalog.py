"""docs/providers.md is generated from the host table and must match it."""

from __future__ import annotations

from pathlib import Path

from llmport.adapters.providers.hosts import HOSTS
from llmport.app.catalog import providers_markdown

PAGE = Path(__file__).resolve().parents[2] / "docs" / "providers.md"


def test_the_committed_page_is_the_generated_one() -> None:
    assert PAGE.read_text(encoding="utf-8") == providers_markdown(), (
        "docs/providers.md is stale: run `python -m llmport.app.catalog > docs/providers.md`"
    )


def test_every_row_and_its_variables_are_on_the_page() -> None:
    page = providers_markdown()
    for host in HOSTS:
        assert f"| `{host.prefix}/` |" in page
        for name in (*host.key_env, *host.base_env):
            assert f"`{name}`" in page
        assert host.source in page

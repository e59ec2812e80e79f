"""The provider catalogue, read from the registry: for ``docs/providers.md`` and the CLI.

``python -m llmport.app.catalog > docs/providers.md`` regenerates the page; a test fails when the
committed page and the table disagree, so the docs cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..adapters.providers.hosts import ALIASES, BARE_MODELS, PLANNED, RESPONSES_ONLY, RESPONSES_ROUTES
from ..adapters.providers.registry import ProviderRegistry
from ..ports.codec import Host, ParamRules

HEADER = """# Providers

Generated from llmport's host table by `python -m llmport.app.catalog > docs/providers.md`;
do not edit by hand. Each row is data (`src/adapters/providers/hosts.py`): the prefix you put
before the model name, where requests go, and which environment variables are read.

- **Key** variables are tried in order, after the call's `api_key=` (and `Client(api_key=...)`).
- **Base URL** variables are tried after the call's `api_base=` / `base_url=`; a base replaces
  the default and the endpoint is appended, unless the base already ends with it.
- A call to a base URL other than the default needs no key (your own server or proxy).
- Rows were written on the date shown from the provider's documentation at the source link
  and litellm's provider table; they were not fetched live when written. Recorded traffic in
  `tests/contract/fixtures/` checks the hosts it covers.
"""


def _code(values: Iterable[str]) -> str:
    return ", ".join(f"`{value}`" for value in values) or "none"


def _rules(rules: ParamRules) -> list[str]:
    notes = []
    if rules.renames:
        notes.append("renames " + ", ".join(f"`{a}`→`{b}`" for a, b in rules.renames.items()))
    for name, mapping in rules.value_maps.items():
        notes.append(f"`{name}` " + ", ".join(f"{a!r}→{b!r}" for a, b in mapping.items()))
    for name, allowed in rules.allowed_values.items():
        notes.append(f"`{name}` only " + " or ".join(repr(value) for value in allowed))
    if rules.unsupported:
        notes.append("no " + _code(sorted(rules.unsupported)))
    return notes


def _quirks(host: Host) -> str:
    notes = _rules(host.params)
    if host.model_namespace:
        notes.append(f"a bare model id is sent as `{host.model_namespace}<id>`")
    for rule in host.model_rules:
        families = "/".join(rule.prefixes)
        notes.append(f"{families}*: " + "; ".join(_rules(rule.params)))
    return "<br>".join(notes) or "—"


def _url(host: Host) -> str:
    if host.options.get("url") == "azure" and host.codec == "responses":
        return "`{api_base}/openai/v1/responses` (with `api_version=`: `/openai/responses?api-version=...`)"
    if host.options.get("url") == "azure":
        return f"`{{api_base}}/openai/deployments/{{model}}{host.endpoint}?api-version=...`"
    base = f"`{host.default_base}`" if host.default_base else "(give `api_base=`)"
    return f"{base} + `{host.endpoint}`"


def _row(host: Host) -> str:
    key = _code(host.key_env) + ("" if host.key_required else " (optional)")
    cells = [
        f"`{host.prefix}/`",
        f"{host.codec}",
        _url(host),
        key,
        _code(host.base_env),
        _quirks(host),
        f"[docs]({host.source}) {host.as_of}",
    ]
    return "| " + " | ".join(cells) + " |"


def providers_markdown() -> str:
    """Render the catalogue of every route as Markdown."""
    hosts = ProviderRegistry().hosts
    lines = [HEADER, f"## Routes ({len(hosts)})", ""]
    lines.append("| prefix | wire format | URL | key | base URL variables | parameter rules | source |")
    lines.append("|---|---|---|---|---|---|---|")
    lines.extend(_row(host) for host in hosts)
    lines += ["", "## Bare model names", "", "A model named without a prefix is routed by its name:", ""]
    lines.extend(
        f"- {_code(f'{p}*' for p in prefixes)} → `{provider}/`" for prefixes, provider in BARE_MODELS
    )
    lines += _responses_section()
    lines += [
        "",
        "## Not available yet",
        "",
        "These prefixes raise `BadRequestError` naming the work that brings them:",
        "",
    ]
    lines.extend(
        f"- `{prefix}/`: {work}"
        for prefix, work in PLANNED.items()
        if prefix not in {h.prefix for h in hosts}
    )
    return "\n".join(lines) + "\n"


def _responses_section() -> list[str]:
    lines = ["", "## The Responses API", ""]
    lines += [f"- `{alias}/<model>` → `{target}/`" for alias, target in ALIASES.items()]
    lines += [
        f"- Models that exist only on the Responses API go to `{target}/` when named bare or under"
        f" `{prefix}/`: names matching `{RESPONSES_ONLY.pattern}` (from the start, any case)."
        " Every other model stays on chat completions; this rule changes only with an llmport release."
        for prefix, target in RESPONSES_ROUTES.items()
    ]
    return lines


if __name__ == "__main__":
    print(providers_markdown(), end="")

"""The ``llmport`` command: ``chat``, ``models`` and ``doctor``.

Built on click, which only this module (and ``cli_chat``) imports: ``import llmport`` never loads
it. Failures print one line on stderr and exit 1; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import click

from ..adapters.local.models import EXTRA_INSTALL, SMOLLM2_INSTALL, LocalError, resolve_model_file
from ..adapters.providers.registry import ProviderRegistry
from ..ports.codec import Host
from .cli_chat import ChatSettings, reply, run_loop
from .client import Client

LOCAL_DEFAULT = "local/smollm2"
TABLE_WIDTH = 100  # `llmport models` fits a 100-column terminal
# The model `llmport chat` uses when a provider's key is in the environment, in this order.
KEYED_DEFAULTS: tuple[tuple[str, str], ...] = (
    ("OPENAI_API_KEY", "gpt-4o-mini"),
    ("ANTHROPIC_API_KEY", "claude-haiku-4-5-20251001"),
)
EXAMPLES: Mapping[str, str] = {
    "openai": "gpt-4o-mini, gpt-4o, o3-mini, openai/<model>",
    "azure": "azure/<deployment>",
    "anthropic": "claude-haiku-4-5-20251001, anthropic/<model>",
    "local": "local/smollm2 (offline), local/<file>.gguf",
}


def default_model(environ: Mapping[str, str]) -> tuple[str, bool]:
    """Return the model for ``chat`` without ``-m``, and whether it is the offline fallback."""
    for variable, model in KEYED_DEFAULTS:
        if environ.get(variable):
            return model, False
    return LOCAL_DEFAULT, True


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.version_option(package_name="llmport")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """llmport: one completion() for every LLM provider, from the shell."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("prompt", required=False)
@click.option("-m", "--model", envvar="LLMPORT_MODEL", help="provider/model (default: from your keys).")
@click.option("-s", "--system", help="A system message.")
@click.option("--temperature", type=float, help="Sampling temperature.")
@click.option("--max-tokens", type=click.IntRange(min=1), help="Most tokens to generate.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole response as JSON.")
@click.option("--no-stream", is_flag=True, help="Wait for the whole answer instead of streaming.")
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.pass_context
def chat(
    ctx: click.Context,
    *,
    prompt: str | None,
    model: str | None,
    system: str | None,
    temperature: float | None,
    max_tokens: int | None,
    as_json: bool,
    no_stream: bool,
    debug: bool,
) -> None:
    """Answer PROMPT, streaming; without PROMPT, chat turn by turn (Ctrl-D quits)."""
    report = _reporter(debug or ctx.obj["debug"])
    if not model:
        model, offline = default_model(os.environ)
        if offline and importlib.util.find_spec("llama_cpp") is None:
            keys = " or ".join(variable for variable, _ in KEYED_DEFAULTS)
            click.echo(
                f"llmport: error: no provider key in the environment ({keys}) and local models are "
                f"not installed: {EXTRA_INSTALL}, or pass -m provider/model",
                err=True,
            )
            sys.exit(1)
        if offline:
            click.echo(f"llmport: no provider key in the environment; using {model} (offline)", err=True)
    params: dict[str, Any] = {}
    if temperature is not None:
        params["temperature"] = temperature
    if max_tokens is not None:
        params["max_tokens"] = max_tokens
    settings = ChatSettings(model, system, params, stream=not no_stream, as_json=as_json)
    try:
        with Client() as client:
            if prompt is None:
                run_loop(client, settings, report)
            else:
                reply(client, settings, [*settings.opening(), {"role": "user", "content": prompt}])
    except KeyboardInterrupt:
        click.echo("\n(interrupted)", err=True)
        sys.exit(130)
    except Exception as error:  # the CLI's contract: one line and exit 1, whatever failed
        report(error)
        sys.exit(1)


@cli.command()
def models() -> None:
    """List providers (local first), example models and the environment variable each needs."""
    hosts = sorted(ProviderRegistry().hosts, key=lambda host: host.prefix != "local")  # stable sort
    rows = [("PROVIDER", "KEY (environment variable)", "MODELS")]
    rows += [
        (host.prefix, _key_names(host), EXAMPLES.get(host.prefix, f"{host.prefix}/<model>")) for host in hosts
    ]
    _table(rows, width=TABLE_WIDTH)


@cli.command()
def doctor() -> None:
    """Show which providers have keys configured (names only, never values) and the local setup."""
    rows = [("PROVIDER", "KEY", "BASE URL")]
    rows += [
        (host.prefix, _key_status(host), _base_status(host))
        for host in ProviderRegistry().hosts
        if host.prefix != "local"
    ]
    _table(rows)
    click.echo()
    click.echo(_summary(ProviderRegistry().hosts))
    for line in _local_status():
        click.echo(line)
    model, offline = default_model(os.environ)
    click.echo(f"llmport chat without -m uses: {model}{' (offline)' if offline else ''}")


def main() -> NoReturn:
    """Run the ``llmport`` command (the console-script entry point)."""
    cli.main(prog_name="llmport")


def _reporter(debug: bool) -> Callable[[BaseException], None]:
    def report(error: BaseException) -> None:
        if debug:
            raise error
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        click.echo(f"llmport: error: {message}", err=True)

    return report


def _key_names(host: Host) -> str:
    if not host.key_required or not host.key_env:
        return "(none)"
    more = len(host.key_env) - 1
    return host.key_env[0] + (f" (+{more} more)" if more else "")


def _key_status(host: Host) -> str:
    found = [name for name in host.key_env if os.environ.get(name)]
    if found:
        return f"set ({found[0]})"
    if not host.key_required or not host.key_env:
        return "(none needed)"  # a keyless host (a local server) is not missing anything
    return f"missing: set {' or '.join(host.key_env)}"


def _summary(hosts: tuple[Host, ...]) -> str:
    """Sum up the table: configured, keyless (never "missing") and not configured providers."""
    remote = [host for host in hosts if host.prefix != "local"]
    configured = [host.prefix for host in remote if any(os.environ.get(name) for name in host.key_env)]
    keyless = [host.prefix for host in remote if not host.key_required and host.prefix not in configured]
    missing = len(remote) - len(configured) - len(keyless)
    return "\n".join(
        [
            "summary:",
            f"  configured: {len(configured)} ({', '.join(configured) or 'none'})",
            f"  keyless, no key needed: {len(keyless)} ({', '.join(keyless) or 'none'})",
            f"  not configured: {missing} (set the KEY variable shown above)",
        ]
    )


def _base_status(host: Host) -> str:
    found = [name for name in host.base_env if os.environ.get(name)]
    if found:
        return f"from {found[0]}"
    return "default" if host.default_base else f"missing: set {' or '.join(host.base_env)}"


def _local_status() -> list[str]:
    if importlib.util.find_spec("llama_cpp") is None:
        engine = f"not installed: {EXTRA_INSTALL}"
    else:
        engine = f"llama-cpp-python {importlib.metadata.version('llama-cpp-python')}"
    try:
        model_file = f"{resolve_model_file('smollm2')}"
    except LocalError:
        model_file = f"not installed: {SMOLLM2_INSTALL}"
    return [f"local models: {engine}", f"local/smollm2 file: {model_file}"]


def _table(rows: list[tuple[str, str, str]], width: int | None = None) -> None:
    """Print three columns; with ``width``, the last one is cut (with "…") to fit."""
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    for first, second, third in rows:
        line = f"{first.ljust(widths[0])}  {second.ljust(widths[1])}  {third}".rstrip()
        if width is not None and len(line) > width:
            line = line[: width - 1] + "…"
        click.echo(line)

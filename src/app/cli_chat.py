"""The chat side of the ``llmport`` CLI: one reply streamed to the terminal, and the chat loop."""

from __future__ import annotations

import contextlib
import itertools
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import click

from ..domain.models.errors import LLMPortError
from .client import Client

_FRAMES = "|/-\\"
HELP = "/reset clears the history, /model NAME switches model, /help shows this, Ctrl-D quits"


class Spinner:
    """A spinner on ``stream`` (a terminal) until ``stop()``; does nothing when not a terminal."""

    def __init__(self, stream: IO[str], label: str = "waiting for the model") -> None:
        self._stream = stream
        self._label = label
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        if _is_terminal(stream):
            self._thread = threading.Thread(target=self._spin, name="llmport-spinner", daemon=True)
            self._thread.start()

    def _spin(self) -> None:
        if hasattr(signal, "pthread_sigmask"):
            # Ctrl-C must reach the main thread: delivered here, it would not interrupt the main
            # thread's blocking read of a slow answer.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        for frame in itertools.cycle(_FRAMES):
            self._stream.write(f"\r{frame} {self._label}")
            self._stream.flush()
            if self._stopped.wait(0.1):
                break

    def stop(self) -> None:
        """Stop and erase the spinner (idempotent)."""
        if self._thread is not None and not self._stopped.is_set():
            self._stopped.set()
            self._thread.join()
            self._stream.write("\r\x1b[K")
            self._stream.flush()
        self._stopped.set()


@dataclass
class ChatSettings:
    """What every turn of one ``llmport chat`` sends."""

    model: str
    system: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    stream: bool = True
    as_json: bool = False

    def opening(self) -> list[dict[str, Any]]:
        """Return the messages a conversation starts with."""
        return [{"role": "system", "content": self.system}] if self.system else []


def reply(client: Client, settings: ChatSettings, messages: list[dict[str, Any]]) -> str:
    """Ask for one reply, print it to stdout as it arrives, and return its text."""
    spinner = Spinner(sys.stderr)
    try:
        if settings.as_json or not settings.stream:
            return _whole(client, settings, messages, spinner)
        return _streamed(client, settings, messages, spinner)
    finally:
        spinner.stop()


def _whole(client: Client, settings: ChatSettings, messages: list[dict[str, Any]], spinner: Spinner) -> str:
    response = client.completion(settings.model, messages, **settings.params)
    spinner.stop()
    text = response.choices[0].message.content or ""
    if settings.as_json:
        click.echo(json.dumps(response.model_dump(mode="json", exclude_none=True), indent=2))
    else:
        click.echo(text)
    return text


def _streamed(
    client: Client, settings: ChatSettings, messages: list[dict[str, Any]], spinner: Spinner
) -> str:
    pieces: list[str] = []
    stream = client.completion(settings.model, messages, stream=True, **settings.params)
    with contextlib.closing(stream):
        try:
            for chunk in stream:
                piece = chunk.choices[0].delta.content if chunk.choices else None
                if piece:
                    spinner.stop()
                    click.echo(piece, nl=False)
                    pieces.append(piece)
        except BaseException:
            if pieces:
                click.echo()  # the error line must not start after the half-printed answer
            raise
    spinner.stop()
    click.echo()
    return "".join(pieces)


def run_loop(client: Client, settings: ChatSettings, report: Callable[[BaseException], None]) -> None:
    """Run the multi-turn chat: read a line, answer it, keep the history, until end of input."""
    interactive = _is_terminal(sys.stdin)
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - line editing and history for input()
        click.echo(f"llmport chat with {settings.model}. {HELP}", err=True)
    messages = settings.opening()
    for line in _lines("> " if interactive else ""):
        text = line.strip()
        if not text:
            continue
        if text.startswith("/"):
            if _command(text, settings, messages):
                continue
            return
        messages.append({"role": "user", "content": text})
        try:
            messages.append({"role": "assistant", "content": reply(client, settings, messages)})
        except KeyboardInterrupt:
            messages.pop()
            click.echo("\n(interrupted)", err=True)
        except LLMPortError as error:
            messages.pop()  # the turn failed: the next one must not carry an unanswered question
            report(error)


def _command(text: str, settings: ChatSettings, messages: list[dict[str, Any]]) -> bool:
    """Run a /command; return False when the chat should end."""
    name, _, argument = text.partition(" ")
    if name in ("/exit", "/quit"):
        return False
    if name == "/reset":
        messages[:] = settings.opening()
        click.echo("(history cleared)", err=True)
    elif name == "/model" and argument.strip():
        settings.model = argument.strip()
        click.echo(f"(model: {settings.model})", err=True)
    elif name == "/model":
        click.echo(f"(model: {settings.model}; /model NAME switches)", err=True)
    else:
        click.echo(HELP, err=True)
    return True


def _lines(prompt: str) -> Iterator[str]:
    while True:
        try:
            yield input(prompt)
        except EOFError:
            if prompt:
                click.echo()
            return
        except KeyboardInterrupt:
            click.echo()  # Ctrl-C at the prompt clears the line, as in a shell; Ctrl-D quits


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False

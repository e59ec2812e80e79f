"""The deadline inside httpx's sync socket reads.

A per-read timeout restarts on every byte, so a server trickling its headers one byte at a time
holds a blocking call forever. httpcore reads the read timeout once per response, then waits
that long for each piece; a thread blocked in ``recv`` cannot be interrupted from Python. So the
sync pool's network backend is wrapped: each socket wait is capped at what remains of the
attempt's budget, which the transport makes visible through a context variable while it reads.
"""

from __future__ import annotations

import contextvars
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore

from ...ports.transport import AttemptBudget

_ACTIVE: contextvars.ContextVar[AttemptBudget | None] = contextvars.ContextVar("llmport_budget", default=None)


@contextmanager
def active(budget: AttemptBudget | None) -> Iterator[None]:
    """Make ``budget`` bound the socket waits of the block (no-op for None)."""
    if budget is None:
        yield
        return
    token = _ACTIVE.set(budget)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def within(pieces: Iterator[bytes], budget: AttemptBudget | None) -> Iterator[bytes]:
    """Iterate ``pieces`` (a response body) with ``budget`` bounding each read."""
    if budget is None:
        yield from pieces
        return
    while True:
        with active(budget):
            piece = next(pieces, None)
        if piece is None:
            return
        yield piece


def _capped(timeout: float | None) -> float | None:
    budget = _ACTIVE.get()
    return timeout if budget is None else budget.cap(timeout)


class _BudgetedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _capped(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _capped(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: typing.Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _BudgetedStream(self._inner.start_tls(ssl_context, server_hostname, _capped(timeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class BudgetedBackend(httpcore.NetworkBackend):
    """A network backend whose every socket wait honours the active ``AttemptBudget``."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, _capped(timeout), local_address, socket_options)
        return _BudgetedStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[typing.Any] | None = None
    ) -> httpcore.NetworkStream:
        return _BudgetedStream(self._inner.connect_unix_socket(path, _capped(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def install(client: typing.Any) -> None:
    """Wrap the network backend of every connection pool of an httpx ``Client`` we built.

    httpx exposes no backend setting, so this reaches its pools (``_transport``, ``_mounts``);
    a pool it cannot find keeps httpx's own backend (only the checks between reads apply then).
    """
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, BudgetedBackend):
            pool._network_backend = BudgetedBackend(backend)  # type: ignore[union-attr]

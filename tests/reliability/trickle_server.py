"""A raw loopback HTTP server whose answers are scripted byte by byte, with pauses.

The fault server (``fault_server.py``) speaks HTTP through ``http.server``; the hostile cases
here need what it cannot do: headers that trickle in one byte at a time, a body generated on
the fly (gigabytes, never stored), a gzip bomb. Each connection reads one request, then sends
the steps of the next queued script: ``bytes`` are written, a ``float`` is a pause. Every pause
ends at once when the server stops, so no test outlives its script.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Self

Step = bytes | float
Script = Callable[[], Iterable[Step]]


class TrickleServer:
    """Answers each request with the next queued script (or the last one, when ``repeat``).

    Attributes:
        requests: How many requests were read.
        open_connections: Connections currently open on the server side.
    """

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._scripts: deque[Script] = deque()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.requests = 0
        self.open_connections = 0
        self.repeat: Script | None = None

    @property
    def base_url(self) -> str:
        """The ``api_base`` to give llmport."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/v1"

    def queue(self, *scripts: Script) -> None:
        """Script the answers to the next requests, in order."""
        self._scripts.extend(scripts)

    def __enter__(self) -> Self:
        thread = threading.Thread(target=self._accept, name="llmport-trickle-server", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() below (close() does not)
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        with self._lock:
            self.open_connections += 1
        try:
            with conn:
                while not self._stop.is_set() and _read_request(conn):
                    with self._lock:
                        self.requests += 1
                        script = self._scripts.popleft() if self._scripts else self.repeat
                    if script is None or not self._play(conn, script()):
                        return
        except OSError:
            pass
        finally:
            with self._lock:
                self.open_connections -= 1

    def _play(self, conn: socket.socket, steps: Iterable[Step]) -> bool:
        for step in steps:
            if isinstance(step, float | int):
                if self._stop.wait(step):
                    return False
            else:
                conn.sendall(step)
        return True


def _read_request(conn: socket.socket) -> bool:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return False
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        piece = conn.recv(65536)
        if not piece:
            return False
        body += piece
    return True


def head(status: int = 200, headers: dict[str, str] | None = None) -> bytes:
    """A response head (status line and headers, blank line included)."""
    lines = [f"HTTP/1.1 {status} OK", *(f"{name}: {value}" for name, value in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def trickle(data: bytes, pause: float) -> Iterator[Step]:
    """``data`` one byte at a time, ``pause`` seconds apart."""
    for byte in data:
        yield bytes([byte])
        yield pause


def chunked(piece: bytes) -> bytes:
    """One chunk of a ``transfer-encoding: chunked`` body."""
    return b"%x\r\n%s\r\n" % (len(piece), piece)

"""A quiet, stoppable threading HTTP server for loopback tests (stdlib only).

The stdlib server does a reverse DNS lookup on bind, prints every request and every client that
hangs up, and on shutdown leaves idle keep-alive connections being served. This base fixes all
three, so test servers only write their handlers.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, urlsplit

from ._fake_checks import FakeApiError, loopback_address


@dataclass(frozen=True)
class RecordedRequest:
    """One request as a fake server received it.

    Attributes:
        method: The HTTP method, e.g. ``"POST"``.
        path: The path without the query string, e.g. ``"/v1/chat/completions"``.
        query: The query parameters (last value wins).
        headers: The request headers, keys lower-cased.
        body: The decoded JSON body, or None when it was empty or not JSON.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` that is silent and drops its connections when stopped.

    Args:
        address: ``(host, port)``; port 0 picks a free one.
        handler: The request handler class (subclass ``QuietHandler``).
        family: The socket family (``AF_INET6`` for ``::1``).
    """

    daemon_threads = True
    # Clients keep idle keep-alive connections open; stopping must not wait for them.
    block_on_close = False
    # The stdlib's listen backlog is 5: a burst of connects (a thousand concurrent calls) then
    # overflows the accept queue and the kernel resets connections the client thinks are open.
    # The kernel caps it at net.core.somaxconn (4096 on current Linux).
    request_queue_size = 1024
    owner: Any = None  # the fake whose handler this server runs (see LoopbackFake)

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        family: socket.AddressFamily = socket.AF_INET,
    ) -> None:
        self.address_family = family
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__(address, handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup (getfqdn), which can stall in sandboxes."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay silent: a client hanging up mid-answer is routine in failure tests."""

    def track(self, connection: socket.socket, *, add: bool) -> None:
        """Remember (or forget) a connection being served."""
        with self._connections_lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    @property
    def open_connections(self) -> int:
        """How many client connections are being served (idle keep-alive ones included)."""
        with self._connections_lock:
            return len(self._connections)

    def serve_in_thread(self, name: str, poll_interval: float = 0.05) -> None:
        """Start serving on a daemon thread."""
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": poll_interval}, name=name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, drop open connections and wait for the serving thread."""
        self.shutdown()
        self.server_close()
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            # Idle keep-alive connections would otherwise keep being served after stop().
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)


class QuietHandler(BaseHTTPRequestHandler):
    """An HTTP/1.1 handler that logs nothing and registers its connection with the server."""

    protocol_version = "HTTP/1.1"
    # The answer goes out in several small writes (status line and headers, then the body);
    # with Nagle's algorithm the second waits for the client's delayed ACK: ~44 ms a call.
    disable_nagle_algorithm = True
    server: LoopbackHTTPServer

    def setup(self) -> None:
        """Register the connection so the server can drop it on stop."""
        super().setup()
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        """Forget the connection."""
        self.server.track(self.connection, add=False)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Print nothing; the base class would log every request to stderr."""


SSE_TYPE = "text/event-stream; charset=utf-8"


class FakeProviderHandler(QuietHandler):
    """What the fake provider servers' handlers share: recording, replying, failing loudly.

    Subclasses answer one recorded request in ``_handle`` (raising ``FakeApiError`` for a
    provider error) and say how their provider words an unexpected failure (``_bug``).
    """

    request_id_header: ClassVar[str] = "x-request-id"
    request_id_prefix: ClassVar[str] = "req_"

    def _dispatch(self) -> None:
        request_id = f"{self.request_id_prefix}{uuid.uuid4().hex}"
        self._headers_sent = False
        try:
            self._handle(self._record(), request_id)
        except FakeApiError as err:
            self._send_json(err.status, err.payload, request_id, err.headers)
        except OSError:
            self.close_connection = True
        except Exception as exc:  # a bug in the fake should reach the client, not vanish in a thread
            if self._headers_sent:
                raise
            error = self._bug(f"llmport fake server bug: {exc!r}")
            self._send_json(500, error.payload, request_id)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    def _handle(self, request: RecordedRequest, request_id: str) -> None:
        raise NotImplementedError

    def _bug(self, message: str) -> FakeApiError:
        raise NotImplementedError

    def _record(self) -> RecordedRequest:
        parts = urlsplit(self.path)
        raw = self._read_body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        path = parts.path.rstrip("/") or "/"
        headers = {k.lower(): v for k, v in self.headers.items()}
        recorded = RecordedRequest(self.command, path, dict(parse_qsl(parts.query)), headers, body)
        self.server.owner._record(recorded)
        return recorded

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            data = b""
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                data += self.rfile.read(size)
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return data
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _start_chunked(self, status: int, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        self._headers_sent = True

    def _write_chunk(self, data: bytes) -> None:
        # wfile is unbuffered (wbufsize=0), so each frame leaves the socket as soon as it is written.
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if data else b"0\r\n\r\n")
        self.wfile.flush()

    def _send_sse(self, frames: list[bytes], headers: Mapping[str, str], *, drop: bool = False) -> None:
        """Send a 200 event stream, frame by frame; ``drop`` ends it as a dropped link would."""
        self._start_chunked(200, {"content-type": SSE_TYPE, "cache-control": "no-cache", **headers})
        for frame in frames:
            self._write_chunk(frame)
        if drop:
            self.close_connection = True  # no terminating chunk: the body ends as on a dropped link
            return
        self._write_chunk(b"")

    def _send_json(
        self,
        status: int,
        payload: Mapping[str, Any],
        request_id: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        all_headers = {"content-type": "application/json", self.request_id_header: request_id}
        self._send_bytes(status, data, {**all_headers, **(headers or {})})

    def _send_bytes(self, status: int, data: bytes, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self._headers_sent = True
        self.wfile.write(data)
        self.wfile.flush()


class LoopbackFake:
    """What every fake provider server shares: its life cycle and the requests it received.

    It binds on start, stops, and works as a context manager.

    Subclasses say which handler serves requests; the handler reaches the fake as
    ``self.server.owner``.

    Args:
        host: A loopback address (127.x.x.x, ``::1``) or ``localhost``.
        port: The port to bind; 0 picks a free one.
        require_auth: Whether requests without the provider's key header get a 401.

    Attributes:
        require_auth: Whether requests need a key.
        requests: Every request received, in arrival order.

    Raises:
        ValueError: If ``host`` is not a loopback address.
    """

    handler: ClassVar[type[QuietHandler]]
    thread_name: ClassVar[str] = "llmport-fake"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, require_auth: bool = True) -> None:
        self._bind_host, self._family, self._url_host = loopback_address(host)
        self._requested_port = port
        self._server: LoopbackHTTPServer | None = None
        self.require_auth = require_auth
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def start(self) -> Self:
        """Bind the port and start serving in a daemon thread; a no-op if already started."""
        if self._server is None:
            server = LoopbackHTTPServer((self._bind_host, self._requested_port), self.handler, self._family)
            server.owner = self
            server.serve_in_thread(self.thread_name)
            self._server = server
        return self

    def stop(self) -> None:
        """Stop serving and drop open connections; safe to call more than once."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port.

        Raises:
            RuntimeError: If the server is not started.
        """
        if self._server is None:
            name = type(self).__name__
            raise RuntimeError(f"{name} is not started; call start() or use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def open_connections(self) -> int:
        """How many client connections the server holds open now, idle keep-alive ones included.

        A client that closes its pool, or a stream it abandons, shows here as a drop to zero.
        """
        return self._server.open_connections if self._server is not None else 0

    @property
    def root_url(self) -> str:
        """The URL without a path, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self._url_host}:{self.port}"

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

"""A quiet, stoppable threading HTTP server for loopback tests (stdlib only).

The stdlib server does a reverse DNS lookup on bind, prints every request and every client that
hangs up, and on shutdown leaves idle keep-alive connections being served. This base fixes all
three, so test servers only write their handlers.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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

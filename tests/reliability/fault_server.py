"""A scripted fault-injecting HTTP server on a loopback port, protocol-agnostic.

A test queues one action per expected request (``reply`` or ``stream``); each request the
server receives pops the next action and is recorded. The bytes an action sends are framed by
a ``WireProtocol`` (``wire.py``), so this server knows nothing of any provider. What it can do
to a client: delay the headers, send a whole body, or stream frames and then end cleanly, drop
the connection (no terminating chunk), or stall. A request with nothing queued gets a 418 whose
body names the problem, so a test that sends more requests than it scripted fails loudly.

Every wait happens on an event the server sets when it stops, so a stalled or slow handler
never outlives its test.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from llmport.testing._fake_checks import FakeApiError
from llmport.testing.loopback import FakeProviderHandler, LoopbackFake, LoopbackHTTPServer, RecordedRequest

# A status no provider sends and no retry policy retries, so an unscripted request fails at once.
UNSCRIPTED_STATUS = 418


class End(Enum):
    """How a streamed answer ends after its frames."""

    CLEAN = "clean"  # the terminating zero-length chunk: the body is complete
    DROP = "drop"  # the connection closes with no terminating chunk, as on a dropped link
    STALL = "stall"  # nothing more is sent for ``stall`` seconds, then the connection drops


@dataclass(frozen=True)
class Reply:
    """Answer one request with a whole body."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_headers: float = 0.0


@dataclass(frozen=True)
class Stream:
    """Answer one request with a chunked body, one chunk per frame, then ``end``."""

    frames: Sequence[bytes]
    end: End = End.CLEAN
    stall: float = 0.0
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_headers: float = 0.0


Action = Reply | Stream


class _Handler(FakeProviderHandler):
    server: LoopbackHTTPServer

    def _handle(self, request: RecordedRequest, request_id: str) -> None:
        owner: FaultServer = self.server.owner
        action = owner._next_action()
        if action is None:
            body = b"fault server: no action scripted for request %d" % len(owner.requests)
            self._send_bytes(UNSCRIPTED_STATUS, body, {"content-type": "text/plain"})
            return
        owner._wait(action.delay_headers)
        headers = {self.request_id_header: request_id, **action.headers}
        if isinstance(action, Reply):
            self._send_bytes(action.status, action.body, {"content-type": "application/json", **headers})
            return
        self._stream(action, owner, {"content-type": "text/event-stream; charset=utf-8", **headers})

    def _stream(self, action: Stream, owner: FaultServer, headers: Mapping[str, str]) -> None:
        self._start_chunked(action.status, headers)
        for frame in action.frames:
            self._write_chunk(frame)
        if action.end is End.STALL:
            owner._wait(action.stall)
        if action.end is End.CLEAN:
            self._write_chunk(b"")
        else:
            self.close_connection = True  # no terminating chunk: the body is cut

    def _bug(self, message: str) -> FakeApiError:
        # A bug in a test's script: a status no provider sends, so no retry policy hides it.
        return FakeApiError(UNSCRIPTED_STATUS, {"error": {"message": message}})


class FaultServer(LoopbackFake):
    """A loopback server that answers each request with the next scripted action.

    Attributes:
        requests: Every request received, in arrival order (``RecordedRequest``).
    """

    handler = _Handler
    thread_name = "llmport-fault-server"

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        super().__init__(host=host, require_auth=False)
        self._actions: deque[Action] = deque()
        self._stopping = threading.Event()

    def queue(self, *actions: Action) -> None:
        """Script the answers to the next requests, in order."""
        with self._lock:
            self._actions.extend(actions)

    @property
    def pending(self) -> int:
        """How many scripted actions no request has used yet."""
        with self._lock:
            return len(self._actions)

    def stop(self) -> None:
        """Release every waiting handler, then stop serving."""
        self._stopping.set()
        super().stop()

    def _next_action(self) -> Action | None:
        with self._lock:
            return self._actions.popleft() if self._actions else None

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

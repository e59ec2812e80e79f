"""Turning a transport library's failures into llmport's, with nothing of theirs attached.

``raise ... from None`` only hides the original exception: it stays reachable as
``__context__``, and httpx's keeps the request (URL with any ``?key=``, headers with the key) and
a traceback whose frames hold both. ``Translated`` catches the failure in a ``with`` block and
raises llmport's exception after it, where no exception is being handled, so none is chained.
"""

from __future__ import annotations

from types import TracebackType

from ...domain.models.errors import APIError
from ...domain.models.redaction import redact
from ...ports.transport import HttpRequest
from .network_guard import check_network

Failures = tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], type[APIError]], ...]


class Translated:
    """Catches the listed failures in its block; ``check()`` after the block raises them translated.

    Usage::

        guard = Translated(request, FAILURES)
        with guard:
            response = library_call()
        guard.check()

    Args:
        request: The request being sent (its URL and secrets are scrubbed from the message).
        failures: ``(library exception types, llmport class)`` pairs, tried in order.
    """

    __slots__ = ("_failures", "_request", "failure")

    def __init__(self, request: HttpRequest, failures: Failures) -> None:
        # Every send builds one before touching the network: the guard's one place to refuse.
        check_network(request)
        self._request = request
        self._failures = failures
        self.failure: APIError | None = None

    def __enter__(self) -> Translated:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if exc is None:
            return False
        for kinds, cls in self._failures:
            if isinstance(exc, kinds):
                self.failure = cls(describe(exc, self._request))
                return True
        return False

    def check(self) -> None:
        """Raise the translated failure, if the block failed."""
        failure, self.failure = self.failure, None
        if failure is not None:
            raise failure


def describe(error: BaseException, request: HttpRequest) -> str:
    """Describe a library failure: its type and text, the request's method and URL, all scrubbed."""
    detail = str(error) or type(error).__name__
    return redact(f"{type(error).__name__} on {request.method} {request.safe_url}: {detail}", request.secrets)

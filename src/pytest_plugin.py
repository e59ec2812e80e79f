"""llmport's pytest plugin (loaded through the ``pytest11`` entry point when llmport is installed).

Fixtures:
    llm_fake: An ``LLMFake`` answering every llmport call the test makes, module-level
        ``llmport.completion()`` included: queue replies with ``llm_fake.reply(...)`` or give
        a function with ``llm_fake.respond_with(fn)``; ``llm_fake.requests`` records the calls.
    llm_client: The ``Client`` behind ``llm_fake``, for code that takes a client.

The network guard: ``@pytest.mark.llmport_no_network`` on a test (or module, or class), or
``--llmport-no-network`` for the whole run, sets ``LLMPORT_ALLOW_NETWORK=0`` for the test, so
llmport refuses every request beyond loopback before connecting.

Nothing of llmport is imported until a fixture is used, so the plugin costs other test suites
nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .app.client import Client
    from .domain.models.request import CompletionRequest

MARKER = "llmport_no_network"
OPTION = "--llmport-no-network"
ENV_VAR = "LLMPORT_ALLOW_NETWORK"  # network_guard.ENV_VAR, without importing llmport here


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--llmport-no-network``."""
    parser.getgroup("llmport").addoption(
        OPTION,
        action="store_true",
        default=False,
        help="refuse every llmport request beyond loopback (sets LLMPORT_ALLOW_NETWORK=0 in each test)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line(
        "markers", f"{MARKER}: refuse every llmport request beyond loopback in this test (network guard)"
    )


@pytest.fixture(autouse=True)
def _llmport_network_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn the network guard on for a test with the marker, or for every test with the option."""
    if request.node.get_closest_marker(MARKER) is not None or request.config.getoption(OPTION):
        monkeypatch.setenv(ENV_VAR, "0")


class LLMFake:
    """Answers llmport calls in a test: queued replies first, else the function given, else an error.

    A reply is what ``fake_client``'s function may return (a ``str``, a ``ModelResponse``, a list
    of chunks or of text pieces), or an exception to raise (``llmport.RateLimitError(...)``).

    Attributes:
        requests: Every ``CompletionRequest`` answered, in order (retries included).
        client: The ``Client`` these answers come through.
    """

    def __init__(self) -> None:
        from .testing.fake_client import fake_client

        self.requests: list[CompletionRequest] = []
        self._replies: deque[Any] = deque()
        self._function: Callable[[CompletionRequest], Any] | None = None
        self.client: Client = fake_client(self._answer)

    def reply(self, *replies: Any) -> LLMFake:
        """Queue replies, used one per call in order (before any ``respond_with`` function)."""
        self._replies.extend(replies)
        return self

    def respond_with(self, function: Callable[[CompletionRequest], Any]) -> LLMFake:
        """Answer every call that finds no queued reply with ``function(request)``."""
        self._function = function
        return self

    @property
    def last_request(self) -> CompletionRequest:
        """The most recent request (``IndexError`` when there was none)."""
        return self.requests[-1]

    def _answer(self, request: CompletionRequest) -> Any:
        self.requests.append(request)
        if self._replies:
            reply = self._replies.popleft()
        elif self._function is not None:
            reply = self._function(request)
        else:
            raise AssertionError(
                f"llm_fake has no reply for call {len(self.requests)} (model={request.model!r}); "
                "queue one with llm_fake.reply(...) or set llm_fake.respond_with(fn)"
            )
        if isinstance(reply, BaseException):
            raise reply
        return reply


@pytest.fixture
def llm_fake() -> Iterator[LLMFake]:
    """Answer the test's llmport calls, module-level ones included, with an ``LLMFake``."""
    from .app.default import use_client

    fake = LLMFake()
    with use_client(fake.client):
        yield fake
    fake.client.close()


@pytest.fixture
def llm_client(llm_fake: LLMFake) -> Client:
    """Return the ``Client`` whose calls ``llm_fake`` answers."""
    return llm_fake.client

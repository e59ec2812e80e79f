"""The Router's state port: rate-limit windows, cooldowns and load, per deployment id.

In memory it serves one process; in Redis every process and machine sharing it sees the same
counts and cooldowns. Windows are moving windows of one minute (rpm, tpm, failures).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class RouterState(Protocol):
    """Shared counters of a Router's deployments."""

    def take_request(self, deployment: str, rpm: int | None) -> bool:
        """Count one request if the deployment is under ``rpm`` this minute (atomically); else False."""
        ...

    def tokens_fit(self, deployment: str, tpm: int | None, tokens: int) -> bool:
        """Whether ``tokens`` more fit under ``tpm`` this minute (always True without a limit)."""
        ...

    def add_tokens(self, deployment: str, tpm: int | None, tokens: int) -> None:
        """Count tokens a call used."""
        ...

    def tokens_used(self, deployments: Sequence[tuple[str, int | None]]) -> Mapping[str, int]:
        """Tokens used this minute by each ``(deployment, tpm)``."""
        ...

    def wait_time(self, deployment: str, rpm: int | None, tpm: int | None, tokens: int) -> float:
        """Seconds until the deployment has room for one more request of ``tokens`` (0 if it has)."""
        ...

    def failed(self, deployment: str, allowed_fails: int) -> bool:
        """Count a failure; True when it is more than ``allowed_fails`` this minute."""
        ...

    def cool(self, deployment: str, seconds: float) -> None:
        """Keep the deployment out of rotation for ``seconds``."""
        ...

    def cooling(self, deployments: Sequence[str]) -> Mapping[str, float]:
        """Return the deployments cooling down now, with the seconds left."""
        ...

    def busy(self, deployment: str, delta: int) -> None:
        """Add ``delta`` (+1 on start, -1 on end) to the deployment's calls in flight."""
        ...

    def in_flight(self, deployments: Sequence[str]) -> Mapping[str, int]:
        """Return the calls in flight per deployment."""
        ...

    def observe_latency(self, deployment: str, seconds: float) -> None:
        """Fold one call's latency into the deployment's running mean."""
        ...

    def latencies(self, deployments: Sequence[str]) -> Mapping[str, float]:
        """Return the running mean latency per deployment (absent when never measured)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...

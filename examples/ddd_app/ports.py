"""What the application needs from the outside world, as protocols of its own words."""

from __future__ import annotations

from typing import Protocol

from .domain import Ticket, Triage


class TriageModel(Protocol):
    """Reads a ticket and proposes a priority and a summary."""

    def triage(self, ticket: Ticket) -> Triage:
        """Return the triage of ``ticket``."""
        ...


class TriageStore(Protocol):
    """Keeps triage decisions."""

    def save(self, triage: Triage) -> None:
        """Store one decision."""
        ...

    def get(self, ticket_id: str) -> Triage | None:
        """Return the decision for ``ticket_id``, if any."""
        ...

"""The domain: support tickets and how they are triaged. No framework, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Priority(Enum):
    """How soon a ticket needs a human."""

    LOW = "low"
    NORMAL = "normal"
    URGENT = "urgent"


@dataclass(frozen=True)
class Ticket:
    """A customer's message to support."""

    ticket_id: str
    text: str


@dataclass(frozen=True)
class Triage:
    """The decision about one ticket: its priority and a one-line summary for the queue."""

    ticket_id: str
    priority: Priority
    summary: str

    @classmethod
    def parse(cls, ticket_id: str, answer: str) -> Triage:
        """Read ``"<priority>: <summary>"``; an unknown priority is NORMAL, never an exception."""
        word, _, summary = answer.partition(":")
        try:
            priority = Priority(word.strip().lower())
        except ValueError:
            priority, summary = Priority.NORMAL, answer
        return cls(ticket_id, priority, summary.strip())

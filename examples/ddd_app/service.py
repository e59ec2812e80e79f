"""The application service: triage a ticket once, keep the decision."""

from __future__ import annotations

from .domain import Ticket, Triage
from .ports import TriageModel, TriageStore


class TriageService:
    """Triage tickets with a model, remembering each decision.

    Args:
        model: Proposes the triage.
        store: Keeps the decisions.
    """

    def __init__(self, model: TriageModel, store: TriageStore) -> None:
        self._model = model
        self._store = store

    def triage(self, ticket: Ticket) -> Triage:
        """Return the stored decision for ``ticket``, or ask the model and store its answer."""
        known = self._store.get(ticket.ticket_id)
        if known is not None:
            return known
        decision = self._model.triage(ticket)
        self._store.save(decision)
        return decision

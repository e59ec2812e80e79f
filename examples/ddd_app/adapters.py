"""The ports implemented with llmport, and llmport's logger port implemented with stdlib logging."""

from __future__ import annotations

import logging

import llmport

from .domain import Ticket, Triage

PROMPT = "You triage support tickets. Answer with one line: '<low|normal|urgent>: <summary in ten words>'."
# llmport's level names → stdlib logging levels.
_LEVELS = {"TRACE": 5, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING}


class LLMTriageModel:
    """``TriageModel`` over any llmport ``Client`` (the host's container supplies it).

    Args:
        client: The llmport client.
        model: The model to ask, e.g. ``"openai/gpt-4o-mini"``.
    """

    def __init__(self, client: llmport.Client, model: str) -> None:
        self._client = client
        self._model = model

    def triage(self, ticket: Ticket) -> Triage:
        """Ask the model; identical tickets are answered from llmport's cache."""
        messages = [{"role": "system", "content": PROMPT}, {"role": "user", "content": ticket.text}]
        reply = self._client.completion(self._model, messages, temperature=0, caching=True)
        return Triage.parse(ticket.ticket_id, reply.choices[0].message.content or "")


class InMemoryTriageStore:
    """``TriageStore`` in a dict (a real application would use its database)."""

    def __init__(self) -> None:
        self._decisions: dict[str, Triage] = {}

    def save(self, triage: Triage) -> None:
        """Store one decision."""
        self._decisions[triage.ticket_id] = triage

    def get(self, ticket_id: str) -> Triage | None:
        """Return the decision for ``ticket_id``, if any."""
        return self._decisions.get(ticket_id)


class StdlibLogger:
    """llmport's ``Logger`` port over the host's stdlib ``logging`` (llmport's fields in ``extra``).

    Args:
        name: The stdlib logger to write to.
    """

    def __init__(self, name: str = "ddd_app.llm") -> None:
        self._logger = logging.getLogger(name)

    def enabled(self, level: str) -> bool:
        """Whether the stdlib logger would emit ``level``."""
        return self._logger.isEnabledFor(_LEVELS.get(level, logging.ERROR))

    def log(self, level: str, message: str, /, **fields: object) -> None:
        """Emit one event; llmport has already scrubbed secrets from ``fields``."""
        self._logger.log(_LEVELS.get(level, logging.ERROR), message, extra={"llmport": fields})

"""A host application that embeds llmport's container: support-ticket triage, domain-driven.

- ``domain.py``: the ticket and its triage, plain values with no infrastructure.
- ``ports.py``: what the application needs from the outside (a triage model, a ticket store).
- ``service.py``: the application service, written against the ports only.
- ``adapters.py``: the ports implemented with llmport, and a stdlib-logging adapter for
  llmport's own logger port.
- ``container.py``: the host's ``DeclarativeContainer``; llmport's ``LLMPortContainer`` is a
  sub-container with its own cache, this logger adapter and the host's configuration.

Its tests (tests/examples/test_ddd_app.py) run it on a fake transport with a scoped override.
"""

"""The Cohere v2 chat wire format: ``POST /v2/chat``, JSON and SSE with ``event:`` lines."""

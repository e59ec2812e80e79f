"""The Ollama native wire format: ``/api/chat`` and ``/api/generate``, JSON and NDJSON."""

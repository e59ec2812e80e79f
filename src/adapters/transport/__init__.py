"""Transport adapters: httpx (real) and ``FakeTransport`` (tests)."""

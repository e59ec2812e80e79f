"""Adapters: the concrete implementations of each port (providers, transport, cache, logging...)."""

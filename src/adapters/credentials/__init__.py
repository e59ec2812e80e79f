"""Credential adapters: environment variables, a static mapping, or a chain of both."""

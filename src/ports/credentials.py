"""The credentials port: named settings such as ``OPENAI_API_KEY`` or ``AZURE_API_BASE``."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import SecretStr


@runtime_checkable
class Credentials(Protocol):
    """Looks up keys and endpoint settings by their conventional environment-variable name."""

    def get(self, name: str) -> SecretStr | None:
        """Return the value of ``name`` (held as a secret), or None when unset or empty."""
        ...

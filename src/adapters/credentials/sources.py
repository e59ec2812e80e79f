"""Where keys and endpoint settings come from: the environment, a mapping, or a chain."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import SecretStr

from ...ports.credentials import Credentials


class EnvCredentials:
    """Reads settings from environment variables at call time (so later changes are seen).

    Args:
        environ: The mapping to read (defaults to ``os.environ``).
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def __repr__(self) -> str:
        return "EnvCredentials()"

    def get(self, name: str) -> SecretStr | None:
        """Return the variable's value, or None when unset or blank."""
        value = self._environ.get(name)
        return SecretStr(value) if value and value.strip() else None


class StaticCredentials:
    """Settings from a fixed mapping, e.g. ``{"OPENAI_API_KEY": "sk-..."}``; values held as secrets."""

    def __init__(self, values: Mapping[str, str | SecretStr]) -> None:
        secrets = {
            name: value if isinstance(value, SecretStr) else SecretStr(value)
            for name, value in values.items()
        }
        # Blank values count as unset, as they do in EnvCredentials, so a chain asks further.
        self._values = {name: value for name, value in secrets.items() if value.get_secret_value().strip()}

    def __repr__(self) -> str:
        return f"StaticCredentials(names={sorted(self._values)})"

    def get(self, name: str) -> SecretStr | None:
        """Return the value for ``name``, if set."""
        return self._values.get(name)


class ChainedCredentials:
    """Asks each source in turn; the first that knows the name wins."""

    def __init__(self, *sources: Credentials) -> None:
        self._sources = sources

    def __repr__(self) -> str:
        return f"ChainedCredentials({', '.join(map(repr, self._sources))})"

    def get(self, name: str) -> SecretStr | None:
        """Return the first source's value for ``name``."""
        for source in self._sources:
            value = source.get(name)
            if value is not None:
                return value
        return None

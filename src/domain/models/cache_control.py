"""Per-call cache controls: litellm's ``caching=`` switch and ``cache={...}`` directives."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .errors import bad_request

# litellm's directive names (HTTP Cache-Control style) → CacheControl fields.
_FLAGS = {"no-cache": "no_cache", "no-store": "no_store"}
_SECONDS = {"ttl": "ttl", "s-maxage": "max_age"}
CacheScope = Literal["credentials", "shared"]
SCOPES: tuple[CacheScope, ...] = ("credentials", "shared")


@dataclass(frozen=True, slots=True)
class CacheControl:
    """How one call uses the response cache.

    Attributes:
        enabled: ``caching=`` as given: True forces a cache (memory when the client has none),
            False bypasses it, None uses the client's cache if it has one.
        no_cache: Skip the lookup (the answer is still stored).
        no_store: Do not store the answer.
        ttl: Seconds the stored answer lives (default: until evicted).
        max_age: Accept only entries younger than this many seconds.
        namespace: Separates entries of different callers sharing one cache.
        scope: ``"credentials"`` keeps entries apart per caller credentials (the default),
            ``"shared"`` shares them across credentials; None uses the client's ``cache_scope``.
    """

    enabled: bool | None = None
    no_cache: bool = False
    no_store: bool = False
    ttl: float | None = None
    max_age: float | None = None
    namespace: str | None = None
    scope: CacheScope | None = None

    @classmethod
    def parse(cls, caching: object, directives: object, model: str) -> CacheControl:
        """Check ``caching=`` and ``cache=`` and combine them.

        Raises:
            BadRequestError: naming the field for a wrong type or an unknown directive.
        """
        if caching is not None and not isinstance(caching, bool):
            raise bad_request(f"caching must be a bool, got {caching!r}", param="caching", model=model)
        if directives is None:
            return cls(enabled=caching)
        if not isinstance(directives, Mapping):
            raise bad_request("cache must be a dict of directives", param="cache", model=model)
        values: dict[str, object] = {"enabled": caching}
        for name, value in directives.items():
            values[_field(name, value, model)] = value
        return cls(**values)  # type: ignore[arg-type]


def _field(name: object, value: object, model: str) -> str:
    param = f"cache[{name!r}]"
    if name in _FLAGS:
        if not isinstance(value, bool):
            raise bad_request(f"{param} must be a bool, got {value!r}", param=param, model=model)
        return _FLAGS[str(name)]
    if name in _SECONDS:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
            # NaN fails the comparison too: an entry that never expires is not what was asked.
            raise bad_request(
                f"{param} must be a finite number of seconds (>= 0), got {value!r}", param=param, model=model
            )
        return _SECONDS[str(name)]
    if name == "namespace":
        if not isinstance(value, str):
            raise bad_request(f"{param} must be a string, got {value!r}", param=param, model=model)
        return "namespace"
    if name == "scope":
        if value not in SCOPES:
            raise bad_request(f"{param} must be one of {SCOPES}, got {value!r}", param=param, model=model)
        return "scope"
    known = ", ".join(sorted([*_FLAGS, *_SECONDS, "namespace", "scope"]))
    raise bad_request(f"unknown cache directive {name!r} (known: {known})", param=param, model=model)

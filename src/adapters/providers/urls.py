"""Base URLs with a query string: the endpoint goes on the path, the query stays at the end.

``https://gw.example.com/v1?subscription-key=K`` plus ``/chat/completions`` is the
path ``/v1/chat/completions`` then ``?subscription-key=K``,
never ``/v1?subscription-key=K/chat/completions``.
"""

from __future__ import annotations


def split_query(base: str) -> tuple[str, str]:
    """Split a base URL into its path part (no trailing slash) and its query (without ``?``)."""
    path, _, query = base.partition("?")
    return path.rstrip("/"), query


def with_query(url: str, query: str) -> str:
    """Append ``query`` to ``url`` (which may already carry one)."""
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"

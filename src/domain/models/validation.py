"""Input that cannot be sent, refused before anything is: each case a ``BadRequestError`` naming the field.

Without these checks such input escaped as foreign exceptions from deep inside the call
(``RecursionError``, ``TypeError``, an ``h11`` error), was sent as invalid JSON (NaN), or became a
connection error that was retried with backoff (a CR LF in a header, a ``file://`` URL).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .errors import bad_request

# Deeper than any real schema or message; far below Python's recursion limit (the JSON encoder
# recurses once per level).
MAX_DEPTH = 100
# Headers the HTTP library owns: set by hand they desynchronise the framing of the request.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "content-length",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_SCHEMES = ("http", "https")
LOCAL_SCHEME = "local"


def check_body(model: str, **parts: Any) -> None:
    """Check that each named part of a request body can be sent as JSON.

    Refused: nesting deeper than ``MAX_DEPTH``, dict keys that are not strings (integers pass, sent
    as their decimal text as ``json`` does), NaN and infinities, and any value that is not a
    dict, list, tuple, string, number, bool or None (a set, bytes...).

    Args:
        model: The call's model (for the error).
        **parts: The parts to check, by the name the error gives (``tools``, ``extra_body``...).

    Raises:
        BadRequestError: whose ``param`` is the part (``extra_body``) and whose message gives the
            path of the first offending value (``extra_body['x'][2]``).
    """
    for name, value in parts.items():
        if not _fine(value, 0):
            _check_json(value, name, 0, (name, model))  # the slow walk finds and names the culprit


def _fine(value: Any, depth: int) -> bool:
    """Whether ``value`` can be sent as JSON: the fast path, run on every call (no paths built)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if depth >= MAX_DEPTH:
        return False
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) is not str and not _fine(item, depth + 1)):
                return False
        return True
    if kind is list or kind is tuple:
        return all(type(item) is str or _fine(item, depth + 1) for item in value)
    return False  # anything rarer (int keys, subclasses): the slow walk decides


def _check_json(value: Any, path: str, depth: int, where: tuple[str, str]) -> None:
    # `where`: the part being checked (the param of every error here) and the call's model.
    field, model = where
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return
    if kind is float or isinstance(value, float):
        if not math.isfinite(value):
            raise bad_request(f"{path} is {value!r}: JSON has no NaN or infinity", param=field, model=model)
        return
    if depth >= MAX_DEPTH:
        raise bad_request(f"{field} is nested more than {MAX_DEPTH} levels deep", param=field, model=model)
    if isinstance(value, Mapping):
        _check_mapping(value, path, depth, where)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]", depth + 1, where)
        return
    if isinstance(value, str | int):  # str and int subclasses (enums) encode as their value
        return
    raise bad_request(
        f"{path} is a {type(value).__name__}, which JSON cannot carry (use a list, dict, str or number)",
        param=field,
        model=model,
    )


def _check_mapping(value: Mapping[Any, Any], path: str, depth: int, where: tuple[str, str]) -> None:
    for key, item in value.items():
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise bad_request(
                f"{path} has a key of type {type(key).__name__}: JSON keys are strings",
                param=where[0],
                model=where[1],
            )
        _check_json(item, f"{path}[{key!r}]", depth + 1, where)


def check_headers(headers: Mapping[Any, Any], model: str) -> None:
    """Check ``extra_headers``: token names, string values without CR, LF or NUL, no hop-by-hop header.

    Raises:
        BadRequestError: naming the header (never quoting its value: it may be a key).
    """
    for name, value in headers.items():
        param = (
            f"extra_headers[{name!r}]"
            if isinstance(name, str) and _TOKEN.fullmatch(name)
            else "extra_headers"
        )
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise bad_request(
                "extra_headers has a header name that is not a valid HTTP token", param=param, model=model
            )
        if name.lower() in HOP_BY_HOP:
            raise bad_request(
                f"extra_headers cannot set {name!r}: the HTTP library sets it from the body it sends",
                param=param,
                model=model,
            )
        if not isinstance(value, str) or any(char in value for char in "\r\n\0"):
            raise bad_request(
                f"the value of extra_headers[{name!r}] must be a string without CR, LF or NUL",
                param=param,
                model=model,
            )


def check_url(url: str, model: str) -> None:
    """Check the URL a request goes to: ``http``/``https`` (or ``local://``) with a host.

    Raises:
        BadRequestError: for ``param="api_base"`` (the URL is built from it), without quoting it.
    """
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a port that is not a number or out of range
    except ValueError:
        raise bad_request("api_base is not a valid URL", param="api_base", model=model) from None
    scheme = parts.scheme.lower()
    if scheme == LOCAL_SCHEME:
        return
    if scheme not in _SCHEMES:
        raise bad_request(
            f"api_base must be an http:// or https:// URL, not {scheme or 'a schemeless'}:// one",
            param="api_base",
            model=model,
        )
    if not parts.hostname or any(char in url for char in " \r\n\t\0") or port == 0:
        raise bad_request(
            "api_base is not a valid URL (no host, or a space or control character)",
            param="api_base",
            model=model,
        )

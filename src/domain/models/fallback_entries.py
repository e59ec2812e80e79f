"""``fallbacks=`` and ``context_window_fallbacks=``: each entry checked and built into its own request.

An entry is a model string or a dict with ``model`` plus completion keywords. The entry's request
takes every keyword of the call, then the entry's own keywords on top, except:

- the fallback lists themselves, ``deadline`` (it bounds the whole call) and ``mock_response``
  (a canned answer belongs to the model it was given for) are never carried over;
- ``deployment_id`` and ``custom_llm_provider`` name the primary's target and are never carried over;
- credentials and endpoint (``api_key``, ``api_base``/``base_url``, ``api_version``,
  ``organization``) are carried over by the dispatcher only when the entry resolves to the same
  provider as the primary: an OpenAI key is never sent to Anthropic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import BadRequestError, bad_request

if TYPE_CHECKING:
    from .request import CompletionRequest

FALLBACK_LISTS = ("fallbacks", "context_window_fallbacks")
# Keywords that belong to the whole call or to the primary's target alone.
NOT_CARRIED = frozenset(
    {*FALLBACK_LISTS, "deadline", "mock_response", "deployment_id", "custom_llm_provider"}
)
# Keywords carried over only to a fallback on the primary's provider, and the option each sets.
PROVIDER_BOUND: Mapping[str, str] = {
    "api_key": "api_key",
    "api_base": "api_base",
    "base_url": "api_base",
    "api_version": "api_version",
    "organization": "organization",
}
# Keywords an entry cannot set: they shape the whole call (its return type, its input, its bound).
NOT_IN_ENTRY = frozenset({*FALLBACK_LISTS, "deadline", "stream", "messages"})

Build = Callable[[object, object, Mapping[str, Any]], "CompletionRequest"]


@dataclass(frozen=True, slots=True)
class FallbackEntry:
    """One checked fallback.

    Attributes:
        label: Where the caller wrote it, e.g. ``"fallbacks[1]"``.
        context_window_only: True for ``context_window_fallbacks`` entries.
        request: The request this entry sends (provider-bound options only if the entry gave them).
        given: The provider-bound options (``CallOptions`` names) the entry set itself.
    """

    label: str
    context_window_only: bool
    request: CompletionRequest
    given: frozenset[str]

    def __repr__(self) -> str:
        return f"FallbackEntry({self.label}, model={self.request.model!r})"


def parse_fallbacks(
    kwargs: Mapping[str, Any], messages: list[dict[str, Any]], model: str, build: Build
) -> tuple[FallbackEntry, ...]:
    """Check both fallback lists of a call and build each entry's request.

    Args:
        kwargs: The call's keywords.
        messages: The call's normalised messages.
        model: The primary model (for error messages).
        build: ``build_request``, passed in to keep this module free of an import cycle.

    Raises:
        BadRequestError: naming ``fallbacks[i]`` (or the list) and the problem, before any network call.
    """
    carried = {k: v for k, v in kwargs.items() if k not in NOT_CARRIED and k not in PROVIDER_BOUND}
    entries: list[FallbackEntry] = []
    for name in FALLBACK_LISTS:
        for index, raw in enumerate(_entries(name, kwargs.get(name), model)):
            label = f"{name}[{index}]"
            target, overrides = _split(raw, label, model)
            try:
                request = build(target, messages, {**carried, **overrides})
            except BadRequestError as error:
                raise relabelled(error, label, target) from None
            given = frozenset(PROVIDER_BOUND[k] for k, v in overrides.items() if k in PROVIDER_BOUND and v)
            entries.append(FallbackEntry(label, name == "context_window_fallbacks", request, given))
    return tuple(entries)


def _entries(name: str, value: object, model: str) -> Sequence[object]:
    if value is None:
        return ()
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise bad_request(
            f"{name} must be a list of model names or dicts with 'model', got {type(value).__name__}",
            param=name,
            model=model,
        )
    return value


def _split(raw: object, label: str, model: str) -> tuple[str, dict[str, Any]]:
    if isinstance(raw, str) and raw.strip():
        return raw, {}
    if not isinstance(raw, Mapping):
        raise bad_request(
            f"{label} must be a model name or a dict with 'model', got {type(raw).__name__}",
            param=label,
            model=model,
        )
    target = raw.get("model")
    if not isinstance(target, str) or not target.strip():
        raise bad_request(f"{label} needs a non-empty 'model'", param=label, model=model)
    refused = sorted(str(key) for key in raw if key in NOT_IN_ENTRY)
    if refused:
        raise bad_request(
            f"{label} cannot set {', '.join(refused)}: it belongs to the whole call", param=label, model=model
        )
    return target, {str(key): value for key, value in raw.items() if key != "model"}


def relabelled(error: BadRequestError, label: str, target: str) -> BadRequestError:
    """Return the same error class, saying which entry was bad."""
    where = f"{label} ({target!r})"
    detail = f"{error.param}: " if error.param and error.param != "model" else ""
    return type(error)(f"{where}: {detail}{error.message}", error.llm_provider, error.model, param=label)

"""litellm's module-level settings (``litellm.drop_params = True``) for drop-in code.

Assigning one of ``MODULE_SETTINGS`` on the ``llmport`` module configures the default client
only: the one module-level ``completion()`` uses. ``Client`` instances, and clients given to
``use_client``, are unaffected. Any other assignment of an unknown name raises
``AttributeError`` naming the ``Client(...)`` argument to use instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import SecretStr

from ..domain.dispatch import DispatchSettings
from ..domain.models.request import TimeoutConfig


def _bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"llmport.{name} must be True or False, got {value!r}")
    return value


def _retries(name: str, value: object) -> int | None:
    if value is None:  # back to the default
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"llmport.{name} must be a non-negative integer, got {value!r}")
    return value


def _optional_str(name: str, value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"llmport.{name} must be a string or None, got {type(value).__name__}")
    return value


@dataclass(frozen=True, slots=True)
class ModuleSettings:
    """The values assigned on the module; None means "not set" (the defaults apply)."""

    drop_params: bool = False
    num_retries: int | None = None
    request_timeout: Any = None
    api_key: str | None = None
    api_base: str | None = None
    set_verbose: bool = False
    suppress_debug_info: bool = False  # llmport prints no banners or debug hints to silence
    telemetry: bool = False  # llmport sends no telemetry; accepted so drop-in code runs

    def dispatch_settings(self) -> DispatchSettings:
        """Return the default client's ``DispatchSettings`` under these values."""
        base = DispatchSettings()
        timeout = self.request_timeout
        return replace(
            base,
            drop_params=self.drop_params,
            num_retries=base.num_retries if self.num_retries is None else self.num_retries,
            timeout=base.timeout if timeout is None else TimeoutConfig.parse(timeout),
            api_key=None if self.api_key is None else SecretStr(self.api_key),
            api_base=self.api_base,
        )

    @property
    def log_level(self) -> str | None:
        """The default client's log level: DEBUG under ``set_verbose``."""
        return "DEBUG" if self.set_verbose else None


def _timeout(_name: str, value: object) -> object:
    if value is not None:  # None: back to the default
        TimeoutConfig.parse(value)  # raises BadRequestError naming the timeout
    return value


def check_callbacks(name: str, value: object) -> list[Any] | None:
    """Check a list of callbacks, raising ``TypeError`` naming ``name`` for what llmport cannot run."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise TypeError(f"{name} must be a list, got {type(value).__name__}")
    for index, item in enumerate(value):
        if isinstance(item, str):
            raise TypeError(
                f"{name}[{index}] names a litellm integration ({item!r}); llmport takes functions and "
                "CustomLogger objects (from llmport.integrations.custom_logger import CustomLogger)"
            )
        if not callable(item) and not hasattr(item, "log_success_event"):
            raise TypeError(
                f"{name}[{index}] must be a function or a CustomLogger, got {type(item).__name__}"
            )
    return value


# Module setting → its checker (returns the value to keep).
MODULE_SETTINGS: Mapping[str, Callable[[str, Any], Any]] = {
    "drop_params": _bool,
    "num_retries": _retries,
    "request_timeout": _timeout,
    "api_key": _optional_str,
    "api_base": _optional_str,
    "set_verbose": _bool,
    "suppress_debug_info": _bool,
    "telemetry": _bool,
    # Lists the default client holds by reference (app/default.py), so `.append()` works too.
    "callbacks": check_callbacks,
    "success_callback": check_callbacks,
    "failure_callback": check_callbacks,
}

# litellm module settings llmport does not take, and the Client argument that does the job.
CLIENT_EQUIVALENTS: Mapping[str, str] = {
    "cache": "Client(cache=llmport.MemoryCache()) or Client(cache=llmport.DiskCache(path)), or caching=True",
    "input_callback": "Client(callbacks=[...]) with a CustomLogger's log_pre_api_call",
    "max_retries": "llmport.num_retries = N, or Client(num_retries=N)",
    "timeout": "llmport.request_timeout = seconds, or Client(timeout=...)",
    "base_url": "llmport.api_base = url, or Client(api_base=...)",
    "openai_key": "llmport.api_key = key, or Client(api_key=...)",
    "client_session": "Client(http_client=httpx.Client(...))",
    "aclient_session": "Client(async_http_client=httpx.AsyncClient(...))",
    "ssl_verify": "Client(ssl_verify=...)",
}


def unknown_setting(name: str) -> AttributeError:
    """Build the error for assigning a module attribute llmport does not take."""
    hint = CLIENT_EQUIVALENTS.get(name, "a Client(...) argument instead (see docs/compatibility.md)")
    known = ", ".join(sorted(MODULE_SETTINGS))
    return AttributeError(f"llmport has no module setting {name!r}; use {hint}. Module settings are: {known}")


def checked(name: str, value: object) -> Any:
    """Check a module setting's value, raising ``TypeError`` (or ``BadRequestError``) naming it."""
    return MODULE_SETTINGS[name](name, value)

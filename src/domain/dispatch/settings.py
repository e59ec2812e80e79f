"""Client-wide defaults the use case applies when a call does not say otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import SecretStr

from ...ports.transport import ResponseLimits
from ..models.cache_control import CacheScope
from ..models.errors import bad_request
from ..models.redaction import redact, url_secrets
from ..models.request import TimeoutConfig

DEFAULT_NUM_RETRIES = 2


@dataclass(frozen=True, slots=True)
class DispatchSettings:
    """Defaults of one client.

    Attributes:
        timeout: Per-attempt timeouts (600 s, connect 5 s by default).
        num_retries: Retries after the first attempt (2, like the OpenAI SDK).
        drop_params: Drop parameters a target cannot take instead of raising.
        api_key: A key used for every provider when the call gives none (litellm's ``api_key``).
        api_base: A base URL used for every provider when the call gives none.
        limits: Bounds on the size of answers (bodies, decompressed bodies, stream events).
        stream_idle_timeout: The longest a stream may go without a chunk (content or usage);
            keep-alive comments and empty events do not count. None: the read timeout;
            ``math.inf``: only silence on the socket counts (the read timeout then governs).
        cache_scope: ``"credentials"``: cached answers are shared only between callers with the
            same credentials and identity headers; ``"shared"``: across all callers.
    """

    timeout: TimeoutConfig = field(default_factory=TimeoutConfig)
    num_retries: int = DEFAULT_NUM_RETRIES
    drop_params: bool = False
    api_key: SecretStr | None = None
    api_base: str | None = None
    limits: ResponseLimits = field(default_factory=ResponseLimits)
    stream_idle_timeout: float | None = None
    cache_scope: CacheScope = "credentials"

    def __repr__(self) -> str:
        key = "set" if self.api_key is not None else None
        base = None if self.api_base is None else redact(self.api_base, url_secrets(self.api_base))
        return (
            f"DispatchSettings(timeout={self.timeout}, num_retries={self.num_retries}, "
            f"drop_params={self.drop_params}, api_key={key}, api_base={base!r}, "
            f"cache_scope={self.cache_scope!r})"
        )


def response_limits(
    max_response_bytes: int, max_decoded_bytes: int | None, max_event_bytes: int
) -> ResponseLimits:
    """Check and bundle the client's answer-size limits (``max_decoded_bytes`` defaults to the body's).

    Raises:
        BadRequestError: naming the setting that is not a positive whole number of bytes.
    """
    decoded = max_response_bytes if max_decoded_bytes is None else max_decoded_bytes
    for name, value in (
        ("max_response_bytes", max_response_bytes),
        ("max_decoded_bytes", decoded),
        ("max_event_bytes", max_event_bytes),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise bad_request(f"{name} must be a positive number of bytes, got {value!r}", param=name)
    return ResponseLimits(max_response_bytes, decoded, max_event_bytes)

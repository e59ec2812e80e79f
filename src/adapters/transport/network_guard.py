"""The network guard: with ``LLMPORT_ALLOW_NETWORK=0``, llmport sends nothing beyond loopback.

Every real transport (httpx, aiohttp) checks each request here before it connects, in any
program, not only under pytest (the pytest plugin's marker and option set the variable for a
test). The variable is read on every request, so a test can switch it on and off; the cost
when it is unset is one dictionary lookup.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from ...domain.models.errors import NetworkDisabledError
from ...ports.transport import HttpRequest

ENV_VAR = "LLMPORT_ALLOW_NETWORK"
_OFF = frozenset({"0", "false", "no", "off"})
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def network_allowed(environ: Mapping[str, str] | None = None) -> bool:
    """Whether requests beyond loopback may be sent (``LLMPORT_ALLOW_NETWORK`` is not 0)."""
    value = (os.environ if environ is None else environ).get(ENV_VAR)
    return value is None or value.strip().lower() not in _OFF


def is_loopback(url: str) -> bool:
    """Whether ``url`` names a loopback host (127.0.0.0/8, ::1, localhost)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_network(request: HttpRequest) -> None:
    """Refuse ``request`` before any connection when the network is off and it leaves loopback.

    Raises:
        NetworkDisabledError: naming the request's URL (scrubbed) and how to allow the network.
    """
    if network_allowed() or is_loopback(request.url):
        return
    raise NetworkDisabledError(
        f"network access is off ({ENV_VAR}=0): llmport refused {request.method} {request.safe_url} "
        "before connecting; only loopback addresses (127.0.0.1, ::1, localhost) are allowed. "
        f"To allow the network, unset {ENV_VAR} or set it to 1 (under pytest, drop the "
        "llmport_no_network marker or the --llmport-no-network option)."
    )

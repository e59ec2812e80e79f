"""The aiohttp transport: async calls on aiohttp, sync calls on the httpx transport.

httpx's async pool spends most of a busy event loop assigning requests to connections; aiohttp
serves the same loopback load an order of magnitude faster. An ``aiohttp.ClientSession`` is bound
to the loop that opened it, so, like ``HttpxTransport``'s async clients, this transport keeps one
session per loop and closes it when that loop shuts down (through the loop's async-generator
finaliser, which ``asyncio.run`` and ``asyncio.Runner`` call).

aiohttp is optional: ``pip install 'llmport[aiohttp]'``.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import ssl
import threading
import urllib.request
import weakref
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractContextManager, asynccontextmanager
from functools import lru_cache
from urllib.parse import unquote, urlsplit, urlunsplit

from ...domain.models.errors import APIConnectionError, BadRequestError, Timeout
from ...domain.models.request import TimeoutConfig
from ...ports.transport import HttpRequest, HttpResponse, StreamingResponse
from ._body import ACCEPT_ENCODING, Collector, Decoder
from ._loop import LoopFinaliser, close_sockets, closed_loops
from ._translate import Failures, Translated
from .httpx_transport import HttpxTransport

try:
    import aiohttp
    from yarl import URL  # installed with aiohttp
except ImportError as _missing:  # only reached through llmport.AiohttpTransport: never on `import llmport`
    raise ImportError("AiohttpTransport needs aiohttp: pip install 'llmport[aiohttp]'") from _missing

_CA_ENV = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
# The OpenAI SDK's pool size (HttpxTransport's DEFAULT_LIMITS), split as aiohttp counts it.
DEFAULT_LIMIT = 1000
DEFAULT_LIMIT_PER_HOST = 100
_Proxy = tuple[str, dict[str, str] | None]  # a proxy URL and its Proxy-Authorization header
_CONTROL = frozenset("\r\n\0")
# aiohttp's failures as llmport's, raised unchained (aiohttp's text can carry the raw URL).
# TimeoutError first: aiohttp's ServerTimeoutError (connect and read timeouts) is both. ClientError
# also covers a truncated or undecodable body, a bad URL and a failed proxy.
_FAILURES: Failures = ((TimeoutError, Timeout), (aiohttp.ClientError, APIConnectionError))


class AiohttpTransport:
    """A transport whose ``asend``/``astream`` run on aiohttp; ``send``/``stream`` on httpx.

    Use it for high-concurrency async workloads:
    ``llmport.Client(transport=llmport.AiohttpTransport())``.

    Args:
        ssl_verify: True (system/env CA bundle), False, a CA bundle path, or an ``ssl.SSLContext``.
        limit: Most connections open at once, across hosts.
        limit_per_host: Most connections open at once to one host.
    """

    def __init__(
        self,
        *,
        ssl_verify: bool | str | ssl.SSLContext = True,
        limit: int = DEFAULT_LIMIT,
        limit_per_host: int = DEFAULT_LIMIT_PER_HOST,
    ) -> None:
        self._sync = HttpxTransport(ssl_verify=ssl_verify)
        self._ssl_verify = ssl_verify
        self._ssl: ssl.SSLContext | bool | None = None
        self._limit = limit
        self._limit_per_host = limit_per_host
        self._sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopSession] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"AiohttpTransport(sessions={len(self._sessions)})"

    # -- sync: httpx ------------------------------------------------------------------------

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send ``request`` and read the whole response (over httpx)."""
        return self._sync.send(request)

    def stream(self, request: HttpRequest) -> AbstractContextManager[StreamingResponse]:
        """Send ``request`` and return the response for incremental reading (over httpx)."""
        return self._sync.stream(request)

    def close(self) -> None:
        """Close the sync (httpx) client, and the sessions of closed event loops."""
        self._reap_closed_loops()
        self._sync.close()

    # -- async: aiohttp ---------------------------------------------------------------------

    async def asend(self, request: HttpRequest) -> HttpResponse:
        """Async ``send``; the dispatcher bounds it with ``asyncio.timeout``."""
        response = await self._open(request)
        guard = Translated(request, _FAILURES)
        headers = _headers(response.headers)
        content = b""
        try:
            with guard:
                content = await _collect(response, request, headers)
        finally:
            response.release()
        guard.check()
        return HttpResponse(response.status, headers, content)

    @asynccontextmanager
    async def astream(self, request: HttpRequest) -> AsyncIterator[_AsyncStreamingResponse]:
        """Async ``stream``; leaving early closes the connection rather than draining it."""
        response = await self._open(request)
        try:
            yield _AsyncStreamingResponse(response, request)
        finally:
            # An unfinished body makes aiohttp drop the connection instead of pooling it.
            response.release()

    async def aclose(self) -> None:
        """Close the session of the running loop, those of closed loops, and the sync client."""
        with self._lock:
            entry = self._sessions.pop(asyncio.get_running_loop(), None)
        if entry is not None:
            await entry.close()
        self.close()

    async def _open(self, request: HttpRequest) -> aiohttp.ClientResponse:
        headers = _checked_headers(request.headers)
        url = _userinfo_as_basic_auth(request.url, headers)
        guard = Translated(request, _FAILURES)
        with guard:
            entry = await self._session()
            proxy, proxy_headers = entry.proxies.route(url, headers)
            response: aiohttp.ClientResponse = await entry.session.request(
                request.method,
                _as_sent(url),
                headers=headers,
                proxy=proxy,
                proxy_headers=proxy_headers,
                data=request.body or None,
                timeout=_timeout(request.timeout),
                allow_redirects=False,  # httpx's default: a redirect is an answer
                skip_auto_headers=("Content-Type",),  # no invented octet-stream type, as with httpx
            )
        guard.check()
        return response

    async def _session(self) -> _LoopSession:
        loop = asyncio.get_running_loop()
        entry = self._sessions.get(loop)
        if entry is None:
            self._reap_closed_loops()  # a new loop: an earlier one may have closed without a shutdown
            proxies = _EnvProxies.read()
            connector = aiohttp.TCPConnector(
                limit=self._limit, limit_per_host=self._limit_per_host, ssl=self._ssl_setting()
            )
            # trust_env stays off: in aiohttp it costs two thread hops per request (netrc and
            # proxy lookups). The proxy variables are read here instead, once per session, as
            # httpx reads them once per client.
            # Bodies are decompressed by llmport, step by step within their limits (_body.py).
            session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=None),
                auto_decompress=False,
                headers={"Accept-Encoding": ACCEPT_ENCODING},
            )
            entry = _LoopSession(session, proxies)
            with self._lock:
                self._sessions[loop] = entry
            await entry.close_with_loop()
        return entry

    def _reap_closed_loops(self) -> None:
        """Close the sessions of loops closed without ``shutdown_asyncgens()`` (their finaliser never ran)."""
        with self._lock:
            dead = [self._sessions.pop(loop) for loop in closed_loops(self._sessions.keys())]
        for entry in dead:
            entry.abandon()
            connector = entry.session.connector
            if connector is None:
                continue
            pooled = [proto for idle in connector._conns.values() for proto, _ in idle]
            close_sockets(proto.transport for proto in [*pooled, *connector._acquired])
            connector._conns.clear()
            connector._closed = True  # nothing left to close; its finaliser would warn otherwise

    def _ssl_setting(self) -> ssl.SSLContext | bool:
        # Built once and shared by every session: loading a CA bundle costs tens of milliseconds.
        if self._ssl is None:
            self._ssl = ssl_setting(self._ssl_verify)
        return self._ssl


class _LoopSession(LoopFinaliser):
    """A session and the finaliser that closes it when its event loop shuts down."""

    def __init__(self, session: aiohttp.ClientSession, proxies: _EnvProxies) -> None:
        super().__init__(session.close)
        self.session = session
        self.proxies = proxies


class _EnvProxies:
    """``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` and ``NO_PROXY``, as read at one moment."""

    def __init__(self, by_scheme: dict[str, _Proxy], env: dict[str, str]) -> None:
        self._by_scheme = by_scheme
        self._env = env

    @classmethod
    def read(cls) -> _EnvProxies:
        env = urllib.request.getproxies_environment()
        by_scheme = {}
        for scheme in ("http", "https"):
            address = env.get(scheme) or env.get("all")
            # aiohttp speaks plain-http proxies only (CONNECT tunnels https through them).
            if address and urlsplit(address).scheme == "http":
                by_scheme[scheme] = _without_auth(address)
        return cls(by_scheme, env)

    def route(self, url: str, headers: dict[str, str]) -> tuple[str | None, dict[str, str] | None]:
        """Return the proxy for ``url`` and the headers of its CONNECT request, if any.

        Plain http through a proxy has no CONNECT: its credentials go into ``headers``.
        """
        proxy, credentials = self._for_url(url)
        if credentials and not url.lower().startswith("https:"):
            headers.update(credentials)
            return proxy, None
        return proxy, credentials

    def _for_url(self, url: str) -> tuple[str | None, dict[str, str] | None]:
        if not self._by_scheme:
            return None, None
        parts = urlsplit(url)
        chosen = self._by_scheme.get(parts.scheme)
        try:
            port = parts.port
        except ValueError:
            return None, None  # a malformed URL: aiohttp reports it
        if chosen is None or _bypassed(parts.hostname or "", port, self._env.get("no", "")):
            return None, None
        return chosen


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    # curl's and httpx's reading: "*" for every host; a name covers itself and its subdomains.
    names = {host, f"{host}:{port}"} if port else {host}
    entries = {raw.strip().lstrip(".") for raw in no_proxy.lower().split(",")} - {""}
    return "*" in entries or any(
        name == entry or name.endswith(f".{entry}") for name in names for entry in entries
    )


def _without_auth(address: str) -> _Proxy:
    # aiohttp wants the proxy's credentials apart from its URL (and deprecates BasicAuth).
    url = URL(address)
    if url.user is None:
        return address, None
    token = base64.b64encode(f"{url.user}:{url.password or ''}".encode()).decode("ascii")
    return str(url.with_user(None)), {"Proxy-Authorization": f"Basic {token}"}


class _AsyncStreamingResponse:
    """A streamed aiohttp response behind the port's ``AsyncStreamingResponse``."""

    def __init__(self, response: aiohttp.ClientResponse, request: HttpRequest) -> None:
        self._response = response
        self._request = request
        self.status_code = response.status
        self.headers = _headers(response.headers)

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        guard = Translated(self._request, _FAILURES)
        with guard:
            decoder = Decoder(self.headers.get("content-encoding", ""))
            async for raw in self._response.content.iter_any():
                for piece in decoder.decode(raw):
                    yield piece
            for piece in decoder.flush():
                yield piece
        guard.check()

    async def aread(self) -> bytes:
        guard = Translated(self._request, _FAILURES)
        content = b""
        with guard:
            content = await _collect(self._response, self._request, self.headers)
        guard.check()
        return content


async def _collect(
    response: aiohttp.ClientResponse, request: HttpRequest, headers: Mapping[str, str]
) -> bytes:
    body = Collector(request, headers)
    async for piece in response.content.iter_any():
        body.add(piece)
    return body.result()


def _checked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    # httpx refuses non-ASCII values; aiohttp would send them as UTF-8. Name the header, never
    # show its value: it may be a key.
    bad = [name for name, value in headers.items() if not value.isascii() or not _CONTROL.isdisjoint(value)]
    if bad:
        raise BadRequestError(
            f"header value(s) {bad} contain non-ASCII or control characters and cannot be sent",
            "llmport",
            None,
            param="headers",
        )
    return dict(headers)


_UNENCODED = re.compile(r"[^!-~]|%(?![0-9A-Fa-f]{2})")  # a byte outside printable ASCII, or a lone %


def _as_sent(url: str) -> str | URL:
    """Return the URL as httpx would send it: an already percent-encoded URL travels unchanged.

    yarl re-quotes a plain string and decodes ``%3A`` to ``:`` in the path, which breaks a SigV4
    signature computed over the path the codec encoded (Bedrock model ids and ARNs). A URL that
    still needs quoting (spaces, non-ASCII) is left to yarl, as before.
    """
    return url if _UNENCODED.search(url) else URL(url, encoded=True)


def _userinfo_as_basic_auth(url: str, headers: dict[str, str]) -> str:
    """Move credentials in the URL to a Basic ``authorization`` header, as httpx does.

    httpx sends ``user:password@`` as Basic auth in place of any ``authorization`` header;
    aiohttp refuses that pair with a bare ``ValueError``. Both transports now send the same.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode("ascii")
    for name in [name for name in headers if name.lower() == "authorization"]:
        del headers[name]
    headers["authorization"] = f"Basic {token}"
    return urlunsplit(parts._replace(netloc=hostport))


@lru_cache(maxsize=64)
def _timeout(config: TimeoutConfig) -> aiohttp.ClientTimeout:
    # aiohttp's `connect` spans the wait for a pooled connection and the handshake; it has no
    # write timeout. sock_read restarts on every received piece: it is the stall timeout.
    acquire = None if config.connect is None or config.pool is None else config.connect + config.pool
    return aiohttp.ClientTimeout(
        total=None, connect=acquire, sock_connect=config.connect, sock_read=config.read
    )


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    # Repeated headers are joined with ", " as httpx does, so both transports answer alike.
    merged: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def ssl_setting(
    setting: bool | str | ssl.SSLContext, environ: Mapping[str, str] | None = None
) -> ssl.SSLContext | bool:
    """Turn ``ssl_verify`` into aiohttp's ``ssl`` argument, reading the CA variables httpx reads.

    Args:
        setting: True (environment or certifi CA bundle), False, a CA file or directory, or a context.
        environ: The environment to read (``os.environ`` by default).

    Returns:
        An ``ssl.SSLContext``, or False to skip verification.
    """
    env = os.environ if environ is None else environ
    if isinstance(setting, ssl.SSLContext) or setting is False:
        return setting
    if isinstance(setting, str):
        return _context_for(setting)
    bundle = next((env[name] for name in _CA_ENV if env.get(name)), None)
    if bundle:
        return ssl.create_default_context(cafile=bundle)
    if env.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=env["SSL_CERT_DIR"])
    import certifi  # httpx's default bundle (and its dependency), so both transports trust the same

    return ssl.create_default_context(cafile=certifi.where())


def _context_for(path: str) -> ssl.SSLContext:
    if os.path.isdir(path):
        return ssl.create_default_context(capath=path)
    return ssl.create_default_context(cafile=path)

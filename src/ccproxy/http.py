"""The pooled HTTP client every upstream call goes through, and its failures as proxy errors.

aiohttp, not httpx: under concurrency httpx's connection pool costs milliseconds of CPU per request
(it polls every pooled socket on each checkout), where aiohttp's costs a fraction of one; see
bench/RESULTS.md. HTTP/1.1 keep-alive connections are kept per upstream host.
"""

from __future__ import annotations

import asyncio
import functools
import urllib.request
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

import aiohttp

from ccproxy.errors import BadRequest, ProxyError, UpstreamTimeout, UpstreamUnavailable

Headers = Sequence[tuple[str, str]]


class UpstreamBroken(Exception):
    """The upstream connection failed after its response had started."""


@dataclass(frozen=True)
class Timeouts:
    connect: float
    read: float  # the longest wait for the next bytes, not for the whole answer

    @functools.cached_property
    def aiohttp(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(sock_connect=self.connect, sock_read=self.read)


class Upstream:
    """An upstream response whose body has not been read yet; `close()` it when done."""

    __slots__ = ("_body", "_response", "host", "tap")

    def __init__(self, response: aiohttp.ClientResponse, host: str) -> None:
        self._response = response
        self.host = host
        self._body: bytes | None = None
        # Sees every body byte on its way (the access log reads the token usage there).
        self.tap: Callable[[bytes], None] | None = None

    @property
    def status(self) -> int:
        return self._response.status

    @property
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        return self._response.raw_headers

    def header(self, name: str) -> str | None:
        return self._response.headers.get(name)

    @property
    def is_event_stream(self) -> bool:
        return self._response.headers.get("content-type", "").startswith("text/event-stream")

    async def read(self) -> bytes:
        """The whole body; a body cut short is a 502, not a truncated answer."""
        if self._body is not None:
            return self._body
        try:
            self._body = await self._response.read()
            if self.tap is not None:
                self.tap(self._body)
            return self._body
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise UpstreamUnavailable(
                f"{self.host} cut the response short ({type(exc).__name__})"
            ) from exc
        finally:
            self.close()

    async def chunks(self) -> AsyncIterator[bytes]:
        """Body bytes as they arrive; UpstreamBroken when the connection fails midway."""
        if self._body is not None:
            yield self._body
            return
        try:
            async for chunk in self._response.content.iter_any():
                if self.tap is not None:
                    self.tap(chunk)
                yield chunk
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise UpstreamBroken(type(exc).__name__) from exc
        finally:
            self.close()

    def close(self) -> None:
        self._response.release()


class Client:
    """One aiohttp session per process, started and stopped by the app's lifespan.

    Proxy variables (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) are read once at start: aiohttp's
    own `trust_env` re-reads the environment and `~/.netrc` on every request, in a thread.
    """

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str] = {}
        self._proxy_for_host: dict[tuple[str, str], str | None] = {}

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300, keepalive_timeout=60)
        # No cookie jar: upstream cookies (CDN ones) must not follow one client's request into
        # another's, and skipping the jar saves work on every request.
        self._session = aiohttp.ClientSession(
            connector=connector, auto_decompress=True, cookie_jar=aiohttp.DummyCookieJar()
        )
        proxies = urllib.request.getproxies()
        self._proxies = {
            scheme: proxies[scheme] for scheme in ("http", "https") if scheme in proxies
        }

    def _proxy(self, url: str) -> str | None:
        scheme, _, rest = url.partition("://")
        host = rest.split("/", 1)[0]
        if (scheme, host) not in self._proxy_for_host:
            proxy = self._proxies.get(scheme)
            bypass = proxy is not None and urllib.request.proxy_bypass(host.rsplit(":", 1)[0])
            self._proxy_for_host[(scheme, host)] = None if bypass else proxy
        return self._proxy_for_host[(scheme, host)]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("the HTTP client is used before the app started")
        return self._session

    async def send(
        self,
        method: str,
        url: str,
        *,
        host: str,
        headers: Headers,
        body: bytes | None,
        timeouts: Timeouts,
    ) -> Upstream:
        """Start a request; the response is returned as soon as its headers are in."""
        try:
            response = await self.session.request(
                method,
                url,
                data=body,
                headers=list(headers),
                timeout=timeouts.aiohttp,
                allow_redirects=False,
                proxy=self._proxy(url),
            )
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _as_proxy_error(exc, host) from exc
        return Upstream(response, host)


def _as_proxy_error(exc: BaseException, host: str) -> ProxyError:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return UpstreamTimeout(f"timed out connecting to {host}")
    if isinstance(exc, asyncio.TimeoutError):
        return UpstreamTimeout(f"{host} did not answer in time")
    detail = str(exc).strip()
    return UpstreamUnavailable(
        f"cannot reach {host}: {type(exc).__name__}" + (f" ({detail})" if detail else "")
    )


def client_header_value(name: str, value: str) -> str:
    """A client's header value (its bytes as latin-1, as ASGI servers give them), as a request
    upstream is to carry it. aiohttp writes header values as UTF-8, so UTF-8 goes out byte for
    byte; other bytes over 0x7f (obs-text, which HTTP keeps for old senders only) cannot, and
    are refused rather than sent altered."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(
            f"the {name} header is not valid UTF-8; send header values in ASCII"
        ) from None

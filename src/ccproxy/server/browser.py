"""What a browser may do with ccproxy: CORS for loopback origins (and configured ones), and
refusal of requests that a web page on another origin, or behind a rebound DNS name, sends.

Without this, any page the user opens could POST a `text/plain` "simple request" to
127.0.0.1:8000, which needs no preflight, and spend the user's subscription.
"""

from __future__ import annotations

import ipaddress

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ccproxy.server.envelopes import error_response

ALLOWED_METHODS = b"GET, POST, DELETE, HEAD, OPTIONS"
# Response headers a page's script may read besides the CORS-safelisted ones.
EXPOSED_HEADERS = (
    b"retry-after, request-id, server-timing, x-ccproxy-model, x-ccproxy-request-id, x-should-retry"
)
PREFLIGHT_MAX_AGE = b"600"
GOOD_HOSTS_KEPT = 64  # bounded: a client could send any number of names


def is_loopback_name(host: str) -> bool:
    """`localhost`, `*.localhost` or a loopback address (`127.0.0.1`, `[::1]`)."""
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin_host(origin: str) -> str | None:
    """The host of an `http(s)://host[:port]` origin; None for anything else (`null`, `file:`)."""
    scheme, sep, rest = origin.partition("://")
    if not sep or scheme not in ("http", "https") or not rest or "/" in rest:
        return None
    if rest.startswith("["):
        return rest[: rest.find("]") + 1] if "]" in rest else None
    return rest.rsplit(":", 1)[0] if rest.count(":") == 1 else rest


def host_name(host_header: str) -> str:
    """The name in a `Host` header, without its port."""
    if host_header.startswith("["):
        return host_header[: host_header.find("]") + 1]
    return host_header.rsplit(":", 1)[0]


class BrowserGuard:
    """Answers CORS preflights and adds CORS headers for allowed origins; refuses, with 403 in
    the route's envelope, a request from another origin, and (when ccproxy listens on
    loopback) a request addressed to a name that is not this machine's."""

    def __init__(
        self, app: ASGIApp, origins: tuple[str, ...], hosts: tuple[str, ...], check_host: bool
    ) -> None:
        self.app = app
        self.any_origin = "*" in origins
        self.origins = frozenset(origins)
        self.hosts = frozenset(hosts)
        self.check_host = check_host
        # `Host` values already found to be ours: nearly every request repeats one of a few, and
        # parsing it again would cost each request more than the rest of this check.
        self.good_hosts: set[bytes] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = host = b""
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
            elif name == b"host":
                host = value
        if not origin and (host in self.good_hosts or not self.check_host):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(origin.decode("latin-1"), host.decode("latin-1"))
        if refusal is None and host and len(self.good_hosts) < GOOD_HOSTS_KEPT:
            self.good_hosts.add(host)
        if refusal is not None:
            response = error_response(scope["path"], 403, refusal, error_type="permission_error")
            await response(scope, receive, send)
        elif not origin:
            await self.app(scope, receive, send)
        elif scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
            await _preflight(origin, _header(scope, b"access-control-request-headers"), send)
        else:
            await self.app(scope, receive, _with_cors(origin, send))

    def _refusal(self, origin: str, host: str) -> str | None:
        if self.check_host and host and not self._host_allowed(host_name(host).lower()):
            return (
                f"requests addressed to {host!r} are refused: ccproxy listens on loopback and "
                "answers only its own names; add the name to SECURITY__ALLOWED_HOSTS"
            )
        if origin and not self._origin_allowed(origin.rstrip("/").lower()):
            return (
                f"a web page from {origin!r} may not call ccproxy; add the origin to "
                "SECURITY__CORS_ORIGINS to allow it"
            )
        return None

    def _host_allowed(self, name: str) -> bool:
        return is_loopback_name(name) or name in self.hosts

    def _origin_allowed(self, origin: str) -> bool:
        if self.any_origin or origin in self.origins:
            return True
        host = origin_host(origin)
        return host is not None and is_loopback_name(host)


def _header(scope: Scope, wanted: bytes) -> bytes:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value)
    return b""


async def _preflight(origin: bytes, requested_headers: bytes, send: Send) -> None:
    headers = [
        (b"access-control-allow-origin", origin),
        (b"access-control-allow-methods", ALLOWED_METHODS),
        (b"access-control-max-age", PREFLIGHT_MAX_AGE),
        (b"vary", b"origin"),
        (b"content-length", b"0"),
    ]
    if requested_headers:
        headers.append((b"access-control-allow-headers", requested_headers))
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def _with_cors(origin: bytes, send: Send) -> Send:
    async def cors_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [
                *message.get("headers", ()),
                (b"access-control-allow-origin", origin),
                (b"access-control-expose-headers", EXPOSED_HEADERS),
                (b"vary", b"origin"),
            ]
        await send(message)

    return cors_send

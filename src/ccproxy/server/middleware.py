"""Pure ASGI middleware: client token check, request body limit, the last-resort error handler."""

from __future__ import annotations

import hmac
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ccproxy.errors import RequestTooLarge
from ccproxy.server import dashboard_login
from ccproxy.server.envelopes import error_response

log = logging.getLogger(__name__)

# Routes that never need the client token (CONTRACT.md §2.2), and the dashboard's login form.
# The HEAD preflights reveal nothing.
OPEN_PATHS = frozenset({"/health", "/oauth/callback", *dashboard_login.LOGIN_PATHS})
OPEN_HEAD_PATHS = frozenset({"", "/api", "/api/hello"})  # compared without trailing slashes


class BodyLimit:
    """Answers 413 to a request body over `limit` bytes: from its `Content-Length` before any of
    it is read, else (a chunked body) as soon as the chunks read pass the limit. The server
    already refuses a body longer than its declared length, so only bodies that declare none
    are counted."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.message = (
            f"the request body is larger than this server accepts ({limit:,} bytes; "
            "SERVER__MAX_BODY_BYTES)"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is None:
            await self.app(scope, self._counted(receive), send)
        elif declared > self.limit:
            response = error_response(
                scope["path"], 413, self.message, error_type="request_too_large",
                headers={"x-should-retry": "false", "connection": "close"},
            )  # fmt: skip
            await response(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _counted(self, receive: Receive) -> Receive:
        read = 0

        async def counted_receive() -> Message:
            nonlocal read
            message = await receive()
            read += len(message.get("body", b""))
            if read > self.limit:
                raise RequestTooLarge(self.message)
            return message

        return counted_receive


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class ClientAuth:
    """Requires `x-api-key: T` or `Authorization: Bearer T` when a client token is configured;
    the dashboard's reads also accept its session cookie, and a browser without one gets the
    login form instead of the dashboard."""

    def __init__(self, app: ASGIApp, token: str, dashboard: bool) -> None:
        self.app = app
        self.token = token.encode()
        self.session = dashboard_login.session_value(self.token)
        self.dashboard = dashboard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._is_open(scope) or self._presented_ok(scope):
            await self.app(scope, receive, send)
            return
        if dashboard_login.opens(scope, self.session):
            await self.app(scope, receive, send)
            return
        if self.dashboard and scope["path"] == "/dashboard" and scope["method"] in ("GET", "HEAD"):
            await dashboard_login.login_page(scope)(scope, receive, send)
            return
        response = error_response(
            scope["path"],
            401,
            "missing or invalid client token: send the ccproxy token (SECURITY__AUTH_TOKEN) "
            "as x-api-key or Authorization: Bearer",
            error_type="authentication_error",
            headers={"x-should-retry": "false"},
        )
        await response(scope, receive, send)

    @staticmethod
    def _is_open(scope: Scope) -> bool:
        path = scope["path"]
        if path in OPEN_PATHS:
            return True
        return scope["method"] == "HEAD" and path.rstrip("/") in OPEN_HEAD_PATHS

    def _presented_ok(self, scope: Scope) -> bool:
        ok = False
        for key, value in scope["headers"]:
            if key == b"x-api-key":
                ok |= hmac.compare_digest(value, self.token)
            elif key == b"authorization" and value[:7].lower() == b"bearer ":
                ok |= hmac.compare_digest(value[7:].strip(), self.token)
        return ok


class LastResortErrors:
    """Turns anything unexpected into one logged traceback and a 500 in the route's envelope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:  # the one catch-all of the server: see ARCHITECTURE.md house rules
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if not started:
                response = error_response(
                    scope["path"], 500, "internal proxy error; see the ccproxy log"
                )
                await response(scope, receive, send)


class ServerTiming:
    """Adds `Server-Timing: proxy;dur=…, upstream;dur=…` (ms), so anyone can see the overhead.

    A route that calls an upstream stores how long that took in `scope["state"]["upstream"]`
    (seconds); the rest of the time until the response starts is the proxy's.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = scope.setdefault("state", {})

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"server-timing", timing(started, state)),
                ]
            await send(message)

        await self.app(scope, receive, timed_send)


def timing(started: float, state: dict[str, object]) -> bytes:
    total = time.perf_counter() - started
    upstream = state.get("upstream")
    if not isinstance(upstream, float):
        return b"proxy;dur=%.2f" % (total * 1000)
    return b"proxy;dur=%.2f, upstream;dur=%.2f" % ((total - upstream) * 1000, upstream * 1000)

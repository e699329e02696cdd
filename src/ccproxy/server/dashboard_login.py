"""The dashboard's login: a browser cannot send the client token as a header, so a form trades
it for a session cookie, which then opens the dashboard's read-only routes and nothing else.

The cookie holds an HMAC of the token, not the token: it stops working when the token changes
and cannot be replayed as an API key on the routes that spend the subscription.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from http.cookies import CookieError, SimpleCookie
from importlib.resources import files
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Scope

COOKIE = "ccproxy_session"
COOKIE_MAX_AGE = 30 * 24 * 3600
# What the cookie opens: GET (and HEAD) of the dashboard and the routes its page reads.
BROWSER_PATHS = ("/dashboard", "/dashboard/limits", "/metrics")
BROWSER_PREFIXES = ("/logs/",)
LOGIN_PATHS = frozenset({"/dashboard/login", "/dashboard/logout"})
DASHBOARD = "../dashboard"  # relative: the page also works behind a path prefix
FAILED_MESSAGE = '<p class="error" id="failed">That is not this server\'s token.</p>'


def session_value(token: bytes) -> bytes:
    return hmac.new(token, b"ccproxy dashboard session", hashlib.sha256).hexdigest().encode()


def opens(scope: Scope, session: bytes) -> bool:
    """Whether the request is a dashboard read that carries a valid session cookie."""
    if scope["method"] not in ("GET", "HEAD"):
        return False
    path: str = scope["path"]
    if path not in BROWSER_PATHS and not path.startswith(BROWSER_PREFIXES):
        return False
    presented = _cookie(scope)
    return presented is not None and hmac.compare_digest(presented, session)


def _cookie(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name != b"cookie":
            continue
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(value.decode("latin-1"))
        except CookieError:
            return None
        if COOKIE in jar:
            return jar[COOKIE].value.encode("latin-1")
    return None


def login_page(scope: Scope) -> Response:
    """The form, answered 401 in place of the dashboard to a browser without a session."""
    failed = b"login=failed" in scope.get("query_string", b"")
    page = _template().replace("<!--message-->", FAILED_MESSAGE if failed else "")
    return HTMLResponse(page, status_code=401, headers={"Cache-Control": "no-store"})


@functools.cache
def _template() -> str:
    return files("ccproxy.observability").joinpath("dashboard/login.html").read_text()


async def login(request: Request) -> Response:
    """`POST /dashboard/login` (form field `token`): the cookie and back to the dashboard."""
    configured = request.app.state.settings.security.auth_token
    if configured is None:
        return RedirectResponse(DASHBOARD, status_code=303)
    token = configured.get_secret_value().encode()
    given = _form_token(await request.body())
    if not hmac.compare_digest(given, token):
        return RedirectResponse(DASHBOARD + "?login=failed", status_code=303)
    response = RedirectResponse(DASHBOARD, status_code=303)
    response.set_cookie(
        COOKIE,
        session_value(token).decode(),
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="strict",
    )
    return response


def _form_token(body: bytes) -> bytes:
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    except ValueError:  # more fields than any login form sends
        return b""
    return (fields.get("token") or [""])[0].strip().encode()


async def logout(request: Request) -> Response:
    response = RedirectResponse(DASHBOARD, status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


ROUTES = [
    Route("/dashboard/login", login, methods=["POST"]),
    Route("/dashboard/logout", logout, methods=["POST"]),
]

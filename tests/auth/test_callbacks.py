"""The shared OAuth redirect handler, and the server's /oauth/callback that uses it."""

from __future__ import annotations

import httpx
import pytest

from ccproxy.auth.callbacks import LoginCallbacks, LoginFailed
from tests.conftest import ProxyFactory


async def test_a_state_is_used_once() -> None:
    callbacks = LoginCallbacks()
    waiting = callbacks.expect("s1")
    status, page = callbacks.handle({"code": "c1", "state": "s1"})
    assert status == 200 and "return to the terminal" in page
    assert await waiting == "c1"
    again, page = callbacks.handle({"code": "c1", "state": "s1"})
    assert again == 400 and "already used" in page


async def test_unknown_state_and_vendor_errors() -> None:
    callbacks = LoginCallbacks()
    assert callbacks.handle({"code": "c", "state": "nope"})[0] == 400
    waiting = callbacks.expect("s2")
    status, page = callbacks.handle(
        {"state": "s2", "error": "access_denied", "error_description": "<b>no</b>"}
    )
    assert status == 400 and "&lt;b&gt;no&lt;/b&gt;" in page  # escaped
    with pytest.raises(LoginFailed, match="refused"):
        await waiting


def test_server_callback_route(proxy: str) -> None:
    response = httpx.get(proxy + "/oauth/callback?code=x&state=unknown")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "ccproxy auth login" in response.text


def test_server_callback_route_needs_no_client_token(start_proxy: ProxyFactory) -> None:
    guarded = start_proxy(security={"auth_token": "t"})
    assert httpx.get(guarded + "/oauth/callback?state=x").status_code == 400  # not 401

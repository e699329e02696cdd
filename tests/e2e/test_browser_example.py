"""examples/browser_chat.html in real Chromium: a page on one loopback origin calls the proxy on
another through CORS, with the client token, and reads the proxy's own `server-timing` header."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlencode

from selenium import webdriver
from selenium.webdriver.common.by import By
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from tests.clients.chromium import browser
from tests.conftest import ProxyFactory
from tests.fakes.anthropic_script import REPLY
from tests.fakes.live import LiveServers

__all__ = ["browser"]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TOKEN = "browser-example-token"


def test_a_web_page_on_another_loopback_origin_calls_the_proxy(
    start_proxy: ProxyFactory,
    logged_in: tuple[str, str],
    servers: LiveServers,
    browser: webdriver.Chrome,
) -> None:
    proxy = start_proxy(security={"auth_token": TOKEN})
    site = servers.start(Starlette(routes=[Mount("/", StaticFiles(directory=EXAMPLES))]))
    page = site.url.replace("127.0.0.1", "localhost") + "/browser_chat.html?"
    query = {"proxy": proxy, "token": TOKEN, "model": "claude-sonnet-5-5"}
    browser.get(page + urlencode(query))
    assert _shown(browser, "reply") == REPLY
    assert _shown(browser, "timing").startswith("proxy;dur=")
    browser.get(page + urlencode({**query, "token": "wrong"}))
    assert _shown(browser, "reply").startswith("401: missing or invalid client token")


def _shown(browser: webdriver.Chrome, element: str, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while (text := browser.find_element(By.ID, element).text) in ("", "…"):
        assert time.monotonic() < deadline, f"#{element} still empty"
        time.sleep(0.1)
    return str(text)

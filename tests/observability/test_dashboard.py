"""The dashboard in real headless Chromium (Debian's chromium and chromedriver): it loads, shows
the requests just made, draws non-empty charts, and a new request appears live. A screenshot is
kept in build/test-artifacts/dashboard.png."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from tests.clients.chromium import browser
from tests.conftest import ProxyFactory

__all__ = ["browser"]

ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
BODY = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 5,
    "messages": [{"role": "user", "content": "hi"}],
}


def test_the_dashboard_shows_requests_live(
    start_proxy: ProxyFactory, logged_in: tuple[str, str], browser: webdriver.Chrome
) -> None:
    proxy = start_proxy(observability={"dashboard_enabled": True})
    for model in ("claude-sonnet-5-5", "claude-haiku-5-5", "claude-sonnet-5-5"):
        httpx.post(proxy + "/api/v1/messages", json={**BODY, "model": model}, timeout=30)
    httpx.post(proxy + "/api/v1/messages", json={"model": "claude-sonnet-5-5"}, timeout=30)
    browser.get(proxy + "/dashboard")
    shown = wait_for(browser, lambda shown: shown["rows"] == 4 and shown["live"] == "live")
    for chart in ("chart-requests", "chart-tokens", "chart-cost"):
        assert shown["bars"][chart] > 0, f"{chart} drew nothing"
    assert shown["cards"]["requests"] == "4" and shown["cards"]["error rate"] == "25 %"
    assert "claude-sonnet-5-5" in shown["legend"] and "claude-haiku-5-5" in shown["legend"]
    httpx.post(proxy + "/api/v1/messages", json={**BODY, "model": "claude-opus-5-5"}, timeout=30)
    newest = wait_for(browser, lambda shown: shown["rows"] == 5)["newest"]
    assert "claude-opus-5-5" in newest and "/api/v1/messages" in newest
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "dashboard.png"))


def test_with_a_client_token_the_dashboard_asks_for_it(
    start_proxy: ProxyFactory, logged_in: tuple[str, str], browser: webdriver.Chrome
) -> None:
    token = "dashboard-login-token"
    proxy = start_proxy(observability={"dashboard_enabled": True}, security={"auth_token": token})
    httpx.post(proxy + "/api/v1/messages", json=BODY, headers={"x-api-key": token}, timeout=30)
    browser.get(proxy + "/dashboard")
    log_in(browser, "not-the-token")
    assert browser.find_element(By.ID, "failed").is_displayed()
    log_in(browser, token)
    shown = wait_for(browser, lambda shown: shown["rows"] == 1 and shown["live"] == "live")
    assert shown["cards"]["requests"] == "1"
    cookie = browser.get_cookie("ccproxy_session")
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert token not in cookie["value"]
    browser.find_element(By.ID, "logout").click()
    wait_until(browser, lambda: found(browser, "token"))
    assert browser.get_cookie("ccproxy_session") is None


def log_in(browser: webdriver.Chrome, token: str) -> None:
    field = wait_until(browser, lambda: found(browser, "token"))[0]
    field.send_keys(token)
    browser.execute_script("window.beforeLogin = true")
    browser.find_element(By.ID, "login").click()
    wait_until(browser, lambda: new_page(browser))  # the form posted and the next page loaded


def found(browser: webdriver.Chrome, element_id: str) -> list[Any]:
    try:
        return browser.find_elements(By.ID, element_id)
    except WebDriverException:  # between two documents
        return []


def new_page(browser: webdriver.Chrome) -> bool:
    try:
        return (
            browser.execute_script(
                "return document.readyState === 'complete' && !window.beforeLogin"
            )
            is True
        )
    except WebDriverException:  # between two documents
        return False


def wait_until(browser: webdriver.Chrome, found: Callable[[], Any], seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while not (result := found()):
        assert time.monotonic() < deadline, f"still waiting on {browser.current_url}"
        time.sleep(0.1)
    return result


def wait_for(
    browser: webdriver.Chrome, done: Callable[[dict[str, Any]], bool], seconds: float = 20
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while not done(shown := page(browser)):
        assert time.monotonic() < deadline, f"the page shows {shown}"
        time.sleep(0.1)
    return shown


def page(browser: webdriver.Chrome) -> dict[str, Any]:
    """What the page shows, read in one script (the page re-renders as entries arrive)."""
    shown: dict[str, Any] = browser.execute_script("""
        const rows = document.querySelectorAll("#requests tr");
        const bars = {};
        for (const svg of document.querySelectorAll("svg[id^=chart-]"))
            bars[svg.id] = svg.querySelectorAll("rect").length;
        const cards = {};
        for (const card of document.querySelectorAll(".card"))
            cards[card.dataset.card] = card.querySelector("b").textContent;
        return {rows: rows.length, newest: rows.length ? rows[0].textContent : "", bars, cards,
                legend: document.getElementById("legend").textContent,
                live: document.getElementById("live").textContent};
    """)
    return shown

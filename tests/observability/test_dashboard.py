"""The dashboard in real headless Chromium (Debian's chromium and chromedriver): it loads, shows
the requests just made, draws non-empty charts, and a new request appears live. A screenshot is
kept in build/test-artifacts/dashboard.png."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.conftest import ProxyFactory

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
BODY = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 5,
    "messages": [{"role": "user", "content": "hi"}],
}


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
        if os.environ.get("CCPROXY_REQUIRE_BROWSER"):
            pytest.fail("CI must install Debian's chromium and chromium-driver (.ci/run does)")
        pytest.skip("needs Debian's chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-sync",
                 "--disable-component-update", "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path / 'chromium'}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    yield driver
    driver.quit()


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

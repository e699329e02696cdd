"""The dashboard in real headless Chromium (Debian's chromium and chromedriver): it loads, shows
the requests just made, draws non-empty charts, and a new request appears live. A screenshot is
kept in build/test-artifacts/dashboard.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

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
    wait = WebDriverWait(browser, 20)
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#requests tr")) == 4)
    wait.until(lambda b: "live" in b.find_element(By.ID, "live").text)
    for chart in ("chart-requests", "chart-tokens", "chart-cost"):
        bars = browser.find_elements(By.CSS_SELECTOR, f"#{chart} rect")
        assert bars, f"{chart} drew nothing"
    cards = {c.get_attribute("data-card"): c.find_element(By.TAG_NAME, "b").text
             for c in browser.find_elements(By.CSS_SELECTOR, ".card")}  # fmt: skip
    assert cards["requests"] == "4" and cards["error rate"] == "25 %"
    legend = browser.find_element(By.ID, "legend").text
    assert "claude-sonnet-5-5" in legend and "claude-haiku-5-5" in legend
    httpx.post(proxy + "/api/v1/messages", json={**BODY, "model": "claude-opus-5-5"}, timeout=30)
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#requests tr")) == 5)
    newest = browser.find_element(By.CSS_SELECTOR, "#requests tr").text
    assert "claude-opus-5-5" in newest and "/api/v1/messages" in newest
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "dashboard.png"))

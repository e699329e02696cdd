"""SECURITY__AUTH_TOKEN: both header forms accepted, everything but the open routes guarded."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic

TOKEN = "s3cret-client-token"
MESSAGE = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def guarded(start_proxy: ProxyFactory, logged_in: tuple[str, str]) -> str:
    return start_proxy(security={"auth_token": TOKEN})


@pytest.mark.parametrize(
    "headers",
    [
        {"x-api-key": TOKEN},
        {"authorization": f"Bearer {TOKEN}"},
        {"Authorization": f"bearer {TOKEN}"},
    ],
)
def test_either_header_form_is_accepted(
    guarded: str, headers: dict[str, str], anthropic_fake: FakeAnthropic, logged_in: tuple[str, str]
) -> None:
    response = httpx.post(f"{guarded}/api/v1/messages", json=MESSAGE, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    sent = anthropic_fake.message_requests()[-1]
    assert sent.header("authorization") == f"Bearer {logged_in[0]}"  # the client token stays here
    assert TOKEN not in str(sent.headers)


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-api-key": "wrong"}, {"authorization": "Bearer wrong"}, {"authorization": TOKEN}],
)
def test_missing_or_wrong_token_is_401(guarded: str, headers: dict[str, str]) -> None:
    for method, path in [
        ("POST", "/api/v1/messages"),
        ("GET", "/api/v1/models"),
        ("GET", "/api/status"),
    ]:
        response = httpx.request(method, guarded + path, json=MESSAGE, headers=headers, timeout=10)
        assert response.status_code == 401
        assert response.json()["error"]["type"] == "authentication_error"
        assert "SECURITY__AUTH_TOKEN" in response.json()["error"]["message"]


def test_open_routes_need_no_token(guarded: str) -> None:
    assert httpx.get(guarded + "/health").status_code == 200
    for path in ("/", "/api", "/api/hello"):
        assert httpx.head(guarded + path).status_code == 200
    assert httpx.get(guarded + "/api/hello").status_code == 401  # only the HEAD preflight is open


def test_without_a_configured_token_any_key_is_accepted(proxy: str) -> None:
    for headers in ({}, {"x-api-key": "anything"}, {"authorization": "Bearer whatever"}):
        response = httpx.post(f"{proxy}/api/v1/messages", json=MESSAGE, headers=headers, timeout=10)
        assert response.status_code == 200


# Every route of CONTRACT.md §2 but the open ones, with observability, Codex and the dashboard on.
GUARDED = [
    ("POST", "/api/v1/messages"), ("POST", "/api/v1/messages/count_tokens"),
    ("POST", "/api/v1/chat/completions"), ("GET", "/api/v1/models"), ("GET", "/api/models"),
    ("GET", "/api/status"), ("POST", "/sdk/v1/messages"), ("POST", "/sdk/s1/v1/messages"),
    ("POST", "/sdk/v1/chat/completions"), ("GET", "/sdk/v1/models"), ("GET", "/sdk/status"),
    ("POST", "/codex/responses"), ("POST", "/codex/v1/responses"), ("POST", "/codex/s1/responses"),
    ("POST", "/codex/chat/completions"), ("GET", "/codex/v1/models"), ("GET", "/codex/models"),
    ("POST", "/mcp"), ("GET", "/mcp"), ("POST", "/mcp/permission/check"),
    ("GET", "/permissions/stream"), ("GET", "/permissions/p1"), ("POST", "/permissions/p1/respond"),
    ("GET", "/metrics"), ("GET", "/logs/status"), ("GET", "/logs/query"), ("GET", "/logs/stream"),
    ("GET", "/dashboard/limits"), ("HEAD", "/api/v1/models"), ("GET", "/"),
    ("GET", "/openapi.json"), ("POST", "/v1/messages"), ("POST", "/v1/chat/completions"),
    ("POST", "/v1/responses"), ("GET", "/v1/models"),
]  # fmt: skip
OBSERVED = {"metrics_enabled": True, "dashboard_enabled": True}


@pytest.fixture
def guarded_everything(
    start_proxy: ProxyFactory, logged_in: tuple[str, str], tmp_path: Path
) -> str:
    observability = {**OBSERVED, "duckdb_path": str(tmp_path / "log.duckdb")}
    return start_proxy(security={"auth_token": TOKEN}, observability=observability)


def test_every_route_but_the_open_ones_needs_the_token(guarded_everything: str) -> None:
    with httpx.Client(base_url=guarded_everything, timeout=10) as client:
        for method, path in GUARDED:
            response = client.request(method, path, json=MESSAGE)
            assert response.status_code == 401, (method, path, response.text)
            if method != "HEAD":
                assert response.json()["error"]["type"] == "authentication_error", path
        assert client.get("/logs/status", headers={"x-api-key": TOKEN}).status_code == 200
        assert client.get("/metrics", headers={"x-api-key": TOKEN}).status_code == 200


def test_the_dashboard_login_sets_a_cookie_for_its_reads_only(guarded_everything: str) -> None:
    with httpx.Client(base_url=guarded_everything, timeout=10) as browser:
        form = browser.get("/dashboard")
        assert form.status_code == 401 and 'name="token"' in form.text
        assert "logs/query" not in form.text  # the form, not the dashboard
        wrong = browser.post("/dashboard/login", data={"token": "guess"})
        assert wrong.status_code == 303 and wrong.headers["location"].endswith("?login=failed")
        assert "set-cookie" not in wrong.headers
        assert 'id="failed"' in browser.get("/dashboard?login=failed").text
        right = browser.post("/dashboard/login", data={"token": TOKEN})
        assert right.status_code == 303
        cookie = right.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and TOKEN not in cookie
        assert "logs/query" in browser.get("/dashboard").text
        for path in ("/logs/status", "/logs/query", "/metrics", "/dashboard/limits"):
            assert browser.get(path).status_code == 200, path
        # The cookie opens no route that spends the subscription or decides a permission.
        assert browser.post("/api/v1/messages", json=MESSAGE).status_code == 401
        assert browser.get("/api/v1/models").status_code == 401
        assert browser.post("/permissions/p1/respond", json={"allowed": True}).status_code == 401
        browser.post("/dashboard/logout")
        assert browser.get("/logs/status").status_code == 401


def test_a_forged_or_stale_cookie_is_refused(guarded_everything: str) -> None:
    for value in ("", TOKEN, "0" * 64, "a=b; c", '"unterminated'):
        response = httpx.get(
            guarded_everything + "/logs/status",
            headers={"cookie": f"ccproxy_session={value}"},
            timeout=10,
        )
        assert response.status_code == 401, value

"""Model lists, status, health and the HEAD preflights."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.claude_account import ClaudeAccount


def test_model_list_shape(proxy: str) -> None:
    for path in ("/api/v1/models", "/api/models"):
        body = httpx.get(proxy + path).json()
        assert body["object"] == "list"
        assert body["has_more"] is False
        assert body["first_id"] == body["data"][0]["id"]
        assert body["last_id"] == body["data"][-1]["id"]
        for item in body["data"]:
            assert set(item) == {
                "id",
                "object",
                "created",
                "owned_by",
                "type",
                "display_name",
                "created_at",
            }
            assert item["object"] == "model" and item["type"] == "model"
            assert item["created_at"].endswith("Z") and isinstance(item["created"], int)


def test_single_model_and_unknown_model(proxy: str) -> None:
    listed = httpx.get(proxy + "/api/v1/models").json()["data"][0]
    assert httpx.get(f"{proxy}/api/v1/models/{listed['id']}").json() == listed
    missing = httpx.get(f"{proxy}/api/v1/models/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "not_found_error"


def test_status_reports_credentials_without_secrets(
    proxy: str, logged_in: tuple[str, str], anthropic_fake: FakeAnthropic
) -> None:
    status = httpx.get(proxy + "/api/status").json()
    credentials = status["credentials"]
    assert credentials["source"] == "file"
    assert credentials["subscription_type"] == "max"
    assert credentials["valid"] is True and credentials["refreshable"] is True
    assert 3500 < credentials["expires_in_seconds"] <= 3600
    assert "check" not in status
    assert anthropic_fake.requests == []  # no network unless asked
    assert logged_in[0] not in json.dumps(status) and logged_in[1] not in json.dumps(status)


def test_status_check_asks_the_upstream(proxy: str, anthropic_fake: FakeAnthropic) -> None:
    check = httpx.get(proxy + "/api/status?check=true").json()["check"]
    assert check == {
        "ok": True,
        "status": 200,
        "email": "user@example.com",
        "has_claude_max": True,
        "has_claude_pro": False,
    }
    assert anthropic_fake.requests[-1].path == "/api/oauth/profile"


def test_status_shows_last_rate_limit_headers(proxy: str) -> None:
    body = {
        "model": "fake-rate-limited",
        "max_tokens": 5,
        "messages": [{"role": "user", "content": "hi"}],
    }
    httpx.post(proxy + "/api/v1/messages", json=body, timeout=10)
    limits = httpx.get(proxy + "/api/status").json()["rate_limits"]
    assert limits["anthropic-ratelimit-unified-status"] == "rejected"


def test_health_summarises_readiness(proxy: str, credentials_path: Path) -> None:
    providers = httpx.get(proxy + "/health").json()["providers"]
    assert providers == {"claude_api": "ok", "codex": "disabled"}
    credentials_path.unlink()
    assert httpx.get(proxy + "/health").json()["providers"]["claude_api"] == "missing"


def test_credentials_written_after_start_are_picked_up(
    start_proxy: ProxyFactory, account: ClaudeAccount, credentials_path: Path
) -> None:
    proxy = start_proxy()
    message = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    assert httpx.post(proxy + "/api/v1/messages", json=message, timeout=10).status_code == 401
    account.write_credentials(credentials_path)
    assert httpx.post(proxy + "/api/v1/messages", json=message, timeout=10).status_code == 200


def test_head_preflights(proxy: str) -> None:
    for path in ("/", "/api", "/api/hello"):
        response = httpx.head(proxy + path)
        assert response.status_code == 200
        assert response.content == b""


def test_server_timing_header(proxy: str) -> None:
    body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    timing = httpx.post(proxy + "/api/v1/messages", json=body, timeout=10).headers["server-timing"]
    proxy_part, upstream_part = timing.split(", ")
    assert proxy_part.startswith("proxy;dur=") and float(proxy_part.split("=")[1]) >= 0
    assert upstream_part.startswith("upstream;dur=") and float(upstream_part.split("=")[1]) > 0
    local = httpx.get(proxy + "/health").headers["server-timing"]
    assert local.startswith("proxy;dur=") and "upstream" not in local

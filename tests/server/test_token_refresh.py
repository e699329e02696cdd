"""Token refresh seen by a client: before expiry, after an upstream 401, once for many requests."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import httpx
import pytest

from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.claude_account import ClaudeAccount

MESSAGE = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}


def stored(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text())
    return data


async def test_twenty_concurrent_requests_with_an_expired_token_refresh_once(
    start_proxy: ProxyFactory,
    account: ClaudeAccount,
    credentials_path: Path,
    anthropic_fake: FakeAnthropic,
) -> None:
    old_access, old_refresh = account.write_credentials(credentials_path, expires_in=-30)
    account.expire(old_access)
    account.refresh_delay = 0.2  # keep the refresh in flight while the other requests arrive
    proxy = start_proxy()
    async with httpx.AsyncClient(timeout=20) as client:
        replies = await asyncio.gather(
            *(client.post(proxy + "/api/v1/messages", json=MESSAGE) for _ in range(20))
        )
    assert [r.status_code for r in replies] == [200] * 20
    assert account.refresh_calls == 1
    data = stored(credentials_path)
    oauth = data["claudeAiOauth"]
    assert isinstance(oauth, dict)
    assert oauth["accessToken"] != old_access and oauth["refreshToken"] != old_refresh
    assert oauth["subscriptionType"] == "max" and oauth["rateLimitTier"] == "default_claude_max_20x"
    assert data["mcpOAuth"] == {"some-server": {"accessToken": "kept-as-is"}}
    assert stat.S_IMODE(credentials_path.stat().st_mode) == 0o600
    used = {r.header("authorization") for r in anthropic_fake.message_requests()}
    assert used == {f"Bearer {oauth['accessToken']}"}  # the expired token was never sent


def test_token_close_to_expiry_is_refreshed_first(
    start_proxy: ProxyFactory,
    account: ClaudeAccount,
    credentials_path: Path,
    anthropic_fake: FakeAnthropic,
) -> None:
    old_access, _ = account.write_credentials(
        credentials_path, expires_in=60
    )  # inside the 120 s margin
    proxy = start_proxy()
    assert httpx.post(proxy + "/api/v1/messages", json=MESSAGE, timeout=10).status_code == 200
    assert account.refresh_calls == 1
    assert anthropic_fake.message_requests()[-1].header("authorization") != f"Bearer {old_access}"


def test_upstream_401_refreshes_and_resends_once(
    proxy: str, account: ClaudeAccount, logged_in: tuple[str, str], anthropic_fake: FakeAnthropic
) -> None:
    account.expire(logged_in[0])  # the clock says valid, the upstream disagrees
    response = httpx.post(proxy + "/api/v1/messages", json={**MESSAGE, "stream": True}, timeout=10)
    assert response.status_code == 200
    assert b"event: message_stop" in response.content
    assert account.refresh_calls == 1
    tokens = [r.header("authorization") for r in anthropic_fake.message_requests()]
    assert tokens[0] == f"Bearer {logged_in[0]}" and tokens[1] != tokens[0] and len(tokens) == 2


def test_persistent_401_is_returned_after_one_retry(
    proxy: str, account: ClaudeAccount, logged_in: tuple[str, str], anthropic_fake: FakeAnthropic
) -> None:
    account.expire(logged_in[0])
    account.issue_expired = True
    response = httpx.post(proxy + "/api/v1/messages", json=MESSAGE, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("OAuth token has expired")
    assert len(anthropic_fake.message_requests()) == 2


def test_env_token_wins_and_is_never_refreshed(
    start_proxy: ProxyFactory,
    account: ClaudeAccount,
    logged_in: tuple[str, str],
    anthropic_fake: FakeAnthropic,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env_access, _ = account.issue()
    monkeypatch.setenv("CLAUDE_CODE_OAUTH_TOKEN", env_access)
    proxy = start_proxy()
    assert httpx.post(proxy + "/api/v1/messages", json=MESSAGE, timeout=10).status_code == 200
    assert anthropic_fake.message_requests()[-1].header("authorization") == f"Bearer {env_access}"
    assert httpx.get(proxy + "/api/status").json()["credentials"]["source"] == "env"
    account.expire(env_access)
    assert httpx.post(proxy + "/api/v1/messages", json=MESSAGE, timeout=10).status_code == 401
    assert account.refresh_calls == 0

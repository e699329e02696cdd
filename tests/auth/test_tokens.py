"""ClaudeTokens against the fake OAuth server: single flight, rotation elsewhere, cross-process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ccproxy.auth.tokens import ClaudeTokens
from ccproxy.errors import AuthenticationRequired, UpstreamUnavailable
from ccproxy.http import Client
from tests.fakes.claude_account import ClaudeAccount
from tests.fakes.live import LiveServer


def tokens_for(path: Path, oauth: LiveServer, http: Client) -> ClaudeTokens:
    return ClaudeTokens(path, oauth.url + "/v1/oauth/token", http)


@pytest.fixture
async def http() -> AsyncIterator[Client]:
    client = Client()
    await client.start()
    yield client
    await client.close()


async def test_two_stores_on_one_file_refresh_once(
    account: ClaudeAccount, oauth_server: LiveServer, credentials_path: Path, http: Client
) -> None:
    # Two token stores stand for two ccproxy processes: only the file lock keeps them apart.
    account.write_credentials(credentials_path, expires_in=-1)
    account.refresh_delay = 0.2
    first, second = (
        tokens_for(credentials_path, oauth_server, http),
        tokens_for(credentials_path, oauth_server, http),
    )
    a, b = await asyncio.gather(first.bearer(), second.bearer())
    assert a == b
    assert account.refresh_calls == 1


async def test_rotated_elsewhere_uses_the_new_refresh_token(
    account: ClaudeAccount, oauth_server: LiveServer, credentials_path: Path, http: Client
) -> None:
    _, old_refresh = account.write_credentials(credentials_path, expires_in=-1)
    tokens = tokens_for(credentials_path, oauth_server, http)
    assert tokens.current() is not None
    # Another process refreshes (rotating the refresh token) but its access token is already
    # stale by our clock, so we must refresh again, with the token it stored.
    rotated = account.rotate(old_refresh)
    assert rotated is not None
    data = json.loads(credentials_path.read_text())
    data["claudeAiOauth"]["refreshToken"] = rotated["refresh_token"]
    credentials_path.write_text(json.dumps(data))
    token = await tokens.bearer()
    assert token in account.access
    assert json.loads(credentials_path.read_text())["claudeAiOauth"]["accessToken"] == token


async def test_refusal_without_a_newer_token_asks_for_login(
    account: ClaudeAccount, oauth_server: LiveServer, credentials_path: Path, http: Client
) -> None:
    account.write_credentials(credentials_path, expires_in=-1, access="a", refresh="gone")
    with pytest.raises(AuthenticationRequired, match="ccproxy auth login"):
        await tokens_for(credentials_path, oauth_server, http).bearer()


async def test_unreachable_token_endpoint(
    account: ClaudeAccount, credentials_path: Path, http: Client
) -> None:
    access, _ = account.write_credentials(credentials_path, expires_in=60)
    tokens = ClaudeTokens(credentials_path, "http://127.0.0.1:9/v1/oauth/token", http)
    # Expiring soon but not yet expired: the current token is still good enough.
    assert await tokens.bearer() == access
    account.write_credentials(credentials_path, expires_in=-1)
    with pytest.raises(UpstreamUnavailable, match=r"127\.0\.0\.1:9"):
        await tokens.bearer()


async def test_unreadable_file_is_reported_not_raised(credentials_path: Path, http: Client) -> None:
    credentials_path.parent.mkdir(parents=True)
    credentials_path.write_text("{broken")
    tokens = ClaudeTokens(credentials_path, "http://127.0.0.1:9", http)
    assert tokens.current() is None
    assert "not valid JSON" in tokens.describe()["error"]
    with pytest.raises(AuthenticationRequired, match="not valid JSON"):
        await tokens.bearer()

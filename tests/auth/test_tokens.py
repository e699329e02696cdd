"""ClaudeTokens against the fake OAuth server: single flight, rotation elsewhere, cross-process."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from ccproxy.auth.tokens import ClaudeTokens
from ccproxy.errors import AuthenticationRequired, UpstreamUnavailable
from tests.fakes.claude_account import ClaudeAccount
from tests.fakes.live import LiveServer


def tokens_for(path: Path, oauth: LiveServer, http: httpx.AsyncClient) -> ClaudeTokens:
    return ClaudeTokens(path, oauth.url + "/v1/oauth/token", http)


async def test_two_stores_on_one_file_refresh_once(
    account: ClaudeAccount, oauth_server: LiveServer, credentials_path: Path
) -> None:
    # Two token stores stand for two ccproxy processes: only the file lock keeps them apart.
    account.write_credentials(credentials_path, expires_in=-1)
    account.refresh_delay = 0.2
    async with httpx.AsyncClient() as http:
        first, second = (
            tokens_for(credentials_path, oauth_server, http),
            tokens_for(credentials_path, oauth_server, http),
        )
        a, b = await asyncio.gather(first.bearer(), second.bearer())
    assert a == b
    assert account.refresh_calls == 1


async def test_rotated_elsewhere_uses_the_new_refresh_token(
    account: ClaudeAccount, oauth_server: LiveServer, credentials_path: Path
) -> None:
    _, old_refresh = account.write_credentials(credentials_path, expires_in=-1)
    async with httpx.AsyncClient() as http:
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
    account: ClaudeAccount, oauth_server: LiveServer, credentials_path: Path
) -> None:
    account.write_credentials(credentials_path, expires_in=-1, access="a", refresh="gone")
    async with httpx.AsyncClient() as http:
        with pytest.raises(AuthenticationRequired, match="ccproxy auth login"):
            await tokens_for(credentials_path, oauth_server, http).bearer()


async def test_unreachable_token_endpoint(account: ClaudeAccount, credentials_path: Path) -> None:
    access, _ = account.write_credentials(credentials_path, expires_in=60)
    async with httpx.AsyncClient() as http:
        tokens = ClaudeTokens(credentials_path, "http://127.0.0.1:9/v1/oauth/token", http)
        # Expiring soon but not yet expired: the current token is still good enough.
        assert await tokens.bearer() == access
        account.write_credentials(credentials_path, expires_in=-1)
        with pytest.raises(UpstreamUnavailable, match=r"127\.0\.0\.1:9"):
            await tokens.bearer()


async def test_unreadable_file_is_reported_not_raised(credentials_path: Path) -> None:
    credentials_path.parent.mkdir(parents=True)
    credentials_path.write_text("{broken")
    async with httpx.AsyncClient() as http:
        tokens = ClaudeTokens(credentials_path, "http://127.0.0.1:9", http)
        assert tokens.current() is None
        assert "not valid JSON" in tokens.describe()["error"]
        with pytest.raises(AuthenticationRequired, match="not valid JSON"):
            await tokens.bearer()

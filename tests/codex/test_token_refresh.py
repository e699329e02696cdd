"""The Codex CLI's login refreshed by the proxy: on a 401, before expiry, once for many requests,
written back atomically with everything the CLI keeps in the file."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ProxyFactory
from tests.fakes.chatgpt_backend import FakeChatGPT
from tests.fakes.openai_oauth import ACCOUNT_ID, CLIENT_ID, FakeOpenAIOAuth

BODY = {"model": "gpt-5.4", "input": "hi"}


def auth_file(home: Path) -> Path:
    return home / ".codex" / "auth.json"


def stored(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_upstream_401_refreshes_once_and_writes_the_file_back(
    start_codex_proxy: ProxyFactory,
    isolated: Path,
    openai_oauth: FakeOpenAIOAuth,
    chatgpt_fake: FakeChatGPT,
) -> None:
    issued = openai_oauth.write_auth(auth_file(isolated))
    openai_oauth.expire(issued["access_token"])  # valid by its JWT, refused by the backend
    proxy = start_codex_proxy()
    reply = httpx.post(proxy + "/codex/responses", json=BODY, timeout=20)
    assert reply.status_code == 200, reply.text
    assert len(openai_oauth.refresh_requests) == 1
    form = openai_oauth.refresh_requests[0]
    assert form["grant_type"] == "refresh_token" and form["client_id"] == CLIENT_ID
    assert form["refresh_token"] == issued["refresh_token"]
    assert set(form["scope"].split()) == {"openid", "profile", "email", "offline_access"}
    data = stored(auth_file(isolated))
    tokens = data["tokens"]
    assert tokens["access_token"] != issued["access_token"]
    assert tokens["refresh_token"] != issued["refresh_token"]
    assert tokens["account_id"] == ACCOUNT_ID
    assert data["agent_identity"] == {"kept": True} and data["auth_mode"] == "chatgpt"
    assert data["last_refresh"] != "2026-11-20T12:00:00.000Z"
    assert stat.S_IMODE(auth_file(isolated).stat().st_mode) == 0o600
    sent = [r.header("authorization") for r in chatgpt_fake.requests]
    assert sent == [f"Bearer {issued['access_token']}", f"Bearer {tokens['access_token']}"]
    assert not list(auth_file(isolated).parent.glob("*.tmp"))


def test_a_refresh_without_a_new_refresh_token_keeps_the_old_one(
    start_codex_proxy: ProxyFactory, isolated: Path, openai_oauth: FakeOpenAIOAuth
) -> None:
    issued = openai_oauth.write_auth(auth_file(isolated), lifetime=-30)
    openai_oauth.rotate_refresh_token = False
    proxy = start_codex_proxy()
    assert httpx.post(proxy + "/codex/responses", json=BODY, timeout=20).status_code == 200
    assert stored(auth_file(isolated))["tokens"]["refresh_token"] == issued["refresh_token"]


async def test_twenty_concurrent_requests_with_an_expired_login_refresh_once(
    start_codex_proxy: ProxyFactory,
    isolated: Path,
    openai_oauth: FakeOpenAIOAuth,
    chatgpt_fake: FakeChatGPT,
) -> None:
    issued = openai_oauth.write_auth(auth_file(isolated), lifetime=-30)
    openai_oauth.refresh_delay = 0.2  # keep the refresh in flight while the others arrive
    proxy = start_codex_proxy()
    async with httpx.AsyncClient(timeout=30) as client:
        replies = await asyncio.gather(
            *(client.post(proxy + "/codex/responses", json=BODY) for _ in range(20))
        )
    assert [r.status_code for r in replies] == [200] * 20
    assert len(openai_oauth.refresh_requests) == 1
    used = {r.header("authorization") for r in chatgpt_fake.requests}
    fresh = stored(auth_file(isolated))["tokens"]["access_token"]
    assert used == {f"Bearer {fresh}"} and fresh != issued["access_token"]


def test_a_refused_refresh_asks_for_a_new_login(
    start_codex_proxy: ProxyFactory,
    isolated: Path,
    openai_oauth: FakeOpenAIOAuth,
    chatgpt_fake: FakeChatGPT,
) -> None:
    issued = openai_oauth.write_auth(auth_file(isolated))
    openai_oauth.expire(issued["access_token"])
    openai_oauth.refresh_tokens.clear()  # the refresh token was revoked
    proxy = start_codex_proxy()
    reply = httpx.post(proxy + "/codex/responses", json=BODY, timeout=20)
    assert reply.status_code == 401
    message = reply.json()["error"]["message"]
    assert "ccproxy auth login-openai" in message
    assert issued["refresh_token"] not in message and issued["access_token"] not in message
    assert stored(auth_file(isolated))["tokens"]["access_token"] == issued["access_token"]


def test_status_describes_the_login_without_tokens(
    codex_proxy: str, codex_auth: dict[str, Any]
) -> None:
    status = httpx.get(codex_proxy + "/codex/status").json()
    credentials = status["credentials"]
    assert credentials["valid"] is True and credentials["plan"] == "plus"
    assert credentials["account_id"] == ACCOUNT_ID
    assert status["instructions"]["source"] == "file"
    text = json.dumps(status)
    assert codex_auth["access_token"] not in text and codex_auth["refresh_token"] not in text


def test_health_reports_the_codex_login(
    codex_proxy: str, isolated: Path, openai_oauth: FakeOpenAIOAuth
) -> None:
    assert httpx.get(codex_proxy + "/health").json()["providers"]["codex"] == "ok"
    auth_file(isolated).unlink()
    assert httpx.get(codex_proxy + "/health").json()["providers"]["codex"] == "missing"

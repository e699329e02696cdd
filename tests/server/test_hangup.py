"""A client that hangs up while the upstream is still working on the answer (no header yet, or a
whole answer being collected) cancels the upstream request, on every route that calls one
(issue 10, item 2). Streams cut after their first bytes are in test_cancelled_streams.py."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.chatgpt_backend import FakeChatGPT
from tests.fakes.claude_account import ClaudeAccount
from tests.fakes.claude_oauth import FakeClaudeOAuth
from tests.server.test_cancelled_streams import wait_for

ANTHROPIC = {"model": "fake-hang", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
CHAT = {"model": "fake-hang", "messages": [{"role": "user", "content": "hi"}]}
RESPONSES = {"model": "fake-hang", "input": "hi"}


def hang_up_once_sent(
    proxy: str, path: str, body: dict[str, Any], sent: Callable[[], bool]
) -> None:
    """POSTs `body`, waits until the upstream has the request, then closes the connection."""
    url = urlsplit(proxy)
    raw = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nhost: {url.netloc}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(raw)}\r\n\r\n"
    )
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(head.encode() + raw)
        deadline = time.monotonic() + 10
        while not sent() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sent(), "the request never reached the upstream"


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/messages", ANTHROPIC),
        ("/api/v1/chat/completions", CHAT),
        ("/api/v1/responses", RESPONSES),
    ],
)
def test_claude_upstream_request_is_cancelled(
    proxy: str, anthropic_fake: FakeAnthropic, path: str, body: dict[str, Any], stream: bool
) -> None:
    hang_up_once_sent(
        proxy, path, {**body, "stream": stream}, lambda: len(anthropic_fake.requests) == 1
    )
    wait_for(lambda: anthropic_fake.abandoned_requests == 1, 10)
    assert anthropic_fake.abandoned_requests == 1


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/codex/responses", RESPONSES),
        ("/codex/chat/completions", CHAT),
        ("/codex/v1/messages", ANTHROPIC),
    ],
)
def test_codex_upstream_request_is_cancelled(
    codex_proxy: str, chatgpt_fake: FakeChatGPT, path: str, body: dict[str, Any], stream: bool
) -> None:
    hang_up_once_sent(
        codex_proxy, path, {**body, "stream": stream}, lambda: len(chatgpt_fake.requests) == 1
    )
    wait_for(lambda: chatgpt_fake.abandoned_requests == 1, 10)
    assert chatgpt_fake.abandoned_requests == 1


def test_hanging_up_during_a_token_refresh_keeps_the_new_token(
    start_proxy: ProxyFactory, account: ClaudeAccount, credentials_path: Path,
    claude_oauth: FakeClaudeOAuth, anthropic_fake: FakeAnthropic,
) -> None:  # fmt: skip
    # The token server rotates the refresh token even when the proxy stops listening: a refresh
    # cut short by the hang-up would leave only the spent refresh token in the file.
    old_access, old_refresh = account.write_credentials(credentials_path, expires_in=-30)
    account.expire(old_access)
    account.refresh_delay = 0.5
    proxy = start_proxy()
    ask = {**ANTHROPIC, "model": "claude-sonnet-5-5"}
    hang_up_once_sent(proxy, "/api/v1/messages", ask, lambda: len(claude_oauth.token_requests) == 1)

    def refresh_token() -> object:
        return json.loads(credentials_path.read_text())["claudeAiOauth"]["refreshToken"]

    wait_for(lambda: refresh_token() != old_refresh, 10)
    assert refresh_token() != old_refresh
    assert httpx.post(proxy + "/api/v1/messages", json=ask, timeout=10).status_code == 200
    assert account.refresh_calls == 1

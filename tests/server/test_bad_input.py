"""Client mistakes and upstream failures: each a clear error in the route's envelope, no 500."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.claude_account import ClaudeAccount

MESSAGE = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}


def anthropic_error(response: httpx.Response, status: int, error_type: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == error_type
    message: str = body["error"]["message"]
    return message


@pytest.mark.parametrize(
    ("raw", "phrase"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
        (b'{"model": "\xff\xfe"}', "not valid UTF-8"),
    ],
)
def test_malformed_bodies_are_400(proxy: str, raw: bytes, phrase: str) -> None:
    for path in ("/api/v1/messages", "/api/v1/messages/count_tokens"):
        response = httpx.post(proxy + path, content=raw, timeout=10)
        assert phrase in anthropic_error(response, 400, "invalid_request_error")


def test_unknown_route_and_wrong_method(proxy: str) -> None:
    assert "/api/v2/nothing" in anthropic_error(
        httpx.get(proxy + "/api/v2/nothing"), 404, "not_found_error"
    )
    wrong = httpx.get(proxy + "/api/v1/messages")
    assert wrong.status_code == 405
    assert wrong.json()["type"] == "error"


def test_no_credentials_is_401_naming_the_fix(start_proxy: ProxyFactory) -> None:
    response = httpx.post(start_proxy() + "/api/v1/messages", json=MESSAGE, timeout=10)
    message = anthropic_error(response, 401, "authentication_error")
    assert "claude /login" in message and "ccproxy auth login" in message
    assert response.headers["x-should-retry"] == "false"


def test_expired_token_without_refresh_token_is_401(
    start_proxy: ProxyFactory, account: ClaudeAccount, credentials_path: Path
) -> None:
    access, _ = account.issue()
    account.write_credentials(credentials_path, expires_in=-60, access=access, refresh="")
    response = httpx.post(start_proxy() + "/api/v1/messages", json=MESSAGE, timeout=10)
    assert "ccproxy auth login" in anthropic_error(response, 401, "authentication_error")


def test_refused_refresh_is_401(
    start_proxy: ProxyFactory, account: ClaudeAccount, credentials_path: Path
) -> None:
    account.write_credentials(
        credentials_path, expires_in=-60, access="old", refresh="unknown-refresh"
    )
    response = httpx.post(start_proxy() + "/api/v1/messages", json=MESSAGE, timeout=10)
    message = anthropic_error(response, 401, "authentication_error")
    assert "invalid_grant" in message and "ccproxy auth login" in message


def test_revoked_token_is_401_naming_the_fix(
    proxy: str, account: ClaudeAccount, logged_in: tuple[str, str], anthropic_fake: FakeAnthropic
) -> None:
    account.revoke(logged_in[0])
    response = httpx.post(proxy + "/api/v1/messages", json=MESSAGE, timeout=10)
    message = anthropic_error(response, 401, "authentication_error")
    assert "revoked" in message and "ccproxy auth login" in message


def test_unreachable_upstream_is_502_naming_the_host(
    start_proxy: ProxyFactory, logged_in: tuple[str, str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    proxy = start_proxy(claude={"api_base_url": f"http://127.0.0.1:{closed_port}"})
    response = httpx.post(proxy + "/api/v1/messages", json=MESSAGE, timeout=10)
    assert f"127.0.0.1:{closed_port}" in anthropic_error(response, 502, "api_error")


def test_silent_upstream_is_504_naming_the_host(
    start_proxy: ProxyFactory, logged_in: tuple[str, str], anthropic_fake: FakeAnthropic
) -> None:
    proxy = start_proxy(claude={"read_timeout": 0.3})
    response = httpx.post(
        proxy + "/api/v1/messages", json={**MESSAGE, "model": "fake-hang"}, timeout=10
    )
    anthropic_fake.gate.set()
    message = anthropic_error(response, 504, "api_error")
    assert "did not answer in time" in message and "127.0.0.1:" in message

"""SECURITY__AUTH_TOKEN: both header forms accepted, everything but the open routes guarded."""

from __future__ import annotations

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

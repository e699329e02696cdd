"""Browsers: CORS for loopback origins (and configured ones) only; a page from any other origin,
or reaching ccproxy through a rebound DNS name, is refused before anything reaches an upstream."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic

MESSAGE = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
LOOPBACK_ORIGINS = ["http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:8080"]
PREFLIGHT = {
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type,x-api-key,anthropic-version",
}


@pytest.mark.parametrize("origin", LOOPBACK_ORIGINS)
def test_loopback_pages_may_call_the_api(proxy: str, origin: str) -> None:
    preflight = httpx.options(
        proxy + "/api/v1/messages", headers={"origin": origin, **PREFLIGHT}, timeout=10
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert (
        preflight.headers["access-control-allow-headers"]
        == PREFLIGHT["access-control-request-headers"]
    )
    response = httpx.post(
        proxy + "/api/v1/messages", json=MESSAGE, headers={"origin": origin}, timeout=10
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert "x-ccproxy-request-id" in response.headers["access-control-expose-headers"]


@pytest.mark.parametrize(
    ("path", "envelope"),
    [("/api/v1/messages", "anthropic"), ("/api/v1/chat/completions", "openai")],
)
def test_a_page_from_another_origin_is_refused(
    proxy: str, anthropic_fake: FakeAnthropic, path: str, envelope: str
) -> None:
    # A "simple" text/plain POST: a browser sends it without a preflight.
    response = httpx.post(
        proxy + path,
        content=b'{"model": "m", "max_tokens": 5, "messages": []}',
        headers={"origin": "https://evil.example", "content-type": "text/plain"},
        timeout=10,
    )
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    error = response.json()["error"]
    assert "SECURITY__CORS_ORIGINS" in error["message"]
    if envelope == "anthropic":
        assert response.json()["type"] == "error"
        assert error["type"] == "permission_error"
    else:
        assert error["type"] == "permission_error" and "param" in error  # OpenAI shape
    preflight = httpx.options(
        proxy + path, headers={"origin": "https://evil.example", **PREFLIGHT}, timeout=10
    )
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers
    assert anthropic_fake.message_requests() == []


@pytest.mark.parametrize(
    "origin", ["null", "file://", "http://localhost.evil.example", "http://127.0.0.1.evil.example"]
)
def test_lookalike_and_opaque_origins_are_refused(proxy: str, origin: str) -> None:
    response = httpx.get(proxy + "/api/v1/models", headers={"origin": origin}, timeout=10)
    assert response.status_code == 403


def test_configured_origins_are_allowed(start_proxy: ProxyFactory, logged_in: object) -> None:
    proxy = start_proxy(security={"cors_origins": ["https://app.example"]})
    allowed = httpx.get(
        proxy + "/api/v1/models", headers={"origin": "https://app.example"}, timeout=10
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    other = httpx.get(
        proxy + "/api/v1/models", headers={"origin": "https://other.example"}, timeout=10
    )
    assert other.status_code == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "192.168.1.5:8000"])
def test_a_rebound_name_is_refused_on_loopback(
    proxy: str, anthropic_fake: FakeAnthropic, host: str
) -> None:
    response = httpx.post(
        proxy + "/api/v1/messages", json=MESSAGE, headers={"host": host}, timeout=10
    )
    assert response.status_code == 403
    assert "SECURITY__ALLOWED_HOSTS" in response.json()["error"]["message"]
    assert anthropic_fake.message_requests() == []


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "[::1]:8000", "app.localhost"])
def test_loopback_names_are_served(proxy: str, host: str) -> None:
    response = httpx.post(
        proxy + "/api/v1/messages", json=MESSAGE, headers={"host": host}, timeout=10
    )
    assert response.status_code == 200


def test_allowed_hosts_and_wildcard_binds(start_proxy: ProxyFactory, logged_in: object) -> None:
    named = start_proxy(security={"allowed_hosts": ["devbox"]})
    assert httpx.get(named + "/api/v1/models", headers={"host": "devbox:8000"}).status_code == 200
    assert httpx.get(named + "/api/v1/models", headers={"host": "other:8000"}).status_code == 403
    # Bound to every interface, ccproxy is reached by whatever name the network gives it.
    wide = start_proxy(server={"host": "0.0.0.0"}, security={"auth_token": "t"})
    response = httpx.get(
        wide + "/api/v1/models", headers={"host": "devbox.lan:8000", "x-api-key": "t"}
    )
    assert response.status_code == 200


def test_the_upstream_comes_from_config_whatever_the_request_names(
    start_proxy: ProxyFactory, logged_in: object, anthropic_fake: FakeAnthropic
) -> None:
    proxy = start_proxy(server={"host": "0.0.0.0"})  # no Host check: only config decides
    port = int(proxy.rsplit(":", 1)[1])
    body = json.dumps(MESSAGE).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(
            b"POST http://attacker.example/api/v1/messages HTTP/1.1\r\n"
            b"Host: attacker.example\r\nX-Forwarded-Host: attacker.example\r\n"
            b"X-Forwarded-Proto: https\r\nForwarded: host=attacker.example\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        assert client.recv(100).startswith(b"HTTP/1.1 200")
    sent = anthropic_fake.message_requests()
    assert len(sent) == 1 and sent[0].json()["model"] == "m"
    assert "attacker" not in str(sent[0].headers)

"""Hostile input: CR/LF, NUL, dot segments and odd bytes in session ids, header values and paths,
lone surrogates in bodies. Each gets a 4xx in the route's envelope (or is served as what it is),
never a 500, and the upstream only ever sees the URL of the settings."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from ccproxy.config import Settings
from ccproxy.server.app import create_app
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.chatgpt_backend import PATH, FakeChatGPT
from tests.fakes.live import LiveServers

MESSAGE = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
RESPONSES = {"model": "gpt-5.4", "input": "hi"}
NO_CLI = "Claude Code could not be started"
# Session ids as they appear in the URL; each decodes to something no header may carry.
BAD_SESSIONS = ["a%0D%0Ab", "a%0Db", "a%00b", "%C3%A9t%C3%A9", "s" * 10_000, "a%09b"]


@pytest.fixture
def hostile_proxy(
    codex_settings: Callable[..., Settings],
    codex_auth: dict[str, Any],
    logged_in: tuple[str, str],
    servers: LiveServers,
    tmp_path: Path,
) -> str:
    """Claude API, Codex and SDK mode; SDK mode without a CLI, so a request that passes its
    checks ends in a 502 saying so instead of a Claude Code run; permission checks decided by a
    rule at once, and recorded in the access log."""
    settings = codex_settings(
        claude={"cli_path": str(tmp_path / "no-such-claude")},
        security={"permission_rules": [{"decision": "deny", "tool": "*"}]},
        observability={"logs_enabled": True, "duckdb_path": str(tmp_path / "log.duckdb")},
    )
    return servers.start(create_app(settings)).url


def openai_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" if status == 400 else error["type"]
    message: str = error["message"]
    return message


def anthropic_error(response: httpx.Response, status: int, error_type: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == error_type, body
    message: str = body["error"]["message"]
    return message


@pytest.mark.parametrize("session", BAD_SESSIONS)
def test_codex_session_ids_no_header_can_carry_are_400(
    hostile_proxy: str, chatgpt_fake: FakeChatGPT, session: str
) -> None:
    reply = httpx.post(f"{hostile_proxy}/codex/{session}/responses", json=RESPONSES, timeout=10)
    assert "session id" in openai_error(reply, 400)
    assert reply.json()["error"]["param"] == "session_id"
    assert chatgpt_fake.requests == []


@pytest.mark.parametrize("session", ["..%2F..%2Fadmin", "a%2Fb"])
def test_codex_session_ids_with_a_slash_match_no_route(
    hostile_proxy: str, chatgpt_fake: FakeChatGPT, session: str
) -> None:
    reply = httpx.post(f"{hostile_proxy}/codex/{session}/responses", json=RESPONSES, timeout=10)
    assert "no route" in openai_error(reply, 404)
    assert chatgpt_fake.requests == []


def test_a_dot_dot_session_id_is_only_a_name(hostile_proxy: str, chatgpt_fake: FakeChatGPT) -> None:
    """`%2e%2e` decodes to `..`: printable, so a valid session id; it names a session and
    touches no path, as the URL the backend sees shows."""
    reply = httpx.post(f"{hostile_proxy}/codex/%2e%2e/responses", json=RESPONSES, timeout=10)
    assert reply.status_code == 200, reply.text
    assert [r.path for r in chatgpt_fake.requests] == [PATH + "/responses"]
    assert chatgpt_fake.requests[0].header("session_id") == ".."


@pytest.mark.parametrize("value", ["a b", "a\tb", "é"])
def test_codex_session_headers_no_header_can_carry_are_400(
    hostile_proxy: str, chatgpt_fake: FakeChatGPT, value: str
) -> None:
    for name in ("session_id", "conversation_id"):
        reply = httpx.post(
            hostile_proxy + "/codex/responses",
            json=RESPONSES,
            headers={name: value.encode()},
            timeout=10,
        )
        assert "session id" in openai_error(reply, 400)
    assert chatgpt_fake.requests == []


@pytest.mark.parametrize("session", [s for s in BAD_SESSIONS if "%C3" not in s])
def test_sdk_session_ids_that_are_not_printable_are_400(hostile_proxy: str, session: str) -> None:
    reply = httpx.post(f"{hostile_proxy}/sdk/{session}/v1/messages", json=MESSAGE, timeout=10)
    assert "session_id" in anthropic_error(reply, 400, "invalid_request_error")
    chat = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    reply = httpx.post(f"{hostile_proxy}/sdk/{session}/v1/chat/completions", json=chat, timeout=10)
    assert "session_id" in openai_error(reply, 400)


@pytest.mark.parametrize("session", ["%C3%A9t%C3%A9", "%2e%2e"])
def test_printable_sdk_session_ids_pass_the_checks(hostile_proxy: str, session: str) -> None:
    reply = httpx.post(f"{hostile_proxy}/sdk/{session}/v1/messages", json=MESSAGE, timeout=10)
    assert NO_CLI in anthropic_error(reply, 502, "api_error")


def raw_request(base_url: str, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """One request written byte for byte (httpx refuses to send what these tests need);
    the status and body of the answer."""
    url = urlsplit(base_url)
    assert url.hostname is not None and url.port is not None
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split(b" ")[1]), rest.partition(b"\r\n\r\n")[2]


def post_head(path: str, body: bytes, *extra: bytes) -> bytes:
    lines = [
        b"POST " + path.encode() + b" HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Content-Type: application/json",
        b"Content-Length: %d" % len(body),
        b"Connection: close",
        *extra,
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n"


JSON_MESSAGE = httpx.Request("POST", "http://x", json=MESSAGE).content


@pytest.mark.parametrize(
    "header",
    [
        b"anthropic-beta: \xff",
        b"anthropic-beta: tools-2024\x80, other",
        b"anthropic-version: 2023-06-01\xfe\xff",
        b"x-custom: \xc3\x28",
    ],
)
def test_header_values_that_are_not_utf8_are_400(
    hostile_proxy: str, anthropic_fake: FakeAnthropic, header: bytes
) -> None:
    """HTTP lets a header value hold such bytes (obs-text), but the upstream client would send
    them altered (as UTF-8 of their latin-1 reading), so a forwarded one is refused."""
    status, body = raw_request(
        hostile_proxy, post_head("/api/v1/messages", JSON_MESSAGE, header), JSON_MESSAGE
    )
    assert status == 400, body
    name = header.split(b":")[0].decode()
    assert json.loads(body)["error"] == {
        "type": "invalid_request_error",
        "message": f"the {name} header is not valid UTF-8; send header values in ASCII",
    }
    assert anthropic_fake.requests == []


def test_utf8_header_values_are_forwarded_byte_for_byte(
    hostile_proxy: str, anthropic_fake: FakeAnthropic
) -> None:
    header = "x-title: caf\u00e9 \u2615".encode()
    status, body = raw_request(
        hostile_proxy, post_head("/api/v1/messages", JSON_MESSAGE, header), JSON_MESSAGE
    )
    assert status == 200, body
    sent = anthropic_fake.requests[0].header("x-title") or ""
    assert sent.encode("latin-1") == "caf\u00e9 \u2615".encode()  # the fake reads latin-1


def test_codex_refuses_only_the_headers_it_forwards(
    hostile_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    raw = json.dumps(RESPONSES).encode()
    kept_here = post_head("/codex/responses", raw, b"x-other: \xff")
    assert raw_request(hostile_proxy, kept_here, raw)[0] == 200
    forwarded = post_head("/codex/responses", raw, b"x-codex-turn-metadata: \xff")
    status, body = raw_request(hostile_proxy, forwarded, raw)
    assert status == 400, body
    assert "x-codex-turn-metadata header is not valid UTF-8" in json.loads(body)["error"]["message"]
    assert len(chatgpt_fake.requests) == 1


@pytest.mark.parametrize(
    "header",
    [
        b"anthropic-beta: a\r\n b",  # obs-fold, which RFC 9112 lets a server refuse
        b"anthropic-beta: a\rb",
        b"anthropic-beta: a\nx-injected: 1",
        b"anthropic-beta: a\x00b",
    ],
)
def test_header_values_with_cr_lf_or_nul_are_4xx(
    hostile_proxy: str, anthropic_fake: FakeAnthropic, header: bytes
) -> None:
    status, _ = raw_request(
        hostile_proxy, post_head("/api/v1/messages", JSON_MESSAGE, header), JSON_MESSAGE
    )
    assert status == 400  # uvicorn's own answer: the request never reaches the app
    assert all(r.header("x-injected") is None for r in anthropic_fake.requests)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/../v1/messages",
        "//api/v1/messages",
        "/api/v1/messages%2f..",
        "/api/v1/messages/..",
        "/api/v1/./messages/../messages/x",
    ],
)
def test_path_tricks_are_404_in_the_envelope(
    hostile_proxy: str, anthropic_fake: FakeAnthropic, path: str
) -> None:
    status, body = raw_request(hostile_proxy, post_head(path, JSON_MESSAGE), JSON_MESSAGE)
    assert status == 404, body
    assert body.startswith(b'{"type":"error","error":{"type":"not_found_error"')
    assert anthropic_fake.requests == []


def test_a_query_string_cannot_move_the_upstream_path(
    hostile_proxy: str, anthropic_fake: FakeAnthropic
) -> None:
    """The query string is the client's and passes through, after the configured path."""
    reply = httpx.post(
        hostile_proxy + "/api/v1/messages?x=/../../admin%0d%0a&beta=true", json=MESSAGE, timeout=10
    )
    assert reply.status_code == 200, reply.text
    assert [r.path for r in anthropic_fake.requests] == ["/v1/messages"]


LONE_SURROGATE = b'"\\ud800 and \\udfff"'  # JSON may escape them; UTF-8 cannot encode them


@pytest.mark.parametrize(
    ("path", "body", "ok"),
    [
        ("/api/v1/messages", b'{"model":"m","max_tokens":5,"messages":[{"role":"user",'
         b'"content":%s}]}', (200, 400)),
        ("/api/v1/chat/completions", b'{"model":"m","messages":[{"role":"user","content":%s}]}',
         (200, 400)),
        ("/codex/responses", b'{"model":"gpt-5.4","input":%s}', (200, 400)),
        ("/sdk/v1/messages", b'{"messages":[{"role":"user","content":%s}]}', (502,)),
        ("/mcp/permission/check", b'{"tool_name":%s,"input":{"k":%s}}', (200,)),
    ],
)  # fmt: skip
def test_lone_surrogates_in_bodies_are_no_500(
    hostile_proxy: str, path: str, body: bytes, ok: tuple[int, ...]
) -> None:
    content = body.replace(b"%s", LONE_SURROGATE)
    reply = httpx.post(
        hostile_proxy + path,
        content=content,
        headers={"content-type": "application/json"},
        timeout=20,
    )
    assert reply.status_code in ok, reply.text
    logged = httpx.get(hostile_proxy + "/logs/status", timeout=10)  # the log took it all in
    assert logged.status_code == 200 and logged.json()["rows"] >= 1, logged.text

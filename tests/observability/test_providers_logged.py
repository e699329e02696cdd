"""Entries for every provider and the ways a request can end: Codex tokens from
`response.completed`, SDK mode's own cost from Claude Code, a client that leaves mid-stream,
an upstream that cuts a stream, and permission decisions in the same DuckDB file."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from tests.conftest import ProxyFactory
from tests.fakes.live import LiveServers
from tests.sdk.conftest import SdkProxy

OBSERVED = {"metrics_enabled": True, "logs_enabled": True}


def rows(proxy: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(proxy + "/logs/query", params=params).json()["data"]
    return found


def metric(proxy: str, prefix: str) -> float:
    lines = httpx.get(proxy + "/metrics").text.splitlines()
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith(prefix))


def test_codex_tokens_and_cost(start_codex_proxy: ProxyFactory, codex_auth: dict[str, Any]) -> None:
    proxy = start_codex_proxy(observability=OBSERVED)
    for path, stream in (("/codex/v1/responses", False), ("/codex/work-1/responses", True)):
        httpx.post(proxy + path, timeout=30,
                   json={"model": "gpt-5.4", "input": "hi", "stream": stream})  # fmt: skip
    chat = {"model": "gpt-5.4", "messages": [{"role": "user", "content": "hi"}]}
    httpx.post(proxy + "/codex/v1/chat/completions", json=chat, timeout=30)
    found = rows(proxy)
    assert [r["client_format"] for r in found] == ["openai_chat", "openai_responses",
                                                    "openai_responses"]  # fmt: skip
    assert [r["session_id"] for r in found] == [None, "work-1", None]
    for row in found:  # the fake's usage: 30 input of which 10 cached, 12 output
        assert (row["input_tokens"], row["cache_read_tokens"], row["output_tokens"]) == (20, 10, 12)
        assert row["provider"] == "codex" and row["model"] == "gpt-5.4"
        assert row["cost_usd"] == pytest.approx((20 * 2.5 + 10 * 0.25 + 12 * 15) / 1e6)
        assert row["cost_source"] == "prices"


def test_sdk_mode_records_claude_codes_own_cost(sdk_proxy: SdkProxy, isolated: Path) -> None:
    proxy = sdk_proxy(observability=OBSERVED)
    body = {"model": "claude-sonnet-5-5", "max_tokens": 100,
            "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
    answer = httpx.post(proxy + "/sdk/v1/messages", json=body, timeout=120)
    assert answer.status_code == 200
    (row,) = rows(proxy)
    assert row["provider"] == "claude_sdk" and row["session_id"] == answer.headers[
        "x-ccproxy-session-id"]  # fmt: skip
    assert row["cost_source"] == "claude_code" and row["cost_usd"] > 0
    assert row["input_tokens"] >= 10 and row["output_tokens"] >= 5


def test_a_client_leaving_mid_stream_is_one_entry_and_an_error(
    start_proxy: ProxyFactory, logged_in: tuple[str, str]
) -> None:
    proxy = start_proxy(observability=OBSERVED)
    body = ('{"model": "fake-gated-stream", "max_tokens": 5, "stream": true,'
            ' "messages": [{"role": "user", "content": "hi"}]}')  # fmt: skip
    port = int(proxy.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(
            f"POST /api/v1/messages HTTP/1.1\r\nHost: localhost\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode()
        )
        assert client.recv(100).startswith(b"HTTP/1.1 200")
    deadline = time.monotonic() + 10
    while not (found := rows(proxy)) and time.monotonic() < deadline:
        time.sleep(0.05)
    (row,) = found
    assert row["error_type"] == "client_disconnected" and row["stream"] is True
    assert metric(proxy, 'ccproxy_errors_total{error_type="client_disconnected"') == 1
    assert metric(proxy, "ccproxy_in_flight_requests") == 0


def test_a_cut_upstream_stream_is_recorded_once(
    start_proxy: ProxyFactory, logged_in: tuple[str, str]
) -> None:
    proxy = start_proxy(observability=OBSERVED)
    body = {"model": "fake-cut-stream", "max_tokens": 5, "stream": True,
            "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
    text = httpx.post(proxy + "/api/v1/messages", json=body, timeout=30).text
    assert "event: error" in text
    (row,) = rows(proxy)
    assert row["status_code"] == 200 and row["stream"] is True
    assert metric(proxy, "ccproxy_requests_total") == 1


def test_permission_decisions_reach_the_duckdb_file(
    start_proxy: ProxyFactory, servers: LiveServers, tmp_path: Path
) -> None:
    path = tmp_path / "log.duckdb"
    rules = [{"decision": "deny", "tool": "Bash", "name": "no-bash"}]
    proxy = start_proxy(
        observability={"logs_enabled": True, "duckdb_path": str(path)},
        security={"permission_rules": rules},
    )
    decided = httpx.post(proxy + "/mcp/permission/check",
                         json={"tool_name": "Bash", "input": {"command": "ls"}}).json()  # fmt: skip
    assert decided["behavior"] == "deny"
    assert httpx.get(proxy + "/logs/status").json()["rows"] == 1  # the check is a request too
    servers.stop_all()  # the server closes the file; DuckDB lets one process in at a time
    with duckdb.connect(str(path), read_only=True) as db:
        found = db.execute("SELECT tool_name, status, decided_by, decider, input->>'command' "
                           "FROM permission_decisions").fetchall()  # fmt: skip
    assert found == [("Bash", "denied", "rule", "no-bash", "ls")]

"""What tests/server/test_fuzz.py found: each was a 500, each is now a proper answer."""

from __future__ import annotations

from pathlib import Path

import duckdb
import httpx

from tests.conftest import ProxyFactory
from tests.fakes.chatgpt_backend import FakeChatGPT
from tests.fakes.live import LiveServers

RESPONSES = {"model": "gpt-5.4", "input": "hi"}


def test_a_prompt_cache_key_with_cr_lf_is_sent_as_a_uuid(
    codex_proxy: str, chatgpt_fake: FakeChatGPT
) -> None:
    """The client's prompt_cache_key went into the session header as it was, and a CR/LF in it
    made the upstream client raise."""
    keys = ["a\r\nx-injected: 1", "clé", "a\r\nx-injected: 1"]
    for key in keys:
        reply = httpx.post(
            codex_proxy + "/codex/responses",
            json={**RESPONSES, "prompt_cache_key": key},
            timeout=10,
        )
        assert reply.status_code == 200, reply.text
    sessions = [r.header("session_id") or "" for r in chatgpt_fake.requests]
    assert all(len(s) == 36 and s.count("-") == 4 for s in sessions), sessions
    assert sessions[0] == sessions[2] != sessions[1]  # the same key, the same session
    assert [b["prompt_cache_key"] for b in chatgpt_fake.bodies()] == keys
    assert all(r.header("x-injected") is None for r in chatgpt_fake.requests)


def test_a_permission_input_of_mixed_types_reaches_the_log(
    start_proxy: ProxyFactory, servers: LiveServers, tmp_path: Path
) -> None:
    """The input went to DuckDB as a dict, from which it inferred a type that a list holding a
    list and a number does not fit: the batch failed, and so did /logs/status."""
    path = tmp_path / "log.duckdb"
    proxy = start_proxy(
        observability={"logs_enabled": True, "duckdb_path": str(path)},
        security={"permission_rules": [{"decision": "deny", "tool": "*"}]},
    )
    check = {"tool_name": "Bash", "input": {"a": [[], 1.5], "c": {"d": "\x00"}}}
    decided = httpx.post(proxy + "/mcp/permission/check", json=check, timeout=10)
    assert decided.json()["behavior"] == "deny"
    status = httpx.get(proxy + "/logs/status", timeout=10)
    assert status.status_code == 200 and status.json()["rows"] == 1, status.text
    servers.stop_all()  # the server closes the file; DuckDB lets one process in at a time
    with duckdb.connect(str(path), read_only=True) as db:
        found = db.execute("SELECT input->'a', input->>'$.c.d' FROM permission_decisions")
        assert found.fetchall() == [("[[],1.5]", "\x00")]


def test_a_block_type_that_is_not_a_string_is_400_in_sdk_mode(
    start_proxy: ProxyFactory, logged_in: tuple[str, str], tmp_path: Path
) -> None:
    """`{"type": []}` was looked up in a set: TypeError."""
    proxy = start_proxy(claude={"cli_path": str(tmp_path / "no-such-claude")})
    body = {"messages": [{"role": "user", "content": [{"type": ["text"], "text": "hi"}]}]}
    reply = httpx.post(proxy + "/sdk/v1/messages", json=body, timeout=10)
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"] == {
        "type": "invalid_request_error",
        "message": "the last user message has no content",
    }


def test_a_model_name_no_header_can_carry_is_left_out_of_x_ccproxy_model(
    proxy: str,
) -> None:
    """The client's model name went into `x-ccproxy-model` as it was; Starlette cannot encode
    `模型` in a header, and a CR/LF would have split it."""
    for model in ("模型", "m\r\nx-injected: 1"):
        chat = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
        reply = httpx.post(proxy + "/api/v1/chat/completions", json=chat, timeout=10)
        assert reply.status_code == 200, reply.text
        assert "x-ccproxy-model" not in reply.headers and "x-injected" not in reply.headers
    plain = {"model": "claude-sonnet-5-5", "messages": [{"role": "user", "content": "hi"}]}
    reply = httpx.post(proxy + "/api/v1/chat/completions", json=plain, timeout=10)
    assert reply.headers["x-ccproxy-model"] == "claude-sonnet-5-5"

"""The real Codex CLI (npm @openai/codex, pinned) through /codex, and its prompt captured."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ProxyFactory
from tests.e2e.codex_cli import VERSION, codex_binary, run_codex
from tests.fakes.chatgpt_backend import FakeChatGPT

# How the Codex CLI's own instruction prompt begins (the part the backend checks).
CODEX_PROMPT_START = "You are a coding agent running in the Codex CLI"


def test_codex_exec_completes_a_function_call_round_trip(
    codex_proxy: str, chatgpt_fake: FakeChatGPT, isolated: Path
) -> None:
    # The fake backend answers `CALL <tool> <json>` with a call to that tool; `get_goal` is one
    # the CLI offers and runs itself, without asking for approval.
    result, events = run_codex(codex_proxy + "/codex", isolated, "CALL get_goal {}")
    assert result.returncode == 0, result.stderr[-2000:]
    bodies = chatgpt_fake.bodies()
    assert len(bodies) == 2, [b["input"][-1] for b in bodies]
    first, second = bodies
    assert any(t.get("name") == "get_goal" for t in first["tools"])
    outputs = [i for i in second["input"] if i.get("type") == "function_call_output"]
    calls = [i for i in second["input"] if i.get("type") == "function_call"]
    assert [c["name"] for c in calls] == ["get_goal"]
    assert outputs and outputs[0]["call_id"] == calls[0]["call_id"]
    messages = [e["item"]["text"] for e in events if _is_agent_message(e)]
    assert messages and messages[-1].startswith("Tool said:")
    sessions = {r.header("session_id") for r in chatgpt_fake.requests}
    assert len(sessions) == 1  # the CLI's own session id, kept across its turns


def _is_agent_message(event: dict[str, Any]) -> bool:
    item = event.get("item") or {}
    return event.get("type") == "item.completed" and item.get("type") == "agent_message"


def test_the_prompt_is_captured_from_the_cli_cached_and_used(
    start_codex_proxy: ProxyFactory,
    codex_auth: dict[str, Any],
    chatgpt_fake: FakeChatGPT,
    isolated: Path,
) -> None:
    cli = {"instructions_file": None, "cli_path": str(codex_binary())}
    proxy = start_codex_proxy(codex=cli)
    status = _wait_for_prompt(proxy)
    assert status["source"] == "captured" and status["cli_version"] == VERSION
    assert status["characters"] > 1000
    body = {"model": "gpt-5.4", "instructions": "Mine.", "input": "hi"}
    assert httpx.post(proxy + "/codex/responses", json=body, timeout=20).status_code == 200
    sent = chatgpt_fake.bodies()[-1]["instructions"]
    assert sent.startswith(CODEX_PROMPT_START) and sent.endswith("\n\nMine.")
    cached = isolated / ".cache" / "ccproxy" / "codex-instructions" / f"{VERSION}.txt"
    assert sent.startswith(cached.read_text())

    again = start_codex_proxy(codex=cli)
    assert _wait_for_prompt(again)["source"] == "cache"


def _wait_for_prompt(proxy: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        status: dict[str, Any] = httpx.get(proxy + "/codex/status").json()["instructions"]
        if status["source"] != "pending" or time.monotonic() > deadline:
            return status
        time.sleep(0.2)

"""Claude Code itself (`claude -p`) on the proxy: plain turns, a tool round trip, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ProxyFactory
from tests.e2e.claude_cli import CLAUDE, run_claude
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import REPLY

pytestmark = pytest.mark.cli
IDENTITY = "You are Claude Code, Anthropic's official CLI for Claude."


def test_cli_binary_is_the_pinned_one() -> None:
    import subprocess

    out = subprocess.run([str(CLAUDE), "--version"], capture_output=True, text=True, timeout=60)
    assert out.stdout.startswith("2.1.330")


def test_plain_turn(
    proxy: str, tmp_path: Path, anthropic_fake: FakeAnthropic, logged_in: tuple[str, str]
) -> None:
    result, parsed = run_claude(proxy + "/api", tmp_path / "cli-home", "say hi")
    assert result.returncode == 0, result.stderr
    assert parsed is not None and parsed["result"] == REPLY and parsed["is_error"] is False
    [request] = anthropic_fake.message_requests()
    assert request.query == "beta=true"
    assert request.header("authorization") == f"Bearer {logged_in[0]}"
    assert request.header(
        "user-agent",
    ).startswith("claude-cli/2.1.330")  # type: ignore[union-attr]
    betas = (request.header("anthropic-beta") or "").split(",")
    assert betas[0] == "claude-code-20250219" and betas[-1] == "oauth-2025-04-20"
    body = request.json()
    assert body["stream"] is True
    assert body["system"][1]["text"].startswith("You are a Claude agent")  # its own identity, kept
    assert all(block.get("text") != IDENTITY for block in body["system"])  # ours not added


def test_tool_round_trip(proxy: str, tmp_path: Path, anthropic_fake: FakeAnthropic) -> None:
    result, parsed = run_claude(
        proxy + "/api", tmp_path / "cli-home", "RUN: echo hello-from-tool", "--allowedTools", "Bash"
    )
    assert result.returncode == 0, result.stderr
    assert parsed is not None and parsed["result"] == "Tool said: hello-from-tool"
    _, second = anthropic_fake.message_requests()
    roles = [m["role"] for m in second.json()["messages"]]
    assert roles[-2:] == ["assistant", "user"]
    tool_result = second.json()["messages"][-1]["content"][0]
    assert tool_result["type"] == "tool_result" and tool_result["tool_use_id"] == "toolu_fake01"


def test_upstream_error_reaches_the_cli_with_its_status(proxy: str, tmp_path: Path) -> None:
    result, parsed = run_claude(
        proxy + "/api", tmp_path / "cli-home", "hi", "--model", "fake-overloaded"
    )
    assert result.returncode == 1
    assert parsed is not None and parsed["is_error"] is True and parsed["api_error_status"] == 529


def test_client_token_as_the_cli_api_key(
    start_proxy: ProxyFactory, logged_in: tuple[str, str], tmp_path: Path
) -> None:
    proxy = start_proxy(security={"auth_token": "cli-token"})
    ok, parsed = run_claude(proxy + "/api", tmp_path / "a", "hi", api_key="cli-token")
    assert ok.returncode == 0 and parsed is not None and parsed["result"] == REPLY
    refused, parsed = run_claude(proxy + "/api", tmp_path / "b", "hi", api_key="wrong")
    assert refused.returncode == 1
    assert parsed is not None and parsed["api_error_status"] == 401

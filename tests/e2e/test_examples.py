"""Every script in examples/ runs as documented against a proxy on the fake upstream."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.claude_cli import CLAUDE
from tests.e2e.test_aider import AIDER, offline_home
from tests.fakes.anthropic_script import REPLY

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(
    command: list[str], proxy: str, home: Path, extra: dict[str, str] | None = None
) -> str:
    env = {
        **os.environ,
        "CCPROXY_URL": proxy,
        "HOME": str(home),
        "PATH": f"{CLAUDE.parent}{os.pathsep}{os.environ['PATH']}",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "CLAUDE_CODE_MAX_RETRIES": "1",
        **(extra or {}),
    }
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_anthropic_sdk_example(proxy: str, tmp_path: Path) -> None:
    out = run_example([sys.executable, str(EXAMPLES / "anthropic_sdk.py")], proxy, tmp_path)
    assert f"message: {REPLY}" in out and f"stream: {REPLY}" in out and "tokens:" in out


def test_curl_example(proxy: str, tmp_path: Path) -> None:
    out = run_example(["bash", str(EXAMPLES / "curl.sh")], proxy, tmp_path)
    message, stream = out.split("\n", 1)
    assert json.loads(message)["content"] == [{"type": "text", "text": REPLY}]
    assert stream.startswith("event: message_start") and "event: message_stop" in stream


@pytest.mark.cli
def test_claude_code_example(proxy: str, tmp_path: Path) -> None:
    out = run_example(["bash", str(EXAMPLES / "claude_code.sh"), "hi"], proxy, tmp_path)
    assert out.strip() == REPLY


def test_openai_sdk_example(proxy: str, tmp_path: Path) -> None:
    env = {"CCPROXY_TOOL_PROMPT": 'CALL get_weather {"city": "Paris"}'}
    out = run_example([sys.executable, str(EXAMPLES / "openai_sdk.py")], proxy, tmp_path, env)
    assert f"chat: {REPLY} (claude-sonnet-5-5)" in out
    assert f"stream: {REPLY}" in out and "usage: 15 in, 5 out" in out
    assert "tool call: get_weather {'city': 'Paris'}" in out


def test_chat_curl_example(proxy: str, tmp_path: Path) -> None:
    out = run_example(["bash", str(EXAMPLES / "chat_curl.sh")], proxy, tmp_path)
    frames = [f.removeprefix("data: ") for f in out.split("\n\n") if f.strip()]
    assert frames[-1] == "[DONE]"
    assert json.loads(frames[1])["choices"][0]["delta"]["content"] == REPLY
    assert json.loads(frames[-2])["usage"]["total_tokens"] == 20


@pytest.mark.cli
def test_aider_example(proxy: str, tmp_path: Path) -> None:
    offline_home(tmp_path)
    (tmp_path / "notes.txt").write_text("old\n")
    args = [
        "--no-git",
        "--yes-always",
        "--no-check-update",
        "--no-show-release-notes",
        "--analytics-disable",
        "--edit-format",
        "whole",
        "--map-tokens",
        "0",
        "--message",
        "AIDER_WRITE notes.txt new",
        "notes.txt",
    ]
    env = {
        "PATH": f"{AIDER.parent}{os.pathsep}{os.environ['PATH']}",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    run_example(["bash", str(EXAMPLES / "aider.sh"), *args], proxy, tmp_path, env)
    assert (tmp_path / "notes.txt").read_text() == "new\n"


def test_responses_on_claude_example(proxy: str, tmp_path: Path) -> None:
    env = {"CCPROXY_TOOL_PROMPT": 'CALL get_weather {"city": "Paris"}'}
    script = [sys.executable, str(EXAMPLES / "responses_on_claude.py")]
    out = run_example(script, proxy, tmp_path, env)
    assert f"answer: {REPLY} (claude-sonnet-5-5)" in out
    assert f"stream: {REPLY}" in out and "usage: 15 in, 5 out" in out  # 10 + 3 read + 2 written
    assert "tool call: get_weather {'city': 'Paris'}" in out
    assert "after the tool: Tool said: 18C" in out

"""Every script in examples/ runs as documented against a proxy on the fake upstream."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.claude_cli import CLAUDE
from tests.fakes.anthropic_script import REPLY

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(command: list[str], proxy: str, home: Path) -> str:
    env = {
        **os.environ,
        "CCPROXY_URL": proxy,
        "HOME": str(home),
        "PATH": f"{CLAUDE.parent}{os.pathsep}{os.environ['PATH']}",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "CLAUDE_CODE_MAX_RETRIES": "1",
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

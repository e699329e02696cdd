"""The /codex scripts in examples/ run as documented against a proxy on the fake backend."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.e2e.codex_cli import codex_binary
from tests.e2e.test_examples import EXAMPLES, run_example
from tests.fakes.anthropic_script import REPLY as CLAUDE_REPLY
from tests.fakes.chatgpt_backend import FakeChatGPT
from tests.fakes.chatgpt_script import REPLY


def test_codex_sdk_example(codex_proxy: str, tmp_path: Path) -> None:
    env = {"CCPROXY_TOOL_PROMPT": 'CALL get_weather {"city": "Paris"}'}
    out = run_example([sys.executable, str(EXAMPLES / "codex_sdk.py")], codex_proxy, tmp_path, env)
    assert f"responses: {REPLY}" in out
    assert f"stream: {REPLY}" in out and "usage: 30 in, 12 out" in out
    assert "tool call: get_weather {'city': 'Paris'}" in out


def test_codex_curl_example(codex_proxy: str, tmp_path: Path) -> None:
    out = run_example(["bash", str(EXAMPLES / "codex_curl.sh")], codex_proxy, tmp_path)
    frames = [f for f in out.split("\n\n") if f.strip()]
    assert frames[0].startswith("event: response.created")
    last = json.loads(frames[-1].split("data: ", 1)[1])
    assert last["type"] == "response.completed"
    assert last["response"]["output"][0]["content"][0]["text"] == REPLY


def test_codex_cli_example(codex_proxy: str, chatgpt_fake: FakeChatGPT, isolated: Path) -> None:
    # The user's own Codex settings, which the example leaves in place: no update check and no
    # analytics, so the CLI talks to nothing but the proxy.
    (isolated / ".codex").mkdir(exist_ok=True)
    (isolated / ".codex" / "config.toml").write_text(
        "check_for_update_on_startup = false\n[analytics]\nenabled = false\n"
    )
    path = f"{codex_binary().parent}{os.pathsep}{os.environ['PATH']}"
    out = run_example(
        ["bash", str(EXAMPLES / "codex_cli.sh"), "hi"], codex_proxy, isolated, {"PATH": path}
    )
    assert REPLY in out
    assert [b["input"][-1]["content"][0]["text"] for b in chatgpt_fake.bodies()] == ["hi"]


def test_one_base_url_example(
    codex_proxy: str, logged_in: tuple[str, str], chatgpt_fake: FakeChatGPT, tmp_path: Path
) -> None:
    env = {"CCPROXY_CLAUDE_MODEL": "claude-sonnet-5-5"}
    script = [sys.executable, str(EXAMPLES / "one_base_url.py")]
    out = run_example(script, codex_proxy, tmp_path, env)
    assert f"anthropic sdk, claude: {CLAUDE_REPLY}" in out
    assert f"openai sdk, claude-sonnet-5-5: {CLAUDE_REPLY}" in out
    assert f"openai sdk, gpt-5.4: {REPLY}" in out
    assert "gpt-5.4" in out.split("models:")[1] and "claude-" in out.split("models:")[1]
    assert [body["model"] for body in chatgpt_fake.bodies()] == ["gpt-5.4"]


def test_anthropic_on_codex_example(codex_proxy: str, tmp_path: Path) -> None:
    env = {"CCPROXY_TOOL_PROMPT": 'CALL get_weather {"city": "Paris"}'}
    script = [sys.executable, str(EXAMPLES / "anthropic_on_codex.py")]
    out = run_example(script, codex_proxy, tmp_path, env)
    assert f"message: {REPLY}" in out and "answered by: gpt-5.4" in out
    assert f"stream: {REPLY}" in out
    assert "tool call: get_weather {'city': 'Paris'}" in out
    assert "after the tool: Tool said: 21C and sunny" in out
    assert "tokens (estimated): 11" in out


@pytest.mark.cli
def test_claude_code_on_codex_example(
    codex_proxy: str, chatgpt_fake: FakeChatGPT, tmp_path: Path
) -> None:
    out = run_example(
        ["bash", str(EXAMPLES / "claude_code_on_codex.sh"), "hi"], codex_proxy, tmp_path
    )
    assert out.strip() == REPLY
    assert [b["model"] for b in chatgpt_fake.bodies()] == ["gpt-5.4"]

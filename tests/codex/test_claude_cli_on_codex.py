"""Claude Code itself (`claude -p`) on /codex: Anthropic Messages answered by the (fake)
ChatGPT backend, with a tool round trip that Claude Code runs for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CODEX_PROMPT
from tests.e2e.claude_cli import run_claude
from tests.fakes.chatgpt_backend import FakeChatGPT
from tests.fakes.chatgpt_script import REPLY

pytestmark = pytest.mark.cli


def test_plain_turn(codex_proxy: str, tmp_path: Path, chatgpt_fake: FakeChatGPT) -> None:
    result, parsed = run_claude(codex_proxy + "/codex", tmp_path / "cli-home", "say hi")
    assert result.returncode == 0, result.stderr + result.stdout
    assert parsed is not None and parsed["result"] == REPLY and parsed["is_error"] is False
    [body] = chatgpt_fake.bodies()
    assert body["model"] == "gpt-5.4"  # Claude Code's `claude-*` name, mapped
    assert body["instructions"].startswith(CODEX_PROMPT)
    assert "Bash" in [tool["name"] for tool in body["tools"]]
    assert body["input"][-1]["content"][-1] == {"type": "input_text", "text": "say hi"}


def test_tool_round_trip(codex_proxy: str, tmp_path: Path, chatgpt_fake: FakeChatGPT) -> None:
    # The fake backend answers `CALL <tool> <json>` with that function call; Claude Code runs
    # the command, and the fake answers the function_call_output with "Tool said: <output>".
    ask = 'CALL Bash {"command": "echo hello-from-codex"}'
    result, parsed = run_claude(
        codex_proxy + "/codex", tmp_path / "cli-home", ask, "--allowedTools", "Bash"
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert parsed is not None and parsed["result"] == "Tool said: hello-from-codex"
    assert parsed["num_turns"] == 2
    first, second = chatgpt_fake.bodies()
    call, output = second["input"][-2:]
    assert call == {
        "type": "function_call",
        "call_id": "call_fake1",
        "name": "Bash",
        "arguments": '{"command": "echo hello-from-codex"}',
    }
    assert output == {
        "type": "function_call_output", "call_id": "call_fake1", "output": "hello-from-codex",
    }  # fmt: skip
    # Claude Code asks for thinking: the summaries came back as thinking blocks, which Claude
    # Code sent back with the history, and which stay here (the backend stores no reasoning).
    assert first["reasoning"]["summary"] == "auto"
    assert [item["type"] for item in second["input"]] == [
        "message", "function_call", "function_call_output",
    ]  # fmt: skip
    # One conversation, one backend session across both calls.
    sessions = {request.header("session_id") for request in chatgpt_fake.requests}
    assert len(sessions) == 1 and first["prompt_cache_key"] == second["prompt_cache_key"]


def test_upstream_error_reaches_the_cli_with_its_status(codex_proxy: str, tmp_path: Path) -> None:
    result, parsed = run_claude(
        codex_proxy + "/codex", tmp_path / "cli-home", "hi", "--model", "fake-usage-limit"
    )
    assert result.returncode == 1
    assert parsed is not None and parsed["is_error"] is True
    assert parsed["api_error_status"] == 429


def test_a_codex_model_named_on_the_command_line_is_used_as_is(
    codex_proxy: str, tmp_path: Path, chatgpt_fake: FakeChatGPT
) -> None:
    result, parsed = run_claude(
        codex_proxy + "/codex", tmp_path / "cli-home", "hi", "--model", "gpt-5.4-mini"
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert parsed is not None and parsed["result"] == REPLY
    assert [body["model"] for body in chatgpt_fake.bodies()] == ["gpt-5.4-mini"]

"""The real Codex CLI (npm @openai/codex, pinned) on /api/v1: a Responses client served by the
Claude API (the fake one), its OpenAI model name mapped to Claude."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.codex_cli import run_codex
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import REPLY, THOUGHT

pytestmark = pytest.mark.cli


def _agent_messages(events: list[dict[str, Any]]) -> list[str]:
    return [
        e["item"]["text"]
        for e in events
        if e.get("type") == "item.completed" and e["item"].get("type") == "agent_message"
    ]


def test_codex_exec_gets_a_plain_answer_from_claude(
    proxy: str, anthropic_fake: FakeAnthropic, isolated: Path
) -> None:
    result, events = run_codex(proxy + "/api/v1", isolated, "Say hello.")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _agent_messages(events) == [REPLY]
    bodies = [r.json() for r in anthropic_fake.message_requests()]
    assert bodies and all(b["model"] == "claude-sonnet-5-5" for b in bodies)  # gpt-5.4, mapped
    assert "Say hello." in str(bodies[0]["messages"]) and bodies[0]["system"]


def test_codex_exec_completes_a_tool_round_trip_on_claude(
    proxy: str, anthropic_fake: FakeAnthropic, isolated: Path
) -> None:
    # `get_goal` is a function tool the CLI offers and runs itself, without asking for approval.
    # The fake reads `CALL` lines of the user turn's text blocks joined by spaces; the newline
    # keeps the call on a line of its own after the CLI's environment block.
    result, events = run_codex(proxy + "/api/v1", isolated, "\nCALL get_goal {}")
    assert result.returncode == 0, result.stderr[-2000:]
    bodies = [r.json() for r in anthropic_fake.message_requests()]
    assert len(bodies) == 2
    first, second = bodies
    assert any(t["name"] == "get_goal" for t in first["tools"])
    calls = [b for m in second["messages"] for b in _blocks(m) if b["type"] == "tool_use"]
    results = [b for m in second["messages"] for b in _blocks(m) if b["type"] == "tool_result"]
    assert [c["name"] for c in calls] == ["get_goal"]
    assert results and results[0]["tool_use_id"] == calls[0]["id"]
    messages = _agent_messages(events)
    assert messages and messages[-1].startswith("Tool said:")


def _blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message["content"]
    return [{"type": "text", "text": content}] if isinstance(content, str) else content


def test_codex_exec_runs_a_shell_command_claude_asked_for(
    proxy: str, anthropic_fake: FakeAnthropic, isolated: Path
) -> None:
    prompt = '\nCALL exec_command {"cmd": "echo hi-from-shell"}'
    result, events = run_codex(proxy + "/api/v1", isolated, prompt)
    assert result.returncode == 0, result.stderr[-2000:]
    commands = [
        e["item"]
        for e in events
        if e.get("type") == "item.completed" and e["item"].get("type") == "command_execution"
    ]
    assert commands and commands[0]["aggregated_output"] == "hi-from-shell\n"
    bodies = [r.json() for r in anthropic_fake.message_requests()]
    assert len(bodies) == 2
    results = [b for b in _blocks(bodies[1]["messages"][-1]) if b["type"] == "tool_result"]
    assert "hi-from-shell" in str(results[0]["content"])  # the command's output, back to Claude
    assert _agent_messages(events)[-1].startswith("Tool said:")


def test_codex_exec_with_reasoning_gives_claude_its_thinking_back(
    proxy: str, anthropic_fake: FakeAnthropic, isolated: Path
) -> None:
    settings = 'model_reasoning_effort = "high"\nmodel_reasoning_summary = "detailed"\n'
    result, events = run_codex(proxy + "/api/v1", isolated, "\nCALL get_goal {}", settings=settings)
    assert result.returncode == 0, result.stderr[-2000:]
    reasoning = [
        e["item"]["text"]
        for e in events
        if e.get("type") == "item.completed" and e["item"].get("type") == "reasoning"
    ]
    assert reasoning and reasoning[0] == THOUGHT  # the summary the CLI shows is Claude's thinking
    first, second = (r.json() for r in anthropic_fake.message_requests())
    assert first["thinking"]["type"] in ("adaptive", "enabled")
    turn = _blocks(second["messages"][-2])
    assert [b["type"] for b in turn] == ["thinking", "tool_use"] and turn[0]["signature"]

"""The handler's bookkeeping across reconnections, without a server: what was decided while it
was away is withdrawn, what is still pending stays, and a request is never shown twice."""

from __future__ import annotations

import asyncio
from typing import Any

from ccproxy.permissions.handler import Prompter


class Screen:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def say(self, text: str, *, style: str = "") -> None:
        self.lines.append(text)

    def ask(self, text: str) -> None:
        self.lines.append(text)


def request(request_id: str, tool: str = "Bash") -> dict[str, Any]:
    return {"id": request_id, "tool_name": tool, "input": {"n": 1},
            "expires_at": "2999-01-01T00:00:00.000Z"}  # fmt: skip


def test_a_reconnection_withdraws_what_was_decided_meanwhile() -> None:
    screen = Screen()
    prompter = Prompter(screen)
    prompter.connected(0)
    prompter.event("permission_request", request("a"))
    prompter.event("permission_request", request("b", "Write"))
    assert [r["id"] for r in prompter.queue] == ["a", "b"]
    prompter.connected(1)  # the server restarted: only b is still pending
    prompter.event("permission_request", request("b", "Write"))
    assert [r["id"] for r in prompter.queue] == ["b"]
    assert "\nanswered elsewhere: decided while disconnected" in screen.lines
    assert screen.lines.count("Tool: Write") == 1  # shown once b came to the front
    prompter.event("permission_request", request("c"))  # a new one after the replay
    assert [r["id"] for r in prompter.queue] == ["b", "c"]
    prompter.connected(0)
    assert prompter.queue == []


def test_a_resolved_request_in_the_queue_leaves_quietly() -> None:
    screen = Screen()
    prompter = Prompter(screen)
    prompter.connected(0)
    prompter.event("permission_request", request("a"))
    prompter.event("permission_request", request("b"))
    shown = len(screen.lines)
    prompter.event("permission_resolved", {**request("b"), "status": "allowed"})
    assert [r["id"] for r in prompter.queue] == ["a"] and len(screen.lines) == shown


def test_a_refused_answer_keeps_the_request_on_screen() -> None:
    async def refuse(request_id: str, allowed: bool, message: str | None) -> tuple[int, Any]:
        return 502, ["not", "an", "envelope"]

    screen = Screen()
    prompter = Prompter(screen, refuse)
    prompter.connected(0)
    prompter.event("permission_request", request("a"))
    asyncio.run(prompter.line("y"))
    assert [r["id"] for r in prompter.queue] == ["a"]
    assert any("refused the answer (502)" in line for line in screen.lines)

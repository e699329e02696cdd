"""The whole loop with the real `claude` CLI: the fake API asks for a Bash command, Claude Code
asks ccproxy's MCP tool, and the decision (a person through the API, a rule or the timeout)
decides whether the command runs."""

from __future__ import annotations

import json
import socket
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.anthropic_api import FakeAnthropic
from tests.permissions.conftest import AskingProxy
from tests.permissions.watch import StreamWatcher


def ask_in_background(proxy: str, text: str, **headers: str) -> Future[httpx.Response]:
    """Send an SDK-mode request from a thread: it blocks until the permission is decided."""
    future: Future[httpx.Response] = Future()
    body = {
        "model": "claude-sonnet-5-5",
        "max_tokens": 1000,
        "messages": [{"role": "user", "content": text}],
    }

    def send() -> None:
        try:
            future.set_result(
                httpx.post(proxy + "/sdk/v1/messages", json=body, headers=headers, timeout=120)
            )
        except httpx.HTTPError as exc:
            future.set_exception(exc)

    threading.Thread(target=send, daemon=True).start()
    return future


def tool_results(fake: FakeAnthropic) -> list[dict[str, Any]]:
    """The tool_result blocks Claude Code sent back in its last call to the API."""
    return [
        block
        for message in fake.message_requests()[-1].json()["messages"]
        if isinstance(message["content"], list)
        for block in message["content"]
        if block.get("type") == "tool_result"
    ]


def test_an_approved_command_runs_and_its_result_reaches_the_model(
    asking_proxy: AskingProxy, anthropic_fake: FakeAnthropic, workdir: Path
) -> None:
    proxy = asking_proxy()
    with StreamWatcher(proxy) as watch:
        reply = ask_in_background(proxy, "RUN: echo approved > out.txt && echo ran")
        asked = watch.next("permission_request")
        assert asked["tool_name"] == "Bash" and asked["status"] == "pending"
        assert "out.txt" in asked["input"]["command"]
        assert not (workdir / "out.txt").exists()  # nothing runs before the decision
        answer = httpx.post(
            f"{proxy}/permissions/{asked['id']}/respond", json={"allowed": True}, timeout=10
        )
        assert answer.status_code == 200 and answer.json()["status"] == "allowed"
        assert watch.next("permission_resolved")["id"] == asked["id"]
        assert reply.result(120).status_code == 200
    assert (workdir / "out.txt").read_text() == "approved\n"
    assert "ran" in json.dumps(tool_results(anthropic_fake))


def test_a_denied_command_does_not_run_and_the_model_reads_why(
    asking_proxy: AskingProxy, anthropic_fake: FakeAnthropic, workdir: Path
) -> None:
    proxy = asking_proxy()
    with StreamWatcher(proxy) as watch:
        reply = ask_in_background(proxy, "RUN: touch denied.txt")
        asked = watch.next("permission_request")
        assert asked["tool_use_id"], "Claude Code names the tool_use block it asks about"
        denial = {"allowed": False, "message": "Not in this repository, please."}
        answer = httpx.post(f"{proxy}/permissions/{asked['id']}/respond", json=denial)
        assert answer.json()["status"] == "denied"
        assert reply.result(120).status_code == 200
    assert not (workdir / "denied.txt").exists()
    (result,) = tool_results(anthropic_fake)
    assert result["tool_use_id"] == asked["tool_use_id"]
    assert "Not in this repository, please." in json.dumps(result)
    record = httpx.get(f"{proxy}/permissions/{asked['id']}").json()
    assert record["decided_by"] == "user" and record["decider"] == "api"


def test_no_answer_is_a_denial_after_the_timeout(
    asking_proxy: AskingProxy, anthropic_fake: FakeAnthropic, workdir: Path
) -> None:
    proxy = asking_proxy(timeout=1)
    with StreamWatcher(proxy) as watch:
        reply = ask_in_background(proxy, "RUN: touch late.txt")
        asked = watch.next("permission_request")
        assert asked["timeout_seconds"] == 1
        expired = watch.next("permission_expired")
        assert expired["id"] == asked["id"] and expired["status"] == "expired"
        assert reply.result(120).status_code == 200
    assert not (workdir / "late.txt").exists()
    assert "No decision within 1 s" in json.dumps(tool_results(anthropic_fake))
    late = httpx.post(f"{proxy}/permissions/{asked['id']}/respond", json={"allowed": True})
    assert late.status_code == 409


def test_rules_decide_without_asking(
    asking_proxy: AskingProxy, anthropic_fake: FakeAnthropic, workdir: Path
) -> None:
    rules = [
        {"decision": "allow", "tool": "Bash", "input": {"command": "touch made-*"}},
        {"decision": "deny", "tool": "Bash", "input": {"command": "*rm *"},
         "message": "Never delete files.", "name": "no-rm"},
    ]  # fmt: skip
    proxy = asking_proxy(rules=rules)
    (workdir / "keep.txt").write_text("keep")
    with StreamWatcher(proxy) as watch:
        allowed = ask_in_background(proxy, "RUN: touch made-by-rule.txt")
        assert allowed.result(120).status_code == 200
        denied = ask_in_background(proxy, "RUN: rm keep.txt")
        assert denied.result(120).status_code == 200
        assert "Never delete files." in json.dumps(tool_results(anthropic_fake))
        nobody_asked = [name for name, _ in list(watch.events.queue) if name != "ping"]
        assert nobody_asked == []
    assert (workdir / "made-by-rule.txt").exists() and (workdir / "keep.txt").exists()
    trail = httpx.get(f"{proxy}/permissions/history").json()["data"]
    assert [(r["status"], r["decided_by"], r["decider"]) for r in trail] == [
        ("denied", "rule", "no-rm"),
        ("allowed", "rule", "#1 allow Bash(command='touch made-*')"),
    ]


def test_a_chained_command_is_not_allowed_by_a_prefix_rule(
    asking_proxy: AskingProxy, workdir: Path
) -> None:
    proxy = asking_proxy(timeout=1, rules=[
        {"decision": "allow", "tool": "Bash", "input": {"command": "git status*"}}])  # fmt: skip
    reply = ask_in_background(proxy, "RUN: git status; touch chained.txt")
    assert reply.result(120).status_code == 200
    (decision,) = httpx.get(f"{proxy}/permissions/history").json()["data"]
    assert decision["status"] == "expired"  # asked a person, nobody answered
    assert not (workdir / "chained.txt").exists()


def test_with_a_client_token_claude_code_authenticates_to_the_mcp_tool(
    asking_proxy: AskingProxy, workdir: Path
) -> None:
    token = "sk-ccproxy-test-token-1234"
    proxy = asking_proxy(security={"auth_token": token})
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.get(proxy + "/permissions/history").status_code == 401
    with StreamWatcher(proxy, headers=auth) as watch:
        reply = ask_in_background(proxy, "RUN: echo with-token > t.txt", **{"x-api-key": token})
        asked = watch.next("permission_request")
        httpx.post(f"{proxy}/permissions/{asked['id']}/respond", json={"allowed": True},
                   headers=auth)  # fmt: skip
        assert reply.result(120).status_code == 200
    assert (workdir / "t.txt").read_text() == "with-token\n"
    status = httpx.get(proxy + "/sdk/status", headers=auth).json()
    assert token not in json.dumps(status)


def test_the_prompt_is_withdrawn_when_the_client_leaves(
    asking_proxy: AskingProxy, workdir: Path
) -> None:
    proxy = asking_proxy()
    turn = {"role": "user", "content": "RUN: touch never.txt"}
    body = json.dumps({"model": "claude-sonnet-5-5", "max_tokens": 100, "messages": [turn]})
    port = int(proxy.rsplit(":", 1)[1])
    with StreamWatcher(proxy) as watch:
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(
            f"POST /sdk/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
            f"\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode()
        )
        asked = watch.next("permission_request")
        client.close()  # the client leaves while Claude Code waits for the decision
        withdrawn = watch.next("permission_resolved", timeout=30)
    assert withdrawn["id"] == asked["id"] and withdrawn["decided_by"] == "cancelled"
    late = httpx.post(f"{proxy}/permissions/{asked['id']}/respond", json={"allowed": True})
    assert late.status_code == 409
    assert not (workdir / "never.txt").exists()

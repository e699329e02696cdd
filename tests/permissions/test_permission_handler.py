"""`ccproxy permission-handler` in a real pseudo-terminal against a live proxy: it shows each
request with its input, sends the person's answer, withdraws what was answered elsewhere and
comes back after the server restarts."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pexpect
import pytest

from ccproxy.config import Settings
from ccproxy.server.app import create_app
from tests.fakes.live import LiveServer, LiveServers
from tests.permissions.test_approval_api import RICH_INPUT, check_in_background
from tests.permissions.watch import StreamWatcher

BIN = Path(sys.executable).parent
TOKEN = "handler-test-token"


def start(servers: LiveServers, settings_for: Callable[..., Settings], port: int = 0) -> LiveServer:
    def app(bound: int) -> object:
        return create_app(settings_for(server={"port": bound}, security={"auth_token": TOKEN}))

    return servers.start(for_port=app, port=port)  # type: ignore[arg-type]


@pytest.fixture
def handler_for(isolated: Path) -> Iterator[Callable[[int], pexpect.spawn]]:
    spawned: list[pexpect.spawn] = []

    def spawn(port: int) -> pexpect.spawn:
        env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
        child = pexpect.spawn(
            str(BIN / "ccproxy"),
            ["permission-handler", "--port", str(port), "--auth-token", TOKEN],
            env=env, encoding="utf-8", timeout=30, dimensions=(50, 200),
        )  # fmt: skip
        spawned.append(child)
        return child

    yield spawn
    for child in spawned:
        child.terminate(force=True)


def test_the_handler_asks_answers_withdraws_and_reconnects(
    servers: LiveServers,
    settings_for: Callable[..., Settings],
    handler_for: Callable[[int], pexpect.spawn],
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    server = start(servers, settings_for)
    proxy = server.url
    child = handler_for(server.port)
    child.expect("connected to http://127.0.0.1")

    allowed = check_in_background(proxy, {"tool_name": "Edit", "input": RICH_INPUT}, auth)
    child.expect("Tool: Edit")
    child.expect('"timeout": 120000,')
    child.expect('"replace_all": false,')
    child.expect(r'"todos": \[')
    child.expect('"deeper": {')
    child.expect(r"Allow\? y / n \[reason\]: ")
    child.sendline("y")
    child.expect("allowed: Edit")
    assert allowed.result(10).json()["behavior"] == "allow"

    denied = check_in_background(proxy, {"tool_name": "Bash", "input": {"command": "rm x"}}, auth)
    child.expect("Tool: Bash")
    child.sendline("maybe")
    child.expect("Please answer y")
    child.sendline("n not on my machine")
    child.expect("denied: Bash")
    assert denied.result(10).json() == {
        "behavior": "deny", "message": "not on my machine",
        "request_id": denied.result().json()["request_id"], "status": "denied",
    }  # fmt: skip
    record = httpx.get(f"{proxy}/permissions/history", headers=auth).json()["data"][0]
    assert record["decider"] == "permission-handler"

    with StreamWatcher(proxy, headers=auth) as watch:
        check_in_background(proxy, {"tool_name": "Write", "input": {"file_path": "a"}}, auth)
        elsewhere = watch.next("permission_request")
        child.expect("Tool: Write")
        httpx.post(f"{proxy}/permissions/{elsewhere['id']}/respond", headers=auth,
                   json={"allowed": True, "by": "dashboard"})  # fmt: skip
        child.expect("answered elsewhere: allowed by dashboard")

    server.stop()
    server.join()
    child.expect("cannot reach ccproxy")
    child.expect("retrying in")
    again = start(servers, settings_for, port=server.port)
    child.expect("connected to", timeout=60)
    after = check_in_background(again.url, {"tool_name": "Bash", "input": {"command": "ls"}}, auth)
    child.expect("Tool: Bash")
    child.sendline("yes")
    assert after.result(10).json()["behavior"] == "allow"


def test_a_wrong_token_is_a_clear_error(
    servers: LiveServers, settings_for: Callable[..., Settings], isolated: Path
) -> None:
    server = start(servers, settings_for)
    child = pexpect.spawn(
        str(BIN / "ccproxy"),
        ["permission-handler", "--port", str(server.port), "--auth-token", "wrong"],
        env={**os.environ, "NO_COLOR": "1"}, encoding="utf-8", timeout=30,
    )  # fmt: skip
    child.expect("error: the server wants its client token")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1

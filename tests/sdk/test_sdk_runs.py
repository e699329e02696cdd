"""SDK mode's processes: the pool, a run that takes too long, and a client that leaves."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.cli.serving import Serving, ccproxy
from tests.e2e.claude_cli import CLAUDE
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import REPLY
from tests.sdk.conftest import SdkProxy
from tests.sdk.test_sdk_messages import ask, events, user


def counting_cli(tmp_path: Path) -> tuple[str, Callable[[], int]]:
    """A `claude` that notes each start in a file: the count of CLI processes ever started."""
    log = tmp_path / "starts.log"
    script = tmp_path / "claude-counting"
    script.write_text(f'#!/bin/sh\necho start >> "{log}"\nexec "{CLAUDE}" "$@"\n')
    script.chmod(0o755)
    return str(script), lambda: len(log.read_text().splitlines()) if log.exists() else 0


def wait_for(proxy: str, ready: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        status: dict[str, Any] = httpx.get(proxy + "/sdk/status").json()
        if ready(status) or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_the_pool_serves_new_conversations_and_keeps_their_process(
    sdk_proxy: SdkProxy, tmp_path: Path
) -> None:
    cli, starts = counting_cli(tmp_path)
    proxy = sdk_proxy(cli_path=cli, sdk_enable_pool=True, sdk_pool_size=1)
    assert wait_for(proxy, lambda s: s["pool"]["idle"] == 1)["pool"]["idle"] == 1
    assert starts() == 1

    first = ask(proxy, [user("first")], model="claude-opus-5")
    assert first.status_code == 200 and REPLY in first.text
    assert wait_for(proxy, lambda s: s["pool"]["idle"] == 1)["pool"]["taken"] == 1
    assert starts() == 2  # the pool's replacement, started after the request was served

    history = [user("first"), {"role": "assistant", "content": first.json()["content"]}]
    second = ask(proxy, [*history, user("second")])
    assert second.status_code == 200
    assert second.headers["x-ccproxy-session-id"] == first.headers["x-ccproxy-session-id"]
    assert starts() == 2  # the second turn ran in the process that served the first
    status = httpx.get(proxy + "/sdk/status").json()
    assert status["sessions_with_process"] == 1 and status["processes_started"] == 2


def test_without_the_pool_every_request_starts_claude_code(
    sdk_proxy: SdkProxy, tmp_path: Path
) -> None:
    cli, starts = counting_cli(tmp_path)
    proxy = sdk_proxy(cli_path=cli)
    assert starts() == 0
    ask(proxy, [user("one")])
    ask(proxy, [user("two")])
    assert starts() == 2


def test_a_run_over_the_timeout_ends_with_an_error(
    sdk_proxy: SdkProxy, anthropic_fake: FakeAnthropic
) -> None:
    proxy = sdk_proxy(sdk_timeout=3)
    plain = ask(proxy, [user("hi")], model="fake-hang")
    assert plain.status_code == 504 and plain.json()["error"]["type"] == "timeout_error"
    streamed = events(ask(proxy, [user("hi")], model="fake-hang", stream=True))
    assert streamed[0][0] == "message_start" and streamed[-1][0] == "error"
    assert "3 s" in streamed[-1][1]["error"]["message"]


def processes_in(directory: Path) -> list[int]:
    """Processes whose working directory is `directory`: the Claude Code runs of these tests."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cwd").resolve() == directory.resolve():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_client_that_leaves_stops_the_run(
    sdk_proxy: SdkProxy, anthropic_fake: FakeAnthropic, workdir: Path
) -> None:
    proxy = sdk_proxy()
    body = {"model": "claude-sonnet-5-5", "max_tokens": 50, "stream": True,
            "messages": [user("HOLD")], "session_id": "leaving"}  # fmt: skip
    with httpx.stream("POST", proxy + "/sdk/v1/messages", json=body, timeout=60) as response:
        assert next(response.iter_raw()).startswith(b"event: message_start")
        assert processes_in(workdir)  # Claude Code is at work
    deadline = time.monotonic() + 30  # the client is gone: the run and its process end
    while processes_in(workdir) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_in(workdir) == []
    anthropic_fake.gate.set()
    again = ask(proxy, [user("still there?")], path="/sdk/leaving/v1/messages")
    assert again.status_code == 200 and REPLY in again.text  # the session was released


def test_the_serve_flags_set_sdk_mode(workdir: Path) -> None:
    flags = ["--claude-code-options-cwd", str(workdir), "--claude-code-options-permission-mode",
             "plan", "--claude-sdk-message-mode", "formatted", "--sdk-enable-pool",
             "--sdk-pool-size", "1"]  # fmt: skip
    with Serving("serve", *flags) as served:
        status = wait_for(served.url, lambda s: s["pool"]["idle"] == 1)
    assert status["cwd"] == str(workdir) and status["permission_mode"] == "plan"
    assert status["message_mode"] == "formatted" and status["pool"]["size"] == 1
    assert status["pool"]["idle"] == 1
    wrong = ccproxy("--claude-sdk-message-mode", "loud")
    assert wrong.returncode == 2 and "sdk_message_mode" in wrong.stderr

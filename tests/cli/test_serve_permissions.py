"""`ccproxy serve` and SDK-mode permissions: the MCP URL names the port really bound (even with
`--port 0`), and an open permission stream does not hold up Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Callable

import httpx

from tests.cli.serving import BIN, Serving
from tests.permissions.watch import StreamWatcher


def test_ctrl_c_ends_open_permission_streams() -> None:
    server = Serving("--claude-code-options-permission-mode", "default").__enter__()
    try:
        with StreamWatcher(server.url) as watch:
            assert watch.next("ping", timeout=10) == {"pending": 0}
            server.process.send_signal(signal.SIGINT)
            # uvicorn waits for open responses; a stream left open would hold it here.
            assert server.process.wait(10) == 130
    finally:
        if server.process.poll() is None:
            server.process.kill()
        server.stop()
    assert "Traceback" not in server.log


def test_with_port_0_the_permission_tool_gets_the_bound_port() -> None:
    process = subprocess.Popen(
        [str(BIN / "ccproxy"), "--port", "0", "--claude-code-options-permission-mode", "plan"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if found := re.search(r"listening on (http://127\.0\.0\.1:(\d+))", line):
                break
        else:
            raise AssertionError("ccproxy did not say where it listens")
        url, port = found.group(1), found.group(2)
        status = _retry(lambda: httpx.get(url + "/sdk/status", timeout=2).json())
        assert status["permission_url"] == f"http://127.0.0.1:{port}/mcp"
        assert status["permission_tool"] == "mcp__ccproxy__check_permission"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(15)
        process.stdout.close()


def _retry(call: Callable[[], dict[str, object]]) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while True:
        try:
            return call()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)

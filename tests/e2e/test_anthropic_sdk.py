"""The official anthropic SDK, current (2.x: Bearer) and old (0.x: x-api-key), through the proxy."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.clients.runner import CLIENTS, run_client
from tests.conftest import ProxyFactory
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import REPLY

OLD_SDK_PYTHON = CLIENTS / "anthropic0" / "bin" / "python"
TOKEN = "client-token-for-sdk-tests"


# 2.x sends the key as `Authorization: Bearer`, 0.x as `x-api-key` (UPSTREAMS.md §4.1); with a
# client token configured, each must get through with its own header.
@pytest.mark.parametrize(
    ("python", "major"),
    [(sys.executable, "2."), (OLD_SDK_PYTHON, "0.")],
    ids=["anthropic-2.x", "anthropic-0.x"],
)
def test_sdk_end_to_end(
    start_proxy: ProxyFactory,
    logged_in: tuple[str, str],
    anthropic_fake: FakeAnthropic,
    python: Path | str,
    major: str,
) -> None:
    proxy = start_proxy(security={"auth_token": TOKEN})
    got = run_client(python, "anthropic_client.py", proxy + "/api", TOKEN)
    assert got["version"].startswith(major)
    assert got["created"] == REPLY and got["streamed"] == REPLY
    assert got["request_id"] == "req_fake_ok"
    assert got["final_stop"] == "end_turn"
    assert got["raw_events"][0] == "message_start" and got["raw_events"][-1] == "message_stop"
    assert got["tool_use"] == {
        "name": "Bash",
        "input": {"command": "echo 42", "description": "Run the requested command"},
        "stop": "tool_use",
    }
    assert got["beta_text"] == REPLY
    assert got["counted"] > 0
    assert "claude-opus-5-5" in got["models"]
    assert got["rate_limited"] == {"status": 429, "retry_after": "30"}
    beta_call = next(
        r
        for r in anthropic_fake.message_requests()
        if "context-1m" in (r.header("anthropic-beta") or "")
    )
    assert (
        beta_call.header("anthropic-beta")
        == "context-1m-2025-08-07,oauth-2025-04-20,claude-code-20250219"
    )
    for request in anthropic_fake.requests:
        assert request.header("authorization") == f"Bearer {logged_in[0]}"
        assert TOKEN not in json.dumps(request.headers)

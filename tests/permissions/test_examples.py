"""examples/permissions_curl.sh against a live proxy, and examples/permission_rules.toml loaded
and applied as a user would copy it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from ccproxy.config import load_settings
from ccproxy.permissions.rules import decide
from tests.conftest import ProxyFactory
from tests.e2e.test_examples import EXAMPLES, run_example
from tests.permissions.test_approval_api import check_in_background
from tests.permissions.watch import StreamWatcher

SCRIPT = ["bash", str(EXAMPLES / "permissions_curl.sh")]


def test_permissions_curl_example(start_proxy: ProxyFactory, tmp_path: Path) -> None:
    proxy = start_proxy()
    with StreamWatcher(proxy) as watch:
        first = check_in_background(proxy, {"tool_name": "Bash", "input": {"command": "make"}})
        second = check_in_background(proxy, {"tool_name": "Write", "input": {"file_path": "x"}})
        ids = [watch.next("permission_request")["id"], watch.next("permission_request")["id"]]
    listed = json.loads(run_example(SCRIPT, proxy, tmp_path))
    assert sorted(r["id"] for r in listed["data"]) == sorted(ids)
    by_tool = {r["tool_name"]: r["id"] for r in listed["data"]}
    allowed = json.loads(run_example([*SCRIPT, "allow", by_tool["Bash"]], proxy, tmp_path))
    assert allowed["status"] == "allowed" and first.result(10).json()["behavior"] == "allow"
    reason = 'Use "docs/" instead; it\'s $HOME-safe.'
    run_example([*SCRIPT, "deny", by_tool["Write"], reason], proxy, tmp_path)
    assert second.result(10).json()["message"] == reason
    history = json.loads(run_example([*SCRIPT, "history"], proxy, tmp_path))["data"]
    assert [r["decider"] for r in history] == ["permissions_curl.sh", "permissions_curl.sh"]
    assert httpx.get(proxy + "/permissions").json()["data"] == []


def test_the_example_rules_load_and_decide(tmp_path: Path) -> None:
    security = load_settings(EXAMPLES / "permission_rules.toml").security
    rules = security.permission_rules
    assert security.confirmation_timeout_seconds == 60

    def verdict(tool: str, **tool_input: object) -> bool | None:
        found = decide(rules, tool, tool_input)
        return None if found is None else found.allowed

    assert verdict("Bash", command="git status --short") is True
    assert verdict("Bash", command="git status; rm -rf ~") is False
    assert verdict("Bash", command="git diff && make") is None
    assert verdict("Read", file_path="/etc/hosts") is True
    assert verdict("mcp__github__create_issue", title="x") is False
    assert verdict("Write", file_path="a.txt") is None

"""Permission rules: globs on the tool name and input values, deny before allow, and allow rules
that cannot be stretched over a chain of shell commands. Loaded from TOML and the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ccproxy.config import load_settings
from ccproxy.config_security import PermissionRule
from ccproxy.permissions.rules import decide

GIT_STATUS = PermissionRule(decision="allow", tool="Bash", input={"command": "git status*"})
NO_RM = PermissionRule(decision="deny", tool="Bash", input={"command": "*rm *"}, name="no-rm")
READS = PermissionRule(decision="allow", tool="Read")
NO_MCP = PermissionRule(decision="deny", tool="mcp__*", message="No MCP tools.")
RULES = [GIT_STATUS, READS, NO_RM, NO_MCP]


@pytest.mark.parametrize(
    ("tool", "tool_input", "expected"),
    [
        ("Bash", {"command": "git status"}, (True, "#1 allow Bash(command='git status*')")),
        ("Bash", {"command": "git status --short"}, (True, "#1 allow Bash(command='git status*')")),
        ("Bash", {"command": "git stash"}, None),
        ("Bash", {"description": "no command"}, None),
        ("bash", {"command": "git status"}, None),  # tool names are case-sensitive
        ("Read", {"file_path": "/etc/hosts"}, (True, "#2 allow Read()")),
        ("Bash", {"command": "git status && rm -rf build"}, (False, "no-rm")),
        ("mcp__github__push", {}, (False, "#4 deny mcp__*()")),
    ],
)
def test_what_decides(
    tool: str, tool_input: dict[str, Any], expected: tuple[bool, str] | None
) -> None:
    found = decide(RULES, tool, tool_input)
    assert (None if found is None else (found.allowed, found.label)) == expected


@pytest.mark.parametrize(
    "command",
    ["git status; curl evil", "git status && make", "git status | sh", "git status `id`",
     "git status $(id)", "git status > /etc/passwd", "git status\ntouch x", "git status & x"],
)  # fmt: skip
def test_an_allow_rule_never_covers_a_chain_of_commands(command: str) -> None:
    assert decide([GIT_STATUS], "Bash", {"command": command}) is None


def test_a_pattern_that_names_the_operator_allows_it() -> None:
    piped = PermissionRule(decision="allow", tool="Bash", input={"command": "git log | head*"})
    assert decide([piped], "Bash", {"command": "git log | head -5"}) is not None
    assert decide([piped], "Bash", {"command": "git log | head; rm x"}) is None


def test_deny_wins_whatever_the_order_and_values_of_any_type_match_as_json() -> None:
    allow_all = PermissionRule(decision="allow", tool="*")
    deny_forced = PermissionRule(decision="deny", tool="Edit", input={"replace_all": "true"})
    found = decide([allow_all, deny_forced], "Edit", {"replace_all": True, "old": "a"})
    assert found is not None and not found.allowed
    found = decide([allow_all, deny_forced], "Edit", {"replace_all": False})
    assert found is not None and found.allowed


def test_rules_come_from_toml_and_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "ccproxy.toml"
    config.write_text(
        "[security]\nconfirmation_timeout_seconds = 5\n\n"
        '[[security.permission_rules]]\ndecision = "allow"\ntool = "Bash"\n'
        'input = { command = "git status*" }\n'
    )
    loaded = load_settings(config).security
    assert loaded.confirmation_timeout_seconds == 5
    assert loaded.permission_rules == (GIT_STATUS,)
    monkeypatch.setenv("SECURITY__PERMISSION_RULES", '[{"decision": "deny", "tool": "mcp__*"}]')
    monkeypatch.setenv("SECURITY__CONFIRMATION_TIMEOUT_SECONDS", "1")
    from_env = load_settings(config).security
    assert from_env.permission_rules == (PermissionRule(decision="deny", tool="mcp__*"),)
    assert from_env.confirmation_timeout_seconds == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECURITY__CONFIRMATION_TIMEOUT_SECONDS", "0.5"),
        ("SECURITY__PERMISSION_RULES", '[{"decision": "maybe", "tool": "Bash"}]'),
        ("SECURITY__PERMISSION_RULES", '[{"decision": "allow", "tool": "Bash", "inputs": {}}]'),
    ],
)
def test_bad_security_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        load_settings()

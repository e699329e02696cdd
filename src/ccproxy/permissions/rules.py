"""Matching permission requests against the configured rules."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from ccproxy.config_security import PermissionRule

# An allow rule written for one command must not approve a chain of commands: a value holding
# any of these is allowed only by a pattern that holds the same character itself.
SHELL_CONTROL = frozenset(";&|`$<>\n\r")


@dataclass(frozen=True)
class RuleDecision:
    allowed: bool
    label: str
    message: str | None


def decide(
    rules: Sequence[PermissionRule], tool_name: str, tool_input: Mapping[str, Any]
) -> RuleDecision | None:
    """The first matching deny rule, else the first matching allow rule, else None (ask)."""
    for wanted in ("deny", "allow"):
        for index, rule in enumerate(rules, start=1):
            if rule.decision == wanted and matches(rule, tool_name, tool_input):
                return RuleDecision(wanted == "allow", rule.label(index), rule.message)
    return None


def matches(rule: PermissionRule, tool_name: str, tool_input: Mapping[str, Any]) -> bool:
    if not fnmatchcase(tool_name, rule.tool):
        return False
    for key, pattern in rule.input.items():
        if key not in tool_input:
            return False
        value = _as_text(tool_input[key])
        if not fnmatchcase(value, pattern):
            return False
        if rule.decision == "allow" and _adds_shell_control(value, pattern):
            return False
    return True


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _adds_shell_control(value: str, pattern: str) -> bool:
    return any(char in SHELL_CONTROL and char not in pattern for char in set(value))

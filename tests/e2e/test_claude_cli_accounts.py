"""Claude Code itself (`claude -p`) on two Claude logins: the first one rate-limited, the CLI
never sees the 429, and the tool round trip's second turn stays on the login that answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ProxyFactory
from tests.e2e.claude_cli import run_claude
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.claude_account import ClaudeAccount

pytestmark = pytest.mark.cli


def test_the_cli_is_answered_by_the_second_login(
    start_proxy: ProxyFactory,
    anthropic_fake: FakeAnthropic,
    account: ClaudeAccount,
    credentials_path: Path,
    tmp_path: Path,
) -> None:
    first, _ = account.write_credentials(credentials_path)
    second_path = tmp_path / "second" / "credentials.json"
    second, _ = account.write_credentials(second_path)
    proxy = start_proxy(claude={"extra_credentials_paths": [str(second_path)]})
    anthropic_fake.rate_limited[first] = "30"
    result, parsed = run_claude(
        proxy + "/api", tmp_path / "cli-home", "RUN: echo hello-from-tool", "--allowedTools", "Bash"
    )
    assert result.returncode == 0, result.stderr
    assert parsed is not None and parsed["result"] == "Tool said: hello-from-tool"
    requests = anthropic_fake.message_requests()
    assert [r.header("authorization") for r in requests] == [
        f"Bearer {first}",
        f"Bearer {second}",
        f"Bearer {second}",
    ]
    sessions = {r.json()["metadata"]["user_id"] for r in requests}
    assert len(sessions) == 1  # one CLI session: the key that keeps it on one login

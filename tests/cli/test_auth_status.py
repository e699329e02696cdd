"""`ccproxy auth status / info / validate`: readable, scriptable, and never showing a token."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.serving import ccproxy
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.claude_account import ClaudeAccount
from tests.fakes.live import LiveServer
from tests.fakes.openai_oauth import FakeOpenAIOAuth


def codex_login(home: Path, openai: FakeOpenAIOAuth, lifetime: int = 864000) -> dict[str, str]:
    tokens = openai.tokens(lifetime)
    auth = {
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": None,
        "last_refresh": "2026-11-20T12:00:00.000Z",
        "tokens": {k: tokens[k] for k in ("id_token", "access_token", "refresh_token")}
        | {"account_id": "acc-1"},
    }
    (home / ".codex").mkdir(exist_ok=True)
    (home / ".codex" / "auth.json").write_text(json.dumps(auth))
    return tokens


def test_status_lists_both_logins_without_secrets(
    isolated: Path, account: ClaudeAccount, credentials_path: Path, openai_oauth: FakeOpenAIOAuth
) -> None:
    access, refresh = account.write_credentials(credentials_path)
    tokens = codex_login(isolated, openai_oauth)
    result = ccproxy("auth", "status", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    for row in ("Claude", "file", "valid", "max", "ChatGPT", "plus", "chatgpt@example.com"):
        assert row in result.stdout
    shown = result.stdout + result.stderr
    for secret in (access, refresh, *tokens.values()):
        assert str(secret) not in shown


def test_status_exit_codes(isolated: Path, openai_oauth: FakeOpenAIOAuth) -> None:
    missing = ccproxy("auth", "status")
    assert missing.returncode == 1
    assert "ccproxy auth login" in missing.stderr and "ccproxy auth login-openai" in missing.stderr
    codex_login(isolated, openai_oauth)
    assert ccproxy("auth", "status").returncode == 0  # one usable login is enough


def test_info_shows_the_claude_login(account: ClaudeAccount, credentials_path: Path) -> None:
    assert ccproxy("auth", "info").returncode == 1
    access, _ = account.write_credentials(credentials_path, expires_in=7200)
    result = ccproxy("auth", "info", env={"COLUMNS": "200"})
    assert result.returncode == 0
    assert (
        "subscription type" in result.stdout
        and "max" in result.stdout
        and "user:inference" in result.stdout
    )
    assert access not in result.stdout


def test_validate_asks_the_upstream(
    fake_api: tuple[FakeAnthropic, LiveServer],
    oauth_server: LiveServer,
    account: ClaudeAccount,
    credentials_path: Path,
) -> None:
    env = {
        "CLAUDE__API_BASE_URL": fake_api[1].url,
        "CLAUDE__OAUTH_TOKEN_URL": oauth_server.url + "/v1/oauth/token",
    }
    # An expired token: validate refreshes it first.
    account.write_credentials(credentials_path, expires_in=-10)
    works = ccproxy("auth", "validate", env=env)
    assert works.returncode == 0, works.stderr
    assert "Claude login works for user@example.com (Max)" in works.stdout
    assert account.refresh_calls == 1
    fresh = json.loads(credentials_path.read_text())["claudeAiOauth"]["accessToken"]
    account.revoke(fresh)
    refused = ccproxy("auth", "validate", env=env)
    assert refused.returncode == 1 and "ccproxy auth login" in refused.stderr


def test_status_lists_every_account(
    isolated: Path, account: ClaudeAccount, credentials_path: Path, openai_oauth: FakeOpenAIOAuth
) -> None:
    first = account.write_credentials(credentials_path)
    second_file = isolated / "work" / "claude.json"
    second = account.write_credentials(second_file)
    codex_tokens = codex_login(isolated, openai_oauth)
    extra_codex = isolated / "missing-codex" / "auth.json"  # listed, and shown as missing
    env = {
        "COLUMNS": "250",
        "CLAUDE__EXTRA_CREDENTIALS_PATHS": str(second_file),
        "CODEX__EXTRA_AUTH_PATHS": json.dumps([str(extra_codex)]),
    }
    result = ccproxy("auth", "status", env=env)
    assert result.returncode == 0, result.stderr
    for row in ("Claude #2", str(second_file), "ChatGPT (Codex) #2", str(extra_codex), "missing"):
        assert row in result.stdout
    assert result.stdout.count("max") == 2
    shown = result.stdout + result.stderr
    for secret in (*first, *second, *codex_tokens.values()):
        assert str(secret) not in shown

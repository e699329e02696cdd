"""`ccproxy auth login` and `login-openai` against fake vendor OAuth servers, the test playing the
browser; then the written files are used by the real `claude` CLI and by the proxy."""

from __future__ import annotations

import json
import re
import socket
import stat
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.cli.login_process import LoginProcess
from tests.conftest import ProxyFactory, claude_urls
from tests.e2e.claude_cli import run_claude
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_script import REPLY
from tests.fakes.claude_account import ClaudeAccount
from tests.fakes.claude_oauth import FakeClaudeOAuth
from tests.fakes.live import LiveServer
from tests.fakes.openai_oauth import ACCOUNT_ID, FakeOpenAIOAuth

BROWSER = Path(__file__).resolve().parents[1] / "clients" / "browser.py"


@pytest.fixture
def login_env(
    fake_api: tuple[FakeAnthropic, LiveServer], oauth_server: LiveServer, tmp_path: Path
) -> dict[str, str]:
    """Env for `ccproxy auth …`: every OAuth URL on the fakes, a browser that opens nothing."""
    env = {f"CLAUDE__{k.upper()}": v for k, v in claude_urls(fake_api[1], oauth_server).items()}
    return {**env, "BROWSER": "true", "FAKE_BROWSER_LOG": str(tmp_path / "browser.log")}


def with_browser(env: dict[str, str]) -> dict[str, str]:
    return {**env, "BROWSER": f"{sys.executable} {BROWSER} %s"}


def follow_redirect(url: str, **change: str) -> httpx.Response:
    """Be the browser for one step: the login page answers with a redirect, which we follow."""
    redirect = httpx.get(url, timeout=10)
    assert redirect.status_code == 302, redirect.text
    target = urlsplit(redirect.headers["location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()} | change
    return httpx.get(target._replace(query=urlencode(query)).geturl(), timeout=10)


def test_claude_login_through_the_browser(
    login_env: dict[str, str],
    credentials_path: Path,
    account: ClaudeAccount,
    claude_oauth: FakeClaudeOAuth,
    anthropic_fake: FakeAnthropic,
    start_proxy: ProxyFactory,
    tmp_path: Path,
) -> None:
    credentials_path.parent.mkdir(parents=True)
    credentials_path.write_text(
        json.dumps({"mcpOAuth": {"kept": True}, "claudeAiOauth": {"extra": 1}})
    )
    with LoginProcess("login", env=with_browser(login_env)) as login:
        assert login.wait() == 0, login.stderr
    assert "Logged in to Claude (max plan)" in login.out
    assert "200 http://localhost:" in Path(login_env["FAKE_BROWSER_LOG"]).read_text()
    data = json.loads(credentials_path.read_text())
    oauth = data["claudeAiOauth"]
    assert data["mcpOAuth"] == {"kept": True} and oauth["extra"] == 1
    assert (
        oauth["accessToken"] in account.access and oauth["refreshToken"] in account.refresh_tokens
    )
    assert oauth["subscriptionType"] == "max" and "user:inference" in oauth["scopes"]
    assert stat.S_IMODE(credentials_path.stat().st_mode) == 0o600
    [exchange] = claude_oauth.token_requests
    assert exchange["grant_type"] == "authorization_code" and exchange["state"]
    assert re.fullmatch(r"http://localhost:\d+/callback", exchange["redirect_uri"])
    # The real Claude CLI uses the file as its own login, against the fake Anthropic API.
    cli_home = credentials_path.parent.parent
    result, parsed = run_claude(login_env["CLAUDE__API_BASE_URL"], cli_home, "hi", api_key="")
    assert result.returncode == 0 and parsed is not None and parsed["result"] == REPLY, (
        result.stderr
    )
    assert (
        anthropic_fake.message_requests()[-1].header("authorization")
        == f"Bearer {oauth['accessToken']}"
    )
    # And so does the proxy.
    reply = httpx.post(
        start_proxy() + "/api/v1/messages",
        json={"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]},
        timeout=10,
    )
    assert reply.status_code == 200


def test_claude_login_by_pasting_the_code(
    login_env: dict[str, str], credentials_path: Path
) -> None:
    with LoginProcess("login", "--no-browser", env=login_env) as login:
        page = httpx.get(login.url(), follow_redirects=True, timeout=10)
        assert "/oauth/code/callback" in str(page.url)
        pasted = re.search(r"<code>([^<]+)</code>", page.text)
        assert pasted is not None
        login.type(pasted.group(1))
        assert login.wait() == 0, login.stderr
    assert json.loads(credentials_path.read_text())["claudeAiOauth"]["accessToken"].startswith(
        "sk-ant-oat01-"
    )


def test_busy_callback_port_falls_back_to_pasting(
    login_env: dict[str, str], credentials_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with LoginProcess("login", "--callback-port", str(port), env=login_env) as login:
            page = httpx.get(login.url(), follow_redirects=True, timeout=10)
            login.type(re.search(r"<code>([^<]+)</code>", page.text).group(1))  # type: ignore[union-attr]
            assert login.wait() == 0, login.stderr
    assert (
        f"Cannot listen on port {port}" in login.stderr and "paste the code instead" in login.stderr
    )
    assert credentials_path.exists()


def test_wrong_state_is_refused_then_the_right_one_completes(
    login_env: dict[str, str], credentials_path: Path
) -> None:
    with LoginProcess("login", env=login_env) as login:
        url = login.url()
        forged = follow_redirect(url, state="forged")
        assert forged.status_code == 400 and "unknown or was already used" in forged.text
        right = follow_redirect(url)
        assert right.status_code == 200 and "You are logged in" in right.text
        assert login.wait() == 0, login.stderr
    assert credentials_path.exists()


def test_pasted_code_of_another_login_is_refused(
    login_env: dict[str, str], credentials_path: Path
) -> None:
    with LoginProcess("login", "--no-browser", env=login_env) as login:
        page = httpx.get(login.url(), follow_redirects=True, timeout=10)
        code = re.search(r"<code>([^#<]+)#", page.text).group(1)  # type: ignore[union-attr]
        login.type(f"{code}#someone-elses-state")
        assert login.wait() == 1
    assert "state mismatch" in login.stderr
    assert not credentials_path.exists()


def test_expired_code_is_a_clear_error(
    login_env: dict[str, str], credentials_path: Path, claude_oauth: FakeClaudeOAuth
) -> None:
    with LoginProcess("login", env=login_env) as login:
        url = login.url()
        redirect = httpx.get(url, timeout=10)
        claude_oauth.codes.expire_all()
        assert httpx.get(redirect.headers["location"], timeout=10).status_code == 200
        assert login.wait() == 1
    assert "refused the code (HTTP 400: authorization code expired)" in login.stderr
    assert "Traceback" not in login.stderr and not credentials_path.exists()


def test_corrupt_credentials_file_is_left_untouched(
    login_env: dict[str, str], credentials_path: Path
) -> None:
    credentials_path.parent.mkdir(parents=True)
    credentials_path.write_text("{not json")
    with LoginProcess("login", env=login_env) as login:
        assert login.wait() == 1
    assert "not valid JSON" in login.stderr and "left as it is" in login.stderr
    assert credentials_path.read_text() == "{not json"


@pytest.fixture
def openai_env(openai_oauth_server: LiveServer, tmp_path: Path) -> dict[str, str]:
    return {
        "CODEX__OAUTH_AUTHORIZE_URL": openai_oauth_server.url + "/oauth/authorize",
        "CODEX__OAUTH_TOKEN_URL": openai_oauth_server.url + "/oauth/token",
        "BROWSER": f"{sys.executable} {BROWSER} %s",
        "FAKE_BROWSER_LOG": str(tmp_path / "browser.log"),
    }


def test_openai_login(
    openai_env: dict[str, str], isolated: Path, openai_oauth: FakeOpenAIOAuth
) -> None:
    auth_file = isolated / ".codex" / "auth.json"
    auth_file.parent.mkdir()
    auth_file.write_text(json.dumps({"agent_identity": {"kept": True}}))
    with LoginProcess("login-openai", env=openai_env) as login:
        assert login.wait() == 0, login.stderr
    assert "Logged in to ChatGPT (chatgpt@example.com, plus)" in login.out
    data = json.loads(auth_file.read_text())
    [issued] = openai_oauth.issued
    assert data["auth_mode"] == "chatgpt" and data["OPENAI_API_KEY"] is None
    assert data["agent_identity"] == {"kept": True}
    assert data["tokens"] == {
        "id_token": issued["id_token"],
        "access_token": issued["access_token"],
        "refresh_token": issued["refresh_token"],
        "account_id": ACCOUNT_ID,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", data["last_refresh"])
    assert stat.S_IMODE(auth_file.stat().st_mode) == 0o600


def test_openai_login_needs_port_1455(openai_env: dict[str, str], isolated: Path) -> None:
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", 1455))
        taken.listen()
        with LoginProcess("login-openai", env=openai_env) as login:
            assert login.wait() == 1
    assert "port 1455 is in use" in login.stderr and "Traceback" not in login.stderr
    assert not (isolated / ".codex" / "auth.json").exists()

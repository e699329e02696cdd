"""Shared fixtures: an isolated home, the fake Claude upstreams, a live proxy in front of them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ccproxy.config import Settings, load_settings
from ccproxy.server.app import create_app
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.chatgpt_backend import PATH, FakeChatGPT
from tests.fakes.claude_account import ClaudeAccount
from tests.fakes.claude_oauth import MANUAL_PATH, FakeClaudeOAuth
from tests.fakes.live import LiveServer, LiveServers
from tests.fakes.openai_oauth import FakeOpenAIOAuth

# Variables that would let the developer's own set-up leak into a test.
_FOREIGN_ENV = (
    "CLAUDE_CODE_OAUTH_TOKEN",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "CODEX_HOME",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)
_SECTIONS = ("SERVER__", "SECURITY__", "CLAUDE__", "CODEX__", "OBSERVABILITY__")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs in an empty working directory with an empty `$HOME`."""
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    for name in list(os.environ):
        if name in _FOREIGN_ENV or name.upper().startswith(_SECTIONS):
            monkeypatch.delenv(name)
    return home


@pytest.fixture
def credentials_path(isolated: Path) -> Path:
    return isolated / ".claude" / ".credentials.json"


@pytest.fixture
def account() -> ClaudeAccount:
    return ClaudeAccount()


@pytest.fixture
def servers() -> Iterator[LiveServers]:
    live = LiveServers()
    yield live
    live.stop_all()


@pytest.fixture
def fake_api(
    account: ClaudeAccount, servers: LiveServers
) -> Iterator[tuple[FakeAnthropic, LiveServer]]:
    fake = FakeAnthropic(account)
    yield fake, servers.start(fake.app)
    fake.gate.set()  # never leave a gated stream waiting


@pytest.fixture
def anthropic_fake(fake_api: tuple[FakeAnthropic, LiveServer]) -> FakeAnthropic:
    return fake_api[0]


@pytest.fixture
def claude_oauth(account: ClaudeAccount) -> FakeClaudeOAuth:
    return FakeClaudeOAuth(account)


@pytest.fixture
def oauth_server(claude_oauth: FakeClaudeOAuth, servers: LiveServers) -> LiveServer:
    server = servers.start(claude_oauth.app)
    claude_oauth.url = server.url
    return server


@pytest.fixture
def openai_oauth() -> FakeOpenAIOAuth:
    return FakeOpenAIOAuth()


@pytest.fixture
def openai_oauth_server(openai_oauth: FakeOpenAIOAuth, servers: LiveServers) -> LiveServer:
    return servers.start(openai_oauth.app)


@pytest.fixture
def settings_for(
    fake_api: tuple[FakeAnthropic, LiveServer], oauth_server: LiveServer
) -> Callable[..., Settings]:
    """Settings pointing at the fakes, plus any section overrides."""

    def make(**sections: dict[str, Any]) -> Settings:
        claude = {**claude_urls(fake_api[1], oauth_server), **sections.pop("claude", {})}
        return load_settings(claude=claude, **sections)

    return make


def claude_urls(api: LiveServer, oauth: LiveServer) -> dict[str, str]:
    """Every Claude upstream and OAuth URL of the settings, pointed at the fakes."""
    return {
        "api_base_url": api.url,
        "oauth_token_url": oauth.url + "/v1/oauth/token",
        "oauth_authorize_url": oauth.url + "/cai/oauth/authorize",
        "oauth_manual_redirect_uri": oauth.url + MANUAL_PATH,
    }


ProxyFactory = Callable[..., str]


@pytest.fixture
def start_proxy(settings_for: Callable[..., Settings], servers: LiveServers) -> ProxyFactory:
    """Start a proxy with the given section overrides; returns its base URL."""

    def start(**sections: dict[str, Any]) -> str:
        server = sections.pop("server", {})

        def app(port: int) -> Any:
            return create_app(settings_for(server={"port": port, **server}, **sections))

        return servers.start(for_port=app).url

    return start


@pytest.fixture
def logged_in(account: ClaudeAccount, credentials_path: Path) -> tuple[str, str]:
    """A valid Claude credentials file; returns its (access, refresh) tokens."""
    return account.write_credentials(credentials_path)


@pytest.fixture
def proxy(start_proxy: ProxyFactory, logged_in: tuple[str, str]) -> str:
    return start_proxy()


CODEX_PROMPT = "You are Codex, the fake prompt of these tests.\nFollow the user."


@pytest.fixture
def chatgpt(
    openai_oauth: FakeOpenAIOAuth, servers: LiveServers
) -> Iterator[tuple[FakeChatGPT, LiveServer]]:
    fake = FakeChatGPT(openai_oauth)
    yield fake, servers.start(fake.app)
    fake.gate.set()  # never leave a held answer waiting


@pytest.fixture
def chatgpt_fake(chatgpt: tuple[FakeChatGPT, LiveServer]) -> FakeChatGPT:
    return chatgpt[0]


@pytest.fixture
def codex_auth(isolated: Path, openai_oauth: FakeOpenAIOAuth) -> dict[str, Any]:
    """A Codex CLI login in `~/.codex/auth.json`; returns the issued tokens."""
    return openai_oauth.write_auth(isolated / ".codex" / "auth.json")


@pytest.fixture
def codex_settings(
    chatgpt: tuple[FakeChatGPT, LiveServer],
    openai_oauth_server: LiveServer,
    settings_for: Callable[..., Settings],
    isolated: Path,
) -> Callable[..., Settings]:
    """Settings with Codex enabled against the fakes; the prompt comes from a file (which the
    fake backend then requires) unless the test says otherwise."""
    prompt_file = isolated / "codex-prompt.md"
    prompt_file.write_text(CODEX_PROMPT)

    def make(**sections: dict[str, Any]) -> Settings:
        codex = {
            "enabled": True,
            "base_url": chatgpt[1].url + PATH,
            "oauth_token_url": openai_oauth_server.url + "/oauth/token",
            "instructions_file": str(prompt_file),
            "cli_path": "/nonexistent/codex",
            **sections.pop("codex", {}),
        }
        if codex.get("instructions_file") == str(prompt_file):
            chatgpt[0].prompt = CODEX_PROMPT
        return settings_for(codex=codex, **sections)

    return make


@pytest.fixture
def start_codex_proxy(
    codex_settings: Callable[..., Settings], servers: LiveServers
) -> ProxyFactory:
    def start(**sections: dict[str, Any]) -> str:
        return servers.start(create_app(codex_settings(**sections))).url

    return start


@pytest.fixture
def codex_proxy(start_codex_proxy: ProxyFactory, codex_auth: dict[str, Any]) -> str:
    return start_codex_proxy()

"""Several Claude logins: a rate-limited one hands its requests to the next, sessions stay where
they went, a rested login is used again, and with every login limited the client gets the 429
that asks it to wait the least."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anthropic
import httpx
import pytest

from ccproxy.config import load_settings
from ccproxy.server.app import create_app
from tests.conftest import ProxyFactory, claude_urls
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.claude_account import ClaudeAccount
from tests.fakes.live import LiveServer, LiveServers

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "two_accounts.toml"


def ask(session: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "claude-sonnet-5-5",
        "max_tokens": 5,
        "messages": [{"role": "user", "content": "hi"}],
        **extra,
    }
    if session is not None:
        body["metadata"] = {"user_id": session}
    return body


def bearers(fake: FakeAnthropic) -> list[str]:
    return [(r.header("authorization") or "")[len("Bearer ") :] for r in fake.message_requests()]


@pytest.fixture
def two_logins(
    account: ClaudeAccount, credentials_path: Path, isolated: Path
) -> tuple[str, str, Path]:
    """The main credentials file and a second one; returns both access tokens and the second
    file's path."""
    first, _ = account.write_credentials(credentials_path)
    second_path = isolated / "work-account" / "credentials.json"
    second, _ = account.write_credentials(second_path)
    return first, second, second_path


def status(proxy: str) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.get(proxy + "/api/status", timeout=10).json()
    return answer


def wait_until_rested(proxy: str, number: int) -> None:
    """Polls the status until login `number` rests no more (its `retry-after` has passed)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if status(proxy)["accounts"][number - 1]["cool_down_seconds"] is None:
            return
        time.sleep(0.1)
    raise AssertionError(f"login {number} still rests")


def test_a_rate_limited_login_hands_over_and_comes_back(
    start_proxy: ProxyFactory, anthropic_fake: FakeAnthropic, two_logins: tuple[str, str, Path]
) -> None:
    first, second, second_path = two_logins
    proxy = start_proxy(claude={"extra_credentials_paths": [str(second_path)]})
    anthropic_fake.rate_limited[first] = "1"
    client = anthropic.Anthropic(base_url=proxy + "/api", api_key="d", max_retries=0)
    with client:
        answer = client.messages.create(**ask("session-a"))
        assert answer.content[0].text
        assert bearers(anthropic_fake) == [first, second]  # the 429 never reached the client
        resting = status(proxy)["accounts"]
        assert resting[0]["cool_down_seconds"] is not None
        assert resting[0]["usage_limits"]["anthropic-ratelimit-unified-status"] == "rejected"
        assert resting[1]["cool_down_seconds"] is None

        with client.messages.stream(**ask("session-a")) as events:
            assert events.get_final_text()
        assert bearers(anthropic_fake)[2:] == [second]  # straight to the login that answered

        del anthropic_fake.rate_limited[first]
        wait_until_rested(proxy, 1)
        client.messages.create(**ask("session-b"))
        client.messages.create(**ask("session-a"))
    # A new session goes to the main login again; the old one stays where its cache is.
    assert bearers(anthropic_fake)[3:] == [first, second]


def test_every_login_limited_gives_the_shortest_retry_after(
    start_proxy: ProxyFactory, anthropic_fake: FakeAnthropic, two_logins: tuple[str, str, Path]
) -> None:
    first, second, second_path = two_logins
    proxy = start_proxy(claude={"extra_credentials_paths": str(second_path)})  # a,b,c form
    anthropic_fake.rate_limited.update({first: "20", second: "50"})
    client = anthropic.Anthropic(base_url=proxy + "/api", api_key="d", max_retries=0)
    with client, pytest.raises(anthropic.RateLimitError) as limited:
        client.messages.create(**ask("session-a"))
    assert limited.value.status_code == 429
    assert limited.value.response.headers["retry-after"] == "20"
    assert bearers(anthropic_fake) == [first, second]  # never more attempts than logins
    assert [a["cool_down_seconds"] is not None for a in status(proxy)["accounts"]] == [
        True,
        True,
    ]
    # While both rest, one attempt only: the login whose rest ends first.
    again = httpx.post(proxy + "/api/v1/messages", json=ask(), timeout=10)
    assert again.status_code == 429 and again.headers["retry-after"] == "20"
    assert bearers(anthropic_fake)[2:] == [first]


def test_a_single_login_passes_its_429_as_before(
    proxy: str, anthropic_fake: FakeAnthropic, logged_in: tuple[str, str]
) -> None:
    anthropic_fake.rate_limited[logged_in[0]] = "7"
    for _ in range(2):  # resting or not, the only login is asked each time
        answer = httpx.post(proxy + "/api/v1/messages", json=ask(), timeout=10)
        assert answer.status_code == 429 and answer.headers["retry-after"] == "7"
        assert answer.json()["error"]["type"] == "rate_limit_error"
    assert len(anthropic_fake.message_requests()) == 2
    assert len(status(proxy)["accounts"]) == 1


def test_openai_chat_fails_over_too(
    start_proxy: ProxyFactory, anthropic_fake: FakeAnthropic, two_logins: tuple[str, str, Path]
) -> None:
    first, second, second_path = two_logins
    proxy = start_proxy(claude={"extra_credentials_paths": [str(second_path)]})
    anthropic_fake.rate_limited[first] = "30"
    chat = {"model": "claude-sonnet-5-5", "messages": [{"role": "user", "content": "hi"}]}
    answer = httpx.post(proxy + "/api/v1/chat/completions", json=chat, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["choices"][0]["message"]["content"]
    assert bearers(anthropic_fake) == [first, second]


def test_the_example_config_fails_over(
    fake_api: tuple[FakeAnthropic, LiveServer],
    oauth_server: LiveServer,
    servers: LiveServers,
    account: ClaudeAccount,
    isolated: Path,
) -> None:
    """examples/two_accounts.toml as written: the second login lives under ~/work."""
    first, _ = account.write_credentials(isolated / ".claude" / ".credentials.json")
    second, _ = account.write_credentials(isolated / "work" / ".claude" / ".credentials.json")
    urls = claude_urls(fake_api[1], oauth_server)
    settings = load_settings(EXAMPLE, claude=urls)
    assert settings.codex.auth_files[1] == isolated / "work" / ".codex" / "auth.json"
    proxy = servers.start(create_app(settings)).url
    fake_api[0].rate_limited[first] = "30"
    answer = httpx.post(proxy + "/api/v1/messages", json=ask("s"), timeout=10)
    assert answer.status_code == 200, answer.text
    assert bearers(fake_api[0]) == [first, second]


def test_an_unusable_login_is_skipped(
    start_proxy: ProxyFactory, anthropic_fake: FakeAnthropic, two_logins: tuple[str, str, Path]
) -> None:
    _, second, second_path = two_logins
    missing = second_path.parent / "never-logged-in.json"
    proxy = start_proxy(
        claude={"credentials_path": str(missing), "extra_credentials_paths": [str(second_path)]}
    )
    for _ in range(2):
        answer = httpx.post(proxy + "/api/v1/messages", json=ask(), timeout=10)
        assert answer.status_code == 200, answer.text
    assert bearers(anthropic_fake) == [second, second]
    main = status(proxy)["accounts"][0]
    assert main["credentials"]["source"] == "none" and main["cool_down_seconds"] is not None


def test_a_single_unusable_login_still_says_how_to_log_in(
    start_proxy: ProxyFactory, anthropic_fake: FakeAnthropic
) -> None:
    proxy = start_proxy()
    answer = httpx.post(proxy + "/api/v1/messages", json=ask(), timeout=10)
    assert answer.status_code == 401 and "ccproxy auth login" in answer.text
    assert answer.headers["x-should-retry"] == "false"

"""The account pool's choice, as pure logic: headroom from the usage headers, sticky sessions,
rests from `retry-after`, the reset header or a default."""

from __future__ import annotations

from pathlib import Path

from ccproxy.auth.tokens import ClaudeTokens
from ccproxy.http import Client
from ccproxy.providers import accounts
from ccproxy.providers.accounts import CLAUDE_RULES, CODEX_RULES, AccountPool


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def pool(clock: Clock, count: int = 3) -> AccountPool[ClaudeTokens]:
    tokens = [ClaudeTokens(Path(f"/nowhere/{n}.json"), "http://127.0.0.1:9/t", Client())
              for n in range(count)]  # fmt: skip
    return AccountPool(tokens, CLAUDE_RULES, clock)


def numbers(chosen: list[accounts.Account[ClaudeTokens]]) -> list[int]:
    return [account.number for account in chosen]


def test_most_headroom_first_then_the_main_login() -> None:
    clock = Clock()
    logins = pool(clock)
    assert numbers(logins.attempts(None)) == [1, 2, 3]
    logins.accounts[0].limits = {"anthropic-ratelimit-unified-5h-utilization": "0.9"}
    logins.accounts[1].limits = {"anthropic-ratelimit-unified-7d-utilization": "0.2"}
    assert numbers(logins.attempts(None)) == [3, 2, 1]  # unknown counts as untouched
    logins.accounts[2].limits = {"anthropic-ratelimit-unified-status": "rejected"}
    assert numbers(logins.attempts(None)) == [2, 1, 3]


def test_a_session_sticks_to_the_login_that_answered_it() -> None:
    clock = Clock()
    logins = pool(clock)
    logins.answered(logins.accounts[2], "conversation")
    assert numbers(logins.attempts("conversation")) == [3, 1, 2]
    assert numbers(logins.attempts("another")) == [1, 2, 3]


def test_rests_from_retry_after_then_reset_header_then_default() -> None:
    clock = Clock()
    logins = pool(clock)
    first, second, third = logins.accounts
    assert logins.rest(first, "2") == 2.0
    second.limits = {"anthropic-ratelimit-unified-reset": str(clock.now + 90)}
    assert logins.rest(second, None) == 90.0
    assert logins.rest(third, "Wed, 21 Oct 2026 07:28:00 GMT") == accounts.DEFAULT_COOL_DOWN
    assert logins.rest(third, "inf") == accounts.DEFAULT_COOL_DOWN
    assert numbers(logins.attempts(None)) == [1]  # all resting: only the soonest back
    clock.now += 2
    assert numbers(logins.attempts(None)) == [1]
    clock.now += 100
    assert numbers(logins.attempts(None)) == [1, 2, 3]  # a 429's limits are stale once rested
    assert [a["cool_down_seconds"] for a in logins.describe()] == [None, None, None]


def test_a_resting_login_is_skipped_and_described() -> None:
    clock = Clock()
    logins = pool(clock, 2)
    logins.answered(logins.accounts[0], "conversation")
    logins.rest(logins.accounts[0], "30")
    assert numbers(logins.attempts("conversation")) == [2]
    described = logins.describe()
    assert described[0]["cool_down_seconds"] == 30
    assert described[0]["credentials"]["path"] == "/nowhere/0.json"


def test_codex_headroom_and_reset() -> None:
    limits = {"x-codex-primary-used-percent": "12.5", "x-codex-secondary-used-percent": "40"}
    assert CODEX_RULES.headroom(limits) == 0.6
    assert CODEX_RULES.headroom({"x-codex-primary-used-percent": "oops"}) == 1.0
    spent = {"x-codex-primary-used-percent": "100", "x-codex-primary-reset-after-seconds": "1800"}
    assert CODEX_RULES.reset_in(spent, 0.0) == 1800.0
    assert CODEX_RULES.reset_in(limits, 0.0) is None

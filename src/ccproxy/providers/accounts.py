"""Several logins for one provider: which one a request uses, and failover when one is limited.

Choice per request: the account this session used last (its prompt cache lives with that
account), else the one whose usage headers leave the most headroom; an account that answered 429
rests until its `retry-after` (or its reset header, or a default) has passed. A 429 that reached
no client yet is retried on the next account, at most once per account; when every account is
limited, the client gets the 429 that asks it to wait the least.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ccproxy.auth.tokens import OAuthTokens
from ccproxy.errors import AuthenticationRequired
from ccproxy.http import Upstream

log = logging.getLogger(__name__)

T = TypeVar("T", bound=OAuthTokens)
Limits = dict[str, str]

RATE_LIMITED = 429
DEFAULT_COOL_DOWN = 60.0  # when a 429 says nothing about when to come back
REMEMBERED_SESSIONS = 4096  # sticky choices kept; the oldest are forgotten first


@dataclass
class Account(Generic[T]):
    """One login: its tokens, the usage headers of its last answer, when it may be used again."""

    number: int  # 1 is the main login of the settings
    tokens: T
    limits: Limits = field(default_factory=dict)
    cool_until: float = 0.0
    # The limits a 429 came with say nothing once its rest is over: the window has reset.
    limits_stale: bool = False

    def headroom(self, rules: Rules) -> float:
        return rules.headroom({} if self.limits_stale else self.limits)


@dataclass(frozen=True)
class Rules:
    """What a provider's usage headers mean."""

    prefix: bytes  # the usage headers kept, e.g. `anthropic-ratelimit-`
    headroom: Callable[[Limits], float]  # 0 (exhausted) to 1 (untouched or unknown)
    reset_in: Callable[[Limits, float], float | None]  # seconds until a limit resets


class AccountPool(Generic[T]):
    def __init__(
        self, tokens: list[T], rules: Rules, clock: Callable[[], float] = time.time
    ) -> None:
        if not tokens:
            raise ValueError("an account pool needs at least one login")
        self.accounts = [Account(number, t) for number, t in enumerate(tokens, start=1)]
        self.rules = rules
        self._clock = clock
        self._sticky: OrderedDict[bytes, int] = OrderedDict()

    @property
    def main(self) -> Account[T]:
        return self.accounts[0]

    def attempts(self, session: str | None) -> list[Account[T]]:
        """The accounts to try, in order: the session's own, then by headroom. With every one
        resting, only the one that rests the shortest (the upstream may already take it)."""
        if len(self.accounts) == 1:
            return self.accounts  # the usual set-up: nothing to choose
        now = self._clock()
        ready = [a for a in self.accounts if a.cool_until <= now]
        if not ready:
            return [min(self.accounts, key=lambda a: a.cool_until)]
        ready.sort(key=lambda a: (-a.headroom(self.rules), a.number))
        own = self._sticky.get(_key(session)) if session else None
        ready.sort(key=lambda a: a.number != own)  # stable: the rest keep the headroom order
        return ready

    def note(self, account: Account[T], response: Upstream) -> Limits:
        """Keeps the usage headers of an answer (when it has any); returns them."""
        prefix = self.rules.prefix
        limits = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in response.raw_headers
            if key.lower().startswith(prefix)
        }
        if limits:
            account.limits, account.limits_stale = limits, False
        return limits

    def answered(self, account: Account[T], session: str | None) -> None:
        if not session or len(self.accounts) == 1:
            return
        key = _key(session)
        self._sticky[key] = account.number
        self._sticky.move_to_end(key)
        while len(self._sticky) > REMEMBERED_SESSIONS:
            self._sticky.popitem(last=False)

    def rest(self, account: Account[T], retry_after: str | None) -> float:
        """Marks a rate-limited account as resting; returns for how many seconds."""
        now = self._clock()
        seconds = _seconds(retry_after)
        if seconds is None:
            seconds = self.rules.reset_in(account.limits, now)
        if seconds is None or seconds < 0:
            seconds = DEFAULT_COOL_DOWN
        account.cool_until, account.limits_stale = now + seconds, True
        return seconds

    def describe(self, limits_view: Callable[[Limits], Any] = dict) -> list[dict[str, Any]]:
        """Every login: its credentials (never a token), rest and last usage headers."""
        now = self._clock()
        described = []
        for account in self.accounts:
            credentials = account.tokens.describe()
            resting = max(0.0, account.cool_until - now)
            described.append(
                {
                    "account": account.number,
                    "credentials": credentials,
                    "cool_down_seconds": math.ceil(resting) if resting else None,
                    "usage_limits": limits_view(account.limits),
                }
            )
        return described


async def send_with_failover(
    pool: AccountPool[T],
    session: str | None,
    send: Callable[[Account[T]], Awaitable[Upstream]],
) -> Upstream:
    """`send` as each account in turn until one is neither rate-limited nor logged out; an open
    response. A login that cannot be used (no file, refresh refused, revoked) rests like a
    limited one, so a broken extra login does not fail requests another login can answer."""
    outcome = _Outcome()
    try:
        for account in pool.attempts(session):
            try:
                response = await send(account)
            except AuthenticationRequired as exc:
                pool.rest(account, str(DEFAULT_COOL_DOWN))
                if len(pool.accounts) > 1:  # with one login, the client's 401 says it all
                    log.warning(
                        "%s login %d is unusable: %s",
                        account.tokens.vendor,
                        account.number,
                        exc.message,
                    )
                outcome.refused = exc
                continue
            if response.status != RATE_LIMITED:
                outcome.close()
                pool.answered(account, session)
                return response
            wait = pool.rest(account, response.header("retry-after"))
            log.info("%s login %d is rate-limited for %.0f s", account.tokens.vendor,
                     account.number, wait)  # fmt: skip
            outcome.keep(wait, response)
    except BaseException:
        outcome.close()
        raise
    return outcome.final()


class _Outcome:
    """What failed so far: the 429 that asks to wait the least, and the last unusable login."""

    def __init__(self) -> None:
        self.limited: tuple[float, Upstream] | None = None
        self.refused: AuthenticationRequired | None = None

    def keep(self, wait: float, response: Upstream) -> None:
        if self.limited is not None and self.limited[0] <= wait:
            response.close()
            return
        self.close()
        self.limited = (wait, response)

    def close(self) -> None:
        if self.limited is not None:
            self.limited[1].close()
            self.limited = None

    def final(self) -> Upstream:
        """A 429 before a login error: the client can wait that out; a new login needs a
        person."""
        if self.limited is not None:
            return self.limited[1]
        assert self.refused is not None  # attempts() is never empty
        raise self.refused


def _key(session: str) -> bytes:
    """A short fixed-size key: a client's session id may be long, and thousands are kept."""
    return hashlib.blake2b(session.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _seconds(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        seconds = float(text)
    except ValueError:  # an HTTP date: not sent by these upstreams
        return None
    return seconds if math.isfinite(seconds) else None


def _float(limits: Limits, name: str) -> float | None:
    try:
        return float(limits[name])
    except (KeyError, ValueError):
        return None


def claude_headroom(limits: Limits) -> float:
    """1 minus the highest unified utilization (5-hour, 7-day); 0 once the status is rejected."""
    if limits.get("anthropic-ratelimit-unified-status") == "rejected":
        return 0.0
    used = [
        _float(limits, f"anthropic-ratelimit-unified-{window}-utilization")
        for window in ("5h", "7d")
    ]
    return 1.0 - max((u for u in used if u is not None), default=0.0)


def claude_reset_in(limits: Limits, now: float) -> float | None:
    reset = _float(limits, "anthropic-ratelimit-unified-reset")
    return reset - now if reset is not None else None


def codex_headroom(limits: Limits) -> float:
    """1 minus the highest used percent of the primary and secondary windows."""
    used = [_float(limits, f"x-codex-{window}-used-percent") for window in ("primary", "secondary")]
    return 1.0 - max((u for u in used if u is not None), default=0.0) / 100.0


def codex_reset_in(limits: Limits, now: float) -> float | None:
    for window in ("primary", "secondary"):
        if (_float(limits, f"x-codex-{window}-used-percent") or 0.0) >= 100.0:
            return _float(limits, f"x-codex-{window}-reset-after-seconds")
    return None


CLAUDE_RULES = Rules(b"anthropic-ratelimit-", claude_headroom, claude_reset_in)
CODEX_RULES = Rules(b"x-codex-", codex_headroom, codex_reset_in)

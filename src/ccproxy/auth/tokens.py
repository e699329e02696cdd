"""Claude OAuth access tokens: cached, refreshed before expiry and on rejection, single-flight.

One refresh at a time per process (an asyncio lock) and across processes (a file lock). After taking
the locks the file is read again: when another process or the Claude CLI has refreshed meanwhile,
that token is used and no refresh is sent, because refresh tokens rotate and a second refresh with
the old one would fail.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ccproxy.auth import store
from ccproxy.auth.store import ClaudeCredential, CredentialFileError
from ccproxy.auth.vendors import CLAUDE, CLAUDE_LOGIN_HINT, ClaudeOAuth
from ccproxy.errors import AuthenticationRequired, ProxyError, UpstreamUnavailable
from ccproxy.http import Client, Timeouts

log = logging.getLogger(__name__)

ENV_TOKEN = "CLAUDE_CODE_OAUTH_TOKEN"
_REFRESH_TIMEOUTS = Timeouts(connect=10.0, read=30.0)


class RefreshRefused(Exception):
    """The token endpoint answered that this refresh token is no longer valid."""


class ClaudeTokens:
    """The Claude API bearer token: `CLAUDE_CODE_OAUTH_TOKEN`, else the credentials file."""

    def __init__(
        self,
        path: Path,
        token_url: str,
        http: Client,
        *,
        env_token: str | None = None,
        oauth: ClaudeOAuth = CLAUDE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.token_url = token_url
        self._http = http
        self._env = ClaudeCredential(env_token, source="env") if env_token else None
        self._oauth = oauth
        self._clock = clock
        self._lock = asyncio.Lock()
        self._cache: tuple[tuple[int, int, int] | None, ClaudeCredential | None] = (None, None)
        self._checked = 0.0
        self.read_error: str | None = None

    def current(self, *, fresh: bool = False) -> ClaudeCredential | None:
        """The credential as it stands now; the file is re-read only when it has changed.

        On the request path a loaded credential is trusted for a second before the file is looked
        at again (one `stat` per second instead of per request); `fresh` looks now.
        """
        if self._env is not None:
            return self._env
        now = time.monotonic()
        if not fresh and self._cache[1] is not None and now - self._checked < 1.0:
            return self._cache[1]
        self._checked = now
        stamp = store.fingerprint(self.path)
        if stamp is None or stamp != self._cache[0]:
            self._cache = (stamp, self._read())
        return self._cache[1]

    def _read(self) -> ClaudeCredential | None:
        try:
            data = store.read_json_object(self.path)
        except CredentialFileError as exc:
            self.read_error = str(exc)
            return None
        self.read_error = None
        return store.parse_claude_credential(data) if data is not None else None

    async def bearer(self) -> str:
        """A token that is not known to be expired; refreshes first when expiry is close."""
        credential = self.current()
        if credential is None:
            raise AuthenticationRequired(self.missing_message())
        if not credential.expires_within(self._oauth.refresh_margin_seconds, self._clock()):
            return credential.access_token
        return await self.refresh(credential.access_token)

    def can_refresh(self) -> bool:
        credential = self.current()
        return credential is not None and credential.refresh_token is not None

    def missing_message(self) -> str:
        detail = self.read_error or f"no Claude credentials found at {self.path} or in ${ENV_TOKEN}"
        return f"{detail}; {CLAUDE_LOGIN_HINT}"

    async def refresh(self, stale: str) -> str:
        """Replace `stale` (expiring, or refused upstream) with a fresh token; single-flight."""
        async with self._lock:
            fresh = self._usable_other_than(stale)
            if fresh is not None:
                return fresh
            async with store.file_lock(self.path):
                self._cache, self._checked = (None, None), 0.0
                fresh = self._usable_other_than(stale)
                if fresh is not None:
                    return fresh
                return await self._refresh_locked(stale)

    def _usable_other_than(self, stale: str) -> str | None:
        credential = self.current()
        if credential is None or credential.access_token == stale:
            return None
        if credential.expires_within(self._oauth.refresh_margin_seconds, self._clock()):
            return None
        return credential.access_token

    async def _refresh_locked(self, stale: str) -> str:
        credential = self.current()
        if credential is None:
            raise AuthenticationRequired(self.missing_message())
        if credential.refresh_token is None:
            raise AuthenticationRequired(
                f"the Claude token has expired and cannot be refreshed; {CLAUDE_LOGIN_HINT}"
            )
        try:
            token = await self._request_refresh(credential.refresh_token)
        except RefreshRefused as refused:
            token = await self._retry_after_refusal(credential, refused)
        except UpstreamUnavailable:
            if credential.access_token == stale and not credential.is_expired(self._clock()):
                log.warning(
                    "Claude token refresh failed; the current token is still valid, using it"
                )
                return credential.access_token
            raise
        self._save(token)
        log.info("refreshed the Claude OAuth token (expires in %ss)", token.get("expires_in", "?"))
        return str(token["access_token"])

    async def _retry_after_refusal(
        self, used: ClaudeCredential, refused: RefreshRefused
    ) -> dict[str, Any]:
        # The refresh token may have rotated in another process since we read the file.
        self._cache, self._checked = (None, None), 0.0
        again = self.current()
        if again is None or again.refresh_token in (None, used.refresh_token):
            raise AuthenticationRequired(
                f"the Claude refresh token was refused ({refused}); {CLAUDE_LOGIN_HINT}"
            ) from refused
        assert again.refresh_token is not None
        try:
            return await self._request_refresh(again.refresh_token)
        except RefreshRefused as second:
            raise AuthenticationRequired(
                f"the Claude refresh token was refused ({second}); {CLAUDE_LOGIN_HINT}"
            ) from second

    async def _request_refresh(self, refresh_token: str) -> dict[str, Any]:
        body = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self._oauth.client_id,
        }
        host = urlsplit(self.token_url).netloc
        headers = [("content-type", "application/json"), ("accept", "application/json")]
        try:
            response = await self._http.send(
                "POST", self.token_url, host=host, headers=headers,
                body=json.dumps(body).encode(), timeouts=_REFRESH_TIMEOUTS,
            )  # fmt: skip
            raw = await response.read()
        except ProxyError as exc:
            raise UpstreamUnavailable(f"could not refresh the Claude token: {exc.message}") from exc
        return _token_response(response.status, raw, host)

    def _save(self, token: dict[str, Any]) -> None:
        data = store.read_json_object(self.path) or {}
        store.write_json_atomic(self.path, store.apply_claude_refresh(data, token, self._clock()))
        self._cache, self._checked = (None, None), 0.0

    def describe(self) -> dict[str, Any]:
        """Where the credential comes from and how long it lasts; never the token itself."""
        credential = self.current(fresh=True)
        if credential is None:
            return {
                "source": "none",
                "path": str(self.path),
                "valid": False,
                "error": self.missing_message(),
            }
        now = self._clock()
        expires_at = credential.expires_at
        return {
            "source": credential.source,
            "path": str(self.path) if credential.source == "file" else None,
            "valid": not credential.is_expired(now) or credential.refresh_token is not None,
            "expired": credential.is_expired(now),
            "expires_at": _iso(expires_at) if expires_at is not None else None,
            "expires_in_seconds": int(expires_at - now) if expires_at is not None else None,
            "refreshable": credential.refresh_token is not None,
            "subscription_type": credential.subscription_type,
            "scopes": list(credential.scopes),
        }


def _token_response(status: int, raw: bytes, host: str) -> dict[str, Any]:
    body = _json(raw)
    if status in (400, 401, 403):
        raise RefreshRefused(_oauth_error(body, status))
    if status != 200:
        raise UpstreamUnavailable(f"could not refresh the Claude token: {host} answered {status}")
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise UpstreamUnavailable(
            f"could not refresh the Claude token: {host} sent no access_token"
        )
    return body


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _oauth_error(body: Any, status: int) -> str:
    """The OAuth error code (`invalid_grant`, …) of a refused token request."""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        error = error.get("type") or error.get("message")
    return str(error) if error else f"HTTP {status}"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")

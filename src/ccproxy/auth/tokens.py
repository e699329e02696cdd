"""OAuth access tokens from a credential file: cached, refreshed before expiry and on rejection,
single-flight.

One refresh at a time per process (an asyncio lock) and across processes (a file lock). After taking
the locks the file is read again: when another process or the vendor's CLI has refreshed meanwhile,
that token is used and no refresh is sent, because refresh tokens rotate and a second refresh with
the old one would fail. `OAuthTokens` holds that logic; each vendor says how its file reads, how
its refresh request looks and how the answer is written back.
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
from ccproxy.auth.store import Credential, CredentialFileError
from ccproxy.auth.vendors import CLAUDE, CLAUDE_LOGIN_HINT, ClaudeOAuth
from ccproxy.errors import AuthenticationRequired, ProxyError, UpstreamUnavailable
from ccproxy.http import Client, Headers, Timeouts

log = logging.getLogger(__name__)

ENV_TOKEN = "CLAUDE_CODE_OAUTH_TOKEN"
_REFRESH_TIMEOUTS = Timeouts(connect=10.0, read=30.0)


class RefreshRefused(Exception):
    """The token endpoint answered that this refresh token is no longer valid."""


class OAuthTokens:
    """The bearer token kept in one vendor's credential file (or given by the environment)."""

    vendor = "OAuth"  # how messages name the login
    login_hint = ""  # the command that fixes a missing or dead login
    refresh_margin_seconds = 120  # refresh this long before expiry, so no request races it

    def __init__(
        self,
        path: Path,
        token_url: str,
        http: Client,
        *,
        env: Credential | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.token_url = token_url
        self._http = http
        self._env = env
        self._clock = clock
        self._lock = asyncio.Lock()
        self._cache: tuple[tuple[int, int, int] | None, Credential | None] = (None, None)
        self._checked = 0.0
        self.read_error: str | None = None

    # What each vendor supplies.

    def parse(self, data: dict[str, Any]) -> Credential | None:
        raise NotImplementedError

    def refresh_request(self, refresh_token: str) -> tuple[Headers, bytes]:
        raise NotImplementedError

    def updated_file(self, data: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def missing_message(self) -> str:
        detail = self.read_error or f"no {self.vendor} credentials found at {self.path}"
        return f"{detail}; {self.login_hint}"

    def describe(self) -> dict[str, Any]:
        """Source, validity and expiry of the login; never a token."""
        raise NotImplementedError

    # The shared logic.

    def current(self, *, fresh: bool = False) -> Credential | None:
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

    def _read(self) -> Credential | None:
        try:
            data = store.read_json_object(self.path)
        except CredentialFileError as exc:
            self.read_error = str(exc)
            return None
        self.read_error = None
        return self.parse(data) if data is not None else None

    def _forget(self) -> None:
        self._cache, self._checked = (None, None), 0.0

    async def credential(self) -> Credential:
        """A credential whose token is not known to be expired; refreshes first when expiry is
        close."""
        credential = self.current()
        if credential is None:
            raise AuthenticationRequired(self.missing_message())
        if not credential.expires_within(self.refresh_margin_seconds, self._clock()):
            return credential
        await self.refresh(credential.access_token)
        refreshed = self.current(fresh=True)
        if refreshed is None:
            raise AuthenticationRequired(self.missing_message())
        return refreshed

    async def bearer(self) -> str:
        return (await self.credential()).access_token

    def can_refresh(self) -> bool:
        credential = self.current()
        return credential is not None and credential.refresh_token is not None

    async def refresh(self, stale: str) -> str:
        """Replace `stale` (expiring, or refused upstream) with a fresh token; single-flight.

        Shielded: the caller may be cancelled (its client hung up), but the token server rotates
        the refresh token whether or not anyone reads its answer, so a refresh cut short would
        leave only the spent refresh token behind."""
        return await asyncio.shield(self._refresh(stale))

    async def _refresh(self, stale: str) -> str:
        async with self._lock:
            fresh = self._usable_other_than(stale)
            if fresh is not None:
                return fresh
            async with store.file_lock(self.path):
                self._forget()
                fresh = self._usable_other_than(stale)
                if fresh is not None:
                    return fresh
                return await self._refresh_locked(stale)

    def _usable_other_than(self, stale: str) -> str | None:
        credential = self.current()
        if credential is None or credential.access_token == stale:
            return None
        if credential.expires_within(self.refresh_margin_seconds, self._clock()):
            return None
        return credential.access_token

    async def _refresh_locked(self, stale: str) -> str:
        credential = self.current()
        if credential is None:
            raise AuthenticationRequired(self.missing_message())
        if credential.refresh_token is None:
            raise AuthenticationRequired(
                f"the {self.vendor} token has expired and cannot be refreshed; {self.login_hint}"
            )
        try:
            token = await self._request_refresh(credential.refresh_token)
        except RefreshRefused as refused:
            token = await self._retry_after_refusal(credential, refused)
        except UpstreamUnavailable:
            if credential.access_token == stale and not credential.is_expired(self._clock()):
                log.warning(
                    "%s token refresh failed; the current token is still valid, using it",
                    self.vendor,
                )
                return credential.access_token
            raise
        self._save(token)
        log.info("refreshed the %s OAuth token", self.vendor)
        return str(token["access_token"])

    async def _retry_after_refusal(
        self, used: Credential, refused: RefreshRefused
    ) -> dict[str, Any]:
        # The refresh token may have rotated in another process since we read the file.
        self._forget()
        again = self.current()
        if again is None or again.refresh_token in (None, used.refresh_token):
            raise AuthenticationRequired(
                f"the {self.vendor} refresh token was refused ({refused}); {self.login_hint}"
            ) from refused
        assert again.refresh_token is not None
        try:
            return await self._request_refresh(again.refresh_token)
        except RefreshRefused as second:
            raise AuthenticationRequired(
                f"the {self.vendor} refresh token was refused ({second}); {self.login_hint}"
            ) from second

    async def _request_refresh(self, refresh_token: str) -> dict[str, Any]:
        host = urlsplit(self.token_url).netloc
        headers, body = self.refresh_request(refresh_token)
        try:
            response = await self._http.send(
                "POST", self.token_url, host=host, headers=headers, body=body,
                timeouts=_REFRESH_TIMEOUTS,
            )  # fmt: skip
            raw = await response.read()
        except ProxyError as exc:
            raise UpstreamUnavailable(
                f"could not refresh the {self.vendor} token: {exc.message}"
            ) from exc
        return _token_response(response.status, raw, host, self.vendor)

    def _save(self, token: dict[str, Any]) -> None:
        data = store.read_json_object(self.path) or {}
        store.write_json_atomic(self.path, self.updated_file(data, token))
        self._forget()


class ClaudeTokens(OAuthTokens):
    """The Claude API bearer token: `CLAUDE_CODE_OAUTH_TOKEN`, else the credentials file."""

    vendor = "Claude"
    login_hint = CLAUDE_LOGIN_HINT

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
        env = Credential(env_token, source="env") if env_token else None
        super().__init__(path, token_url, http, env=env, clock=clock)
        self._oauth = oauth
        self.refresh_margin_seconds = oauth.refresh_margin_seconds

    def parse(self, data: dict[str, Any]) -> Credential | None:
        return store.parse_claude_credential(data)

    def refresh_request(self, refresh_token: str) -> tuple[Headers, bytes]:
        body = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self._oauth.client_id,
        }
        headers = [("content-type", "application/json"), ("accept", "application/json")]
        return headers, json.dumps(body).encode()

    def updated_file(self, data: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
        return store.apply_claude_refresh(data, token, self._clock())

    def missing_message(self) -> str:
        detail = self.read_error or f"no Claude credentials found at {self.path} or in ${ENV_TOKEN}"
        return f"{detail}; {self.login_hint}"

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


def _token_response(status: int, raw: bytes, host: str, vendor: str) -> dict[str, Any]:
    body = _json(raw)
    if status in (400, 401, 403):
        raise RefreshRefused(_oauth_error(body, status))
    if status != 200:
        raise UpstreamUnavailable(f"could not refresh the {vendor} token: {host} answered {status}")
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise UpstreamUnavailable(
            f"could not refresh the {vendor} token: {host} sent no access_token"
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

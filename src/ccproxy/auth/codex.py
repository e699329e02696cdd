"""The Codex CLI's credentials (`~/.codex/auth.json`): the ChatGPT bearer token, its account, and
its refresh (UPSTREAMS.md §3.10, §3.11)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ccproxy.auth import pkce, store
from ccproxy.auth.store import Credential
from ccproxy.auth.tokens import OAuthTokens
from ccproxy.auth.vendors import OPENAI, OPENAI_LOGIN_HINT, OpenAIOAuth
from ccproxy.http import Client, Headers

# What the refresh asks for; the form-encoded refresh with these scopes is the one known to work.
REFRESH_SCOPES = "openid profile email offline_access"


def parse_codex_credential(data: dict[str, Any]) -> Credential | None:
    """The ChatGPT login in an `auth.json`, if it holds one; expiry comes from the access JWT."""
    tokens = data.get("tokens")
    if not isinstance(tokens, dict) or not isinstance(tokens.get("access_token"), str):
        return None
    access = tokens["access_token"]
    expires_at = pkce.jwt_claims(access).get("exp")
    refresh = tokens.get("refresh_token")
    return Credential(
        access_token=access,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_at=float(expires_at) if isinstance(expires_at, int | float) else None,
        subscription_type=_plan(tokens),
        account_id=account_id(tokens),
    )


def account_id(tokens: dict[str, Any]) -> str | None:
    """`chatgpt_account_id` of the id_token, else of the access token, else the stored one."""
    for key in ("id_token", "access_token"):
        found = pkce.openai_account(pkce.jwt_claims(str(tokens.get(key) or "")))["account_id"]
        if isinstance(found, str) and found:
            return found
    stored = tokens.get("account_id")
    return stored if isinstance(stored, str) and stored else None


def _plan(tokens: dict[str, Any]) -> str | None:
    plan = pkce.openai_account(pkce.jwt_claims(str(tokens.get("id_token") or "")))["plan"]
    return plan if isinstance(plan, str) else None


class CodexTokens(OAuthTokens):
    """The ChatGPT bearer token of the Codex CLI's login, refreshed as the CLI would."""

    vendor = "ChatGPT"
    login_hint = OPENAI_LOGIN_HINT

    def __init__(
        self,
        path: Path,
        token_url: str,
        http: Client,
        *,
        oauth: OpenAIOAuth = OPENAI,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(path, token_url, http, clock=clock)
        self._oauth = oauth

    def parse(self, data: dict[str, Any]) -> Credential | None:
        return parse_codex_credential(data)

    def refresh_request(self, refresh_token: str) -> tuple[Headers, bytes]:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self._oauth.client_id,
            "scope": REFRESH_SCOPES,
        }
        headers = [
            ("content-type", "application/x-www-form-urlencoded"),
            ("accept", "application/json"),
        ]
        return headers, urlencode(form).encode()

    def updated_file(self, data: dict[str, Any], token: dict[str, Any]) -> dict[str, Any]:
        return pkce.codex_auth_file(data, token, self._clock())

    def missing_message(self) -> str:
        detail = self.read_error or f"no ChatGPT login in {self.path}"
        return f"{detail}; {self.login_hint}"

    def describe(self) -> dict[str, Any]:
        return describe(self.path, self._clock())


def describe(path: Path, now: float | None = None) -> dict[str, Any]:
    """Source, validity, expiry, plan and account of the ChatGPT login in `path`; never tokens."""
    now = time.time() if now is None else now
    try:
        data = store.read_json_object(path)
    except store.CredentialFileError as exc:
        return _none(path, f"{exc}; {OPENAI_LOGIN_HINT}")
    credential = parse_codex_credential(data) if data else None
    if credential is None or data is None:
        return _none(path, f"no ChatGPT login in {path}; {OPENAI_LOGIN_HINT}")
    expires_at = credential.expires_at
    expired = credential.is_expired(now)
    account = pkce.openai_account(pkce.jwt_claims(str(data["tokens"].get("id_token") or "")))
    return {
        "source": "file",
        "path": str(path),
        "valid": not expired or credential.refresh_token is not None,
        "expired": expired,
        "expires_in_seconds": int(expires_at - now) if expires_at is not None else None,
        "refreshable": credential.refresh_token is not None,
        "plan": account["plan"],
        "email": account["email"],
        "account_id": credential.account_id,
        "last_refresh": data.get("last_refresh"),
    }


def _none(path: Path, error: str) -> dict[str, Any]:
    return {"source": "none", "path": str(path), "valid": False, "error": error}

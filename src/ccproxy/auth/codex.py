"""The Codex CLI's credentials (`~/.codex/auth.json`): what they say, never the tokens."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ccproxy.auth import pkce, store
from ccproxy.auth.vendors import OPENAI_LOGIN_HINT


def describe(path: Path, now: float | None = None) -> dict[str, Any]:
    """Source, validity, expiry, plan and account of the ChatGPT login in `path`."""
    now = time.time() if now is None else now
    try:
        data = store.read_json_object(path)
    except store.CredentialFileError as exc:
        return {
            "source": "none",
            "path": str(path),
            "valid": False,
            "error": f"{exc}; {OPENAI_LOGIN_HINT}",
        }
    tokens = data.get("tokens") if data else None
    if not isinstance(tokens, dict) or not isinstance(tokens.get("access_token"), str):
        return {
            "source": "none",
            "path": str(path),
            "valid": False,
            "error": f"no ChatGPT login in {path}; {OPENAI_LOGIN_HINT}",
        }
    expires_at = pkce.jwt_claims(tokens["access_token"]).get("exp")
    expired = isinstance(expires_at, int | float) and expires_at <= now
    account = pkce.openai_account(pkce.jwt_claims(str(tokens.get("id_token", ""))))
    return {
        "source": "file",
        "path": str(path),
        "valid": not expired or bool(tokens.get("refresh_token")),
        "expired": expired,
        "expires_in_seconds": int(expires_at - now)
        if isinstance(expires_at, int | float)
        else None,
        "refreshable": bool(tokens.get("refresh_token")),
        "plan": account["plan"],
        "email": account["email"],
        "account_id": tokens.get("account_id") or account["account_id"],
        "last_refresh": data.get("last_refresh") if data else None,
    }

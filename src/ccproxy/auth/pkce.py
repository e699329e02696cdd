"""OAuth 2 PKCE pieces for both vendors, without I/O: challenges, URLs, request bodies, files.

Random values (verifier, state) and the clock come in as arguments.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from ccproxy.auth.vendors import ClaudeOAuth, OpenAIOAuth


def challenge(verifier: str) -> str:
    """The S256 code challenge: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def claude_authorize_url(
    base: str,
    oauth: ClaudeOAuth,
    scopes: list[str],
    *,
    redirect_uri: str,
    verifier: str,
    state: str,
) -> str:
    query = {
        "code": "true",  # makes the manual page show the code to paste
        "client_id": oauth.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "code_challenge": challenge(verifier),
        "code_challenge_method": "S256",
        "state": state,
    }
    return f"{base}?{urlencode(query)}"


def claude_exchange_body(
    oauth: ClaudeOAuth, *, code: str, state: str, verifier: str, redirect_uri: str
) -> dict[str, str]:
    """JSON body of the code exchange; unlike standard OAuth, Claude's wants `state` too."""
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": oauth.client_id,
        "code_verifier": verifier,
        "state": state,
    }


def openai_authorize_url(
    base: str, oauth: OpenAIOAuth, scopes: list[str], *, verifier: str, state: str
) -> str:
    """The official CLI's parameters, in its order (UPSTREAMS.md §3.10)."""
    query = {
        "response_type": "code",
        "client_id": oauth.client_id,
        "redirect_uri": oauth.redirect_uri,
        "scope": " ".join(scopes),
        "code_challenge": challenge(verifier),
        "code_challenge_method": "S256",
        "id_token_add_organizations": "true",
        "codex_cli_simplified_flow": "true",
        "state": state,
        "originator": oauth.originator,
    }
    return f"{base}?{urlencode(query)}"


def openai_exchange_form(oauth: OpenAIOAuth, *, code: str, verifier: str) -> dict[str, str]:
    """Form body of the code exchange (no `state` here)."""
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": oauth.redirect_uri,
        "client_id": oauth.client_id,
        "code_verifier": verifier,
    }


def pasted_code(text: str) -> tuple[str, str | None]:
    """(code, state) from what a user pastes: `CODE#STATE`, or the whole redirect URL."""
    text = text.strip()
    if "://" in text:
        query = parse_qs(urlsplit(text).query)
        return query.get("code", [""])[0], query.get("state", [None])[0]
    code, _, state = text.partition("#")
    return code, state or None


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (only read for display and ids); {} if not a JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


def openai_account(claims: dict[str, Any]) -> dict[str, Any]:
    """The ChatGPT account facts an id_token carries."""
    auth = claims.get("https://api.openai.com/auth")
    auth = auth if isinstance(auth, dict) else {}
    profile = claims.get("https://api.openai.com/profile")
    email = claims.get("email") or (profile.get("email") if isinstance(profile, dict) else None)
    return {
        "account_id": auth.get("chatgpt_account_id"),
        "plan": auth.get("chatgpt_plan_type"),
        "user_id": auth.get("chatgpt_user_id") or auth.get("user_id"),
        "email": email,
    }


def claude_credentials_file(
    existing: dict[str, Any], token: dict[str, Any], now: float, subscription: str | None
) -> dict[str, Any]:
    """The Claude CLI's credentials file after a login; keys we do not set are kept."""
    oauth = dict(existing.get("claudeAiOauth") or {})
    oauth["accessToken"] = token["access_token"]
    if token.get("refresh_token"):
        oauth["refreshToken"] = token["refresh_token"]
    if isinstance(token.get("expires_in"), int | float):
        oauth["expiresAt"] = int((now + token["expires_in"]) * 1000)
    if isinstance(token.get("scope"), str):
        oauth["scopes"] = token["scope"].split()
    if subscription:
        oauth["subscriptionType"] = subscription
    return {**existing, "claudeAiOauth": oauth}


def codex_auth_file(existing: dict[str, Any], token: dict[str, Any], now: float) -> dict[str, Any]:
    """The Codex CLI's auth.json after a login or refresh; only what came back is replaced."""
    tokens = dict(existing.get("tokens") or {})
    for key in ("id_token", "access_token", "refresh_token"):
        if token.get(key):
            tokens[key] = token[key]
    account = openai_account(jwt_claims(str(tokens.get("id_token", ""))))["account_id"]
    if account:
        tokens["account_id"] = account
    updated = {"auth_mode": "chatgpt", "OPENAI_API_KEY": None, **existing, "tokens": tokens}
    updated["last_refresh"] = iso_z(now)
    return updated


def iso_z(epoch: float) -> str:
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )

"""`ccproxy auth validate`: one authenticated call to the account profile, refreshing first."""

from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

from ccproxy.auth.tokens import ENV_TOKEN, ClaudeTokens
from ccproxy.config import Settings
from ccproxy.errors import ProxyError
from ccproxy.http import Client, Timeouts


async def validate_claude(settings: Settings, http: Client) -> tuple[bool, str]:
    """(works, what to tell the user)."""
    tokens = ClaudeTokens(
        settings.claude.credentials_file,
        settings.claude.oauth_token_url,
        http,
        env_token=os.environ.get(ENV_TOKEN) or None,
    )
    url = settings.claude.api_base_url.rstrip("/") + "/api/oauth/profile"
    try:
        bearer = await tokens.bearer()
        headers = [("authorization", f"Bearer {bearer}"), ("anthropic-beta", "oauth-2025-04-20")]
        response = await http.send(
            "GET",
            url,
            host=urlsplit(url).netloc,
            headers=headers,
            body=None,
            timeouts=Timeouts(connect=10.0, read=30.0),
        )
        raw = await response.read()
    except ProxyError as exc:
        return False, f"Claude login does not work: {exc.message}"
    if response.status != 200:
        return False, f"Claude refused the login (HTTP {response.status}); run `ccproxy auth login`"
    try:
        account = json.loads(raw).get("account") or {}
    except (ValueError, AttributeError):
        account = {}
    who = account.get("email_address") or account.get("email") or "your account"
    plan = (
        "Max" if account.get("has_claude_max") else "Pro" if account.get("has_claude_pro") else None
    )
    return True, f"Claude login works for {who}" + (f" ({plan})" if plan else "")

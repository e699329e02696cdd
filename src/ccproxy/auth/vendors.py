"""OAuth facts of each vendor, in one place (UPSTREAMS.md §2.1 and §3.10)."""

from __future__ import annotations

from dataclasses import dataclass

CLAUDE_LOGIN_HINT = "run `claude /login` or `ccproxy auth login`"


@dataclass(frozen=True)
class ClaudeOAuth:
    client_id: str = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
    scopes: tuple[str, ...] = (
        "org:create_api_key",
        "user:profile",
        "user:inference",
        "user:sessions:claude_code",
    )
    # Refresh a token this long before it expires, so no request races the expiry.
    refresh_margin_seconds: int = 120


CLAUDE = ClaudeOAuth()

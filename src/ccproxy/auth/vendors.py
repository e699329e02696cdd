"""OAuth facts of each vendor, in one place (UPSTREAMS.md §2.1 and §3.10)."""

from __future__ import annotations

from dataclasses import dataclass

CLAUDE_LOGIN_HINT = "run `claude /login` or `ccproxy auth login`"
OPENAI_LOGIN_HINT = "run `codex login` or `ccproxy auth login-openai`"


@dataclass(frozen=True)
class ClaudeOAuth:
    client_id: str = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
    # Refresh a token this long before it expires, so no request races the expiry.
    refresh_margin_seconds: int = 120


@dataclass(frozen=True)
class OpenAIOAuth:
    client_id: str = "app_EMoamEEZ73f0CkXaXp7hrann"
    # The only redirect registered for this client: the login listener must own this port.
    port: int = 1455
    redirect_uri: str = "http://localhost:1455/auth/callback"
    originator: str = "codex_cli_rs"


CLAUDE = ClaudeOAuth()
OPENAI = OpenAIOAuth()

"""The state behind the fake Claude API and OAuth servers: which tokens exist and what they mean."""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"


@dataclass
class ClaudeAccount:
    """Tokens the fake servers honour; refresh tokens rotate, as the real ones do."""

    access: set[str] = field(default_factory=set)
    expired: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    refresh_calls: int = 0
    refresh_delay: float = 0.0
    token_lifetime: int = 28800
    issue_expired: bool = False  # every new access token is already expired upstream
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self) -> tuple[str, str]:
        with self._lock:
            n = next(self._ids)
            access, refresh = f"sk-ant-oat01-fake-{n}", f"sk-ant-ort01-fake-{n}"
            (self.expired if self.issue_expired else self.access).add(access)
            self.refresh_tokens.add(refresh)
            return access, refresh

    def expire(self, token: str) -> None:
        self.access.discard(token)
        self.expired.add(token)

    def revoke(self, token: str) -> None:
        self.access.discard(token)
        self.revoked.add(token)

    def rotate(self, refresh_token: str) -> dict[str, Any] | None:
        """The token response to a refresh; None when that refresh token is no longer valid."""
        with self._lock:
            self.refresh_calls += 1
            if refresh_token not in self.refresh_tokens:
                return None
            self.refresh_tokens.discard(refresh_token)
        access, refresh = self.issue()
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": self.token_lifetime,
            "scope": "user:inference user:profile",
        }

    def write_credentials(
        self,
        path: Path,
        *,
        expires_in: float = 3600,
        access: str | None = None,
        refresh: str | None = None,
    ) -> tuple[str, str]:
        """A credentials file as the Claude CLI writes it, with keys we must not lose."""
        if access is None or refresh is None:
            access, refresh = self.issue()
        data = {
            "claudeAiOauth": {
                "accessToken": access,
                "refreshToken": refresh,
                "expiresAt": int((time.time() + expires_in) * 1000),
                "scopes": ["user:inference", "user:profile", "user:sessions:claude_code"],
                "subscriptionType": "max",
                "rateLimitTier": "default_claude_max_20x",
            },
            "mcpOAuth": {"some-server": {"accessToken": "kept-as-is"}},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))
        os.chmod(path, 0o600)
        return access, refresh

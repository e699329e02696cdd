"""Authorization codes as a fake OAuth server keeps them: one use, short-lived, PKCE-bound."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    state: str
    expires_at: float
    used: bool = False


@dataclass
class AuthorizationCodes:
    lifetime: float = 300.0
    grants: dict[str, Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, client_id: str, redirect_uri: str, challenge: str, state: str) -> str:
        code = "code-" + secrets.token_hex(8)
        with self._lock:
            self.grants[code] = Grant(
                client_id, redirect_uri, challenge, state, time.time() + self.lifetime
            )
        return code

    def expire_all(self) -> None:
        with self._lock:
            for grant in self.grants.values():
                grant.expires_at = 0.0

    def redeem(self, code: str, client_id: str, redirect_uri: str, verifier: str) -> Grant | str:
        """The grant, or why the code cannot be redeemed (an OAuth error description)."""
        with self._lock:
            grant = self.grants.get(code)
            if grant is None or grant.used:
                return "unknown or already used authorization code"
            grant.used = True
        if grant.expires_at < time.time():
            return "authorization code expired"
        if (client_id, redirect_uri) != (grant.client_id, grant.redirect_uri):
            return "client_id or redirect_uri differs from the authorize request"
        digest = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .decode()
            .rstrip("=")
        )
        if digest != grant.challenge:
            return "code_verifier does not match the code_challenge"
        return grant

"""A fake OpenAI OAuth server: the official CLI's authorize parameters are required, codes are
exchanged and tokens refreshed with form bodies, refresh tokens rotate, and the tokens are JWTs
carrying the ChatGPT account claims. It also holds which access tokens the fake ChatGPT backend
honours."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.oauth_codes import AuthorizationCodes, Grant

CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"
REDIRECT = "http://localhost:1455/auth/callback"
ACCOUNT_ID = "acc-1234-chatgpt"


def jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class FakeOpenAIOAuth:
    def __init__(self) -> None:
        self.codes = AuthorizationCodes()
        self.issued: list[dict[str, Any]] = []
        self.access: set[str] = set()  # tokens the backend accepts (until their JWT expires)
        self.refresh_tokens: set[str] = set()
        self.refresh_requests: list[dict[str, str]] = []
        self.refresh_delay = 0.0
        self.rotate_refresh_token = True  # False: refresh answers carry no refresh_token
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/oauth/authorize", self.authorize, methods=["GET"]),
                Route("/oauth/token", self.token, methods=["POST"]),
            ]
        )

    def authorize(self, request: Request) -> Response:
        q = request.query_params
        expected = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT,
            "code_challenge_method": "S256",
            "id_token_add_organizations": "true",
            "codex_cli_simplified_flow": "true",
            "originator": "codex_cli_rs",
        }
        refused = [name for name, value in expected.items() if q.get(name) != value]
        if not {"openid", "profile", "email", "offline_access"} <= set(q.get("scope", "").split()):
            refused.append("scope")
        if not q.get("code_challenge") or not q.get("state"):
            refused.append("code_challenge/state")
        if refused:
            return HTMLResponse(f"<p>authorize refused: {', '.join(refused)}</p>", status_code=400)
        code = self.codes.issue(CLIENT_ID, REDIRECT, q["code_challenge"], q["state"])
        return RedirectResponse(
            f"{REDIRECT}?{urlencode({'code': code, 'state': q['state']})}", status_code=302
        )

    async def token(self, request: Request) -> JSONResponse:
        if (
            request.headers.get("content-type", "").split(";")[0]
            != "application/x-www-form-urlencoded"
        ):
            return JSONResponse(
                {"error": "invalid_request", "error_description": "form body expected"}, 400
            )
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if form.get("grant_type") == "refresh_token":
            return await self._refresh(form)
        if form.get("grant_type") != "authorization_code" or "state" in form:
            return JSONResponse({"error": "invalid_request", "error_description": "bad grant"}, 400)
        grant = self.codes.redeem(
            form.get("code", ""),
            form.get("client_id", ""),
            form.get("redirect_uri", ""),
            form.get("code_verifier", ""),
        )
        if not isinstance(grant, Grant):
            return JSONResponse({"error": "invalid_grant", "error_description": grant}, 400)
        return JSONResponse(self.tokens())

    async def _refresh(self, form: dict[str, str]) -> JSONResponse:
        self.refresh_requests.append(form)
        if form.get("client_id") != CLIENT_ID:
            return JSONResponse({"error": "invalid_client"}, 401)
        if self.refresh_delay:
            await asyncio.sleep(self.refresh_delay)
        with self._lock:
            if form.get("refresh_token") not in self.refresh_tokens:
                return JSONResponse(
                    {"error": "invalid_grant", "error_description": "refresh token reused"}, 400
                )
            self.refresh_tokens.discard(form["refresh_token"])
        issued = self.tokens()
        if not self.rotate_refresh_token:
            self.refresh_tokens.add(form["refresh_token"])
            issued = {k: v for k, v in issued.items() if k != "refresh_token"}
        return JSONResponse(issued)

    def expire(self, access_token: str) -> None:
        """The backend stops honouring this token although its JWT says otherwise."""
        self.access.discard(access_token)

    def write_auth(self, path: Path, lifetime: int = 864000) -> dict[str, Any]:
        """An `auth.json` as the Codex CLI writes it, with a key of its own we must keep."""
        tokens = self.tokens(lifetime)
        auth = {
            "auth_mode": "chatgpt",
            "OPENAI_API_KEY": None,
            "tokens": {k: tokens[k] for k in ("id_token", "access_token", "refresh_token")}
            | {"account_id": ACCOUNT_ID},
            "last_refresh": "2026-11-20T12:00:00.000Z",
            "agent_identity": {"kept": True},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(auth))
        os.chmod(path, 0o600)
        return tokens

    def tokens(self, lifetime: int = 864000) -> dict[str, Any]:
        now = int(time.time())
        auth = {
            "chatgpt_account_id": ACCOUNT_ID,
            "chatgpt_plan_type": "plus",
            "chatgpt_user_id": "user-1",
        }
        issued = {
            "id_token": jwt(
                {
                    "email": "chatgpt@example.com",
                    "sub": "auth0|sub-not-the-account",
                    "exp": now + 3600,
                    "https://api.openai.com/auth": auth,
                }
            ),
            "access_token": jwt(
                {
                    "exp": now + lifetime,
                    "https://api.openai.com/auth": auth,
                    "n": time.monotonic_ns(),
                }
            ),
            "refresh_token": f"rt-fake-{len(self.issued)}-{time.monotonic_ns()}",
            "expires_in": lifetime,
        }
        with self._lock:
            self.issued.append(issued)
            self.access.add(issued["access_token"])
            self.refresh_tokens.add(issued["refresh_token"])
        return issued


def expired(token: str) -> bool:
    """Whether a fake access token's JWT `exp` has passed."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return bool(claims.get("exp", 0) <= time.time())

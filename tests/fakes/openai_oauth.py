"""A fake OpenAI OAuth server: the official CLI's authorize parameters are required, the code is
exchanged with a form body, and the tokens are JWTs carrying the ChatGPT account claims."""

from __future__ import annotations

import base64
import json
import time
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
                {"exp": now + lifetime, "https://api.openai.com/auth": auth, "n": len(self.issued)}
            ),
            "refresh_token": f"rt-fake-{len(self.issued)}",
            "expires_in": lifetime,
        }
        self.issued.append(issued)
        return issued

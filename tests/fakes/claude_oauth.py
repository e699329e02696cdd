"""A fake Claude OAuth server: the authorize page, the manual code page, and the token endpoint
(authorization code and refresh grants, JSON bodies, the Claude Code client id, rotating tokens)."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.claude_account import CLIENT_ID, ClaudeAccount
from tests.fakes.oauth_codes import AuthorizationCodes, Grant

LOOPBACK = re.compile(r"http://localhost:\d+/callback")
MANUAL_PATH = "/oauth/code/callback"
REQUIRED_SCOPES = {"user:inference", "user:profile"}


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


class FakeClaudeOAuth:
    def __init__(self, account: ClaudeAccount) -> None:
        self.account = account
        self.codes = AuthorizationCodes()
        self.url = ""  # set once served, so the manual redirect can point back here
        self.token_requests: list[dict[str, Any]] = []
        self.app = Starlette(
            routes=[
                Route("/cai/oauth/authorize", self.authorize, methods=["GET"]),
                Route(MANUAL_PATH, self.manual_page, methods=["GET"]),
                Route("/v1/oauth/token", self.token, methods=["POST"]),
            ]
        )

    def authorize(self, request: Request) -> Response:
        q = request.query_params
        redirect = q.get("redirect_uri", "")
        problems = [
            q.get("client_id") != CLIENT_ID and "unknown client_id",
            q.get("response_type") != "code" and "response_type must be code",
            q.get("code") != "true" and "code=true is missing",
            not (LOOPBACK.fullmatch(redirect) or redirect == self.url + MANUAL_PATH)
            and "redirect_uri not allowed",
            not set(q.get("scope", "").split()) >= REQUIRED_SCOPES and "scopes missing",
            q.get("code_challenge_method") != "S256" and "PKCE S256 required",
            not q.get("code_challenge") and "code_challenge missing",
            not q.get("state") and "state missing",
        ]
        if refused := [p for p in problems if p]:
            return HTMLResponse(f"<p>authorize refused: {', '.join(refused)}</p>", status_code=400)
        code = self.codes.issue(CLIENT_ID, redirect, q["code_challenge"], q["state"])
        return RedirectResponse(
            f"{redirect}?{urlencode({'code': code, 'state': q['state']})}", status_code=302
        )

    def manual_page(self, request: Request) -> Response:
        shown = f"{request.query_params['code']}#{request.query_params['state']}"
        return HTMLResponse(f"<p>Paste this code:</p><code>{shown}</code>")

    async def token(self, request: Request) -> JSONResponse:
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return _oauth_error("invalid_request", "the token endpoint takes a JSON body")
        try:
            body: Any = json.loads(await request.body())
        except ValueError:
            return _oauth_error("invalid_request", "malformed JSON")
        self.token_requests.append(body)
        if body.get("client_id") != CLIENT_ID:
            return _oauth_error("invalid_client", "unknown client_id", 401)
        if body.get("grant_type") == "authorization_code":
            return self._exchange(body)
        if body.get("grant_type") != "refresh_token" or not body.get("refresh_token"):
            return _oauth_error("unsupported_grant_type", f"grant_type {body.get('grant_type')!r}")
        if self.account.refresh_delay:
            await asyncio.sleep(self.account.refresh_delay)
        issued = self.account.rotate(body["refresh_token"])
        if issued is None:
            return _oauth_error("invalid_grant", "Refresh token not found or invalid")
        return JSONResponse(issued)

    def _exchange(self, body: dict[str, Any]) -> JSONResponse:
        grant = self.codes.redeem(
            str(body.get("code")),
            CLIENT_ID,
            str(body.get("redirect_uri")),
            str(body.get("code_verifier")),
        )
        if not isinstance(grant, Grant):
            return _oauth_error("invalid_grant", grant)
        if body.get("state") != grant.state:
            return _oauth_error("invalid_request", "state is required and must match")
        access, refresh = self.account.issue()
        return JSONResponse(
            {
                "token_type": "Bearer",
                "access_token": access,
                "refresh_token": refresh,
                "expires_in": self.account.token_lifetime,
                "scope": "user:inference user:profile user:sessions:claude_code",
                "account": {"uuid": "acct-fake", "email_address": "user@example.com"},
                "organization": {"uuid": "org-fake", "name": "Fake org"},
            }
        )


def claude_oauth_app(account: ClaudeAccount) -> Starlette:
    return FakeClaudeOAuth(account).app

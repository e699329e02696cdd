"""A fake Claude OAuth token endpoint: JSON bodies, the Claude Code client id, rotating tokens."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.claude_account import CLIENT_ID, ClaudeAccount


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def claude_oauth_app(account: ClaudeAccount) -> Starlette:
    async def token(request: Request) -> JSONResponse:
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return _oauth_error("invalid_request", "the token endpoint takes a JSON body")
        try:
            body: Any = json.loads(await request.body())
        except ValueError:
            return _oauth_error("invalid_request", "malformed JSON")
        if body.get("client_id") != CLIENT_ID:
            return _oauth_error("invalid_client", "unknown client_id", 401)
        if body.get("grant_type") != "refresh_token" or not body.get("refresh_token"):
            return _oauth_error("unsupported_grant_type", "only refresh_token is faked here")
        if account.refresh_delay:
            await asyncio.sleep(account.refresh_delay)
        issued = account.rotate(body["refresh_token"])
        if issued is None:
            return _oauth_error("invalid_grant", "Refresh token not found or invalid")
        return JSONResponse(issued)

    return Starlette(routes=[Route("/v1/oauth/token", token, methods=["POST"])])

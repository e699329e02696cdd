"""Route handlers. Each model route is parse -> prepare -> send -> relay, nothing more."""

from __future__ import annotations

import functools
import json
from importlib.resources import files
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ccproxy import __version__
from ccproxy.auth.callbacks import LoginCallbacks
from ccproxy.errors import ProxyError
from ccproxy.formats.models import model_item, model_list
from ccproxy.providers.catalog import CLAUDE_MODELS
from ccproxy.providers.claude_api import ClaudeAPI
from ccproxy.server import claude, claude_responses, codex, codex_messages, sdk
from ccproxy.server.count_tokens import estimated
from ccproxy.server.hangup import cancelled_on_hangup


def _claude(request: Request) -> ClaudeAPI:
    provider: ClaudeAPI = request.app.state.claude
    return provider


def claude_model_items() -> list[dict[str, Any]]:
    return [model_item(m.id, m.display_name, m.created_at, m.owned_by) for m in CLAUDE_MODELS]


async def models(request: Request) -> Response:
    return JSONResponse(model_list(claude_model_items()))


async def model(request: Request) -> Response:
    wanted = request.path_params["model_id"]
    for item in claude_model_items():
        if item["id"] == wanted:
            return JSONResponse(item)
    raise ProxyError(f"model {wanted!r} is not in the Claude model list", status=404)


async def status(request: Request) -> Response:
    """Credential and upstream state; contacts the upstream only with `?check=true`."""
    provider = _claude(request)
    report: dict[str, Any] = {
        "provider": provider.name,
        "upstream": provider.base_url,
        "credentials": provider.tokens.describe(),
        "rate_limits": provider.rate_limits,
        "accounts": provider.accounts.describe(),
    }
    if request.query_params.get("check", "").lower() in ("1", "true", "yes"):
        report["check"] = await _profile_check(provider)
    return JSONResponse(report)


async def _profile_check(provider: ClaudeAPI) -> dict[str, Any]:
    try:
        response = await provider.get("/api/oauth/profile")
        raw = await response.read()
    except ProxyError as exc:
        return {"ok": False, "error": exc.message}
    if response.status != 200:
        return {"ok": False, "status": response.status}
    try:
        profile = json.loads(raw)
    except ValueError:
        return {"ok": False, "status": 200, "error": "the profile answer is not JSON"}
    account = profile.get("account", {}) if isinstance(profile, dict) else {}
    return {
        "ok": True,
        "status": 200,
        "email": account.get("email_address") or account.get("email"),
        "has_claude_max": account.get("has_claude_max"),
        "has_claude_pro": account.get("has_claude_pro"),
    }


async def health(request: Request) -> Response:
    """Liveness plus a one-word readiness per provider; no network, no secrets."""
    providers = {"claude_api": _readiness(_claude(request).tokens.describe())}
    codex_provider = request.app.state.codex
    providers["codex"] = (
        _readiness(codex_provider.tokens.describe()) if codex_provider else "disabled"
    )
    return JSONResponse({"status": "ok", "version": __version__, "providers": providers})


def _readiness(credentials: dict[str, Any]) -> str:
    if credentials["valid"]:
        return "ok"
    return "missing" if credentials["source"] == "none" else "expired"


async def oauth_callback(request: Request) -> Response:
    """OAuth redirects for logins this server started; the same handler as the login listeners."""
    logins: LoginCallbacks = request.app.state.logins
    status_code, page = logins.handle(request.query_params)
    return HTMLResponse(page, status_code=status_code)


async def preflight(request: Request) -> Response:
    """Claude Code sends `HEAD /` or `HEAD /api/hello` before its first call; any 2xx will do."""
    if request.method == "HEAD":
        return Response(status_code=200)
    return JSONResponse({"name": "ccproxy", "version": __version__})


async def openapi(request: Request) -> Response:
    """The OpenAPI description of the non-streaming routes, as shipped in the package."""
    return Response(_openapi_document(), media_type="application/json")


@functools.cache
def _openapi_document() -> bytes:
    # Read on first use only: most servers never serve it.
    return files("ccproxy.server").joinpath("openapi.json").read_bytes()


# The routes that wait on an upstream: a client hanging up cancels the wait (hangup.py). SDK mode
# has its own watch over the Claude Code run.
messages = cancelled_on_hangup(claude.messages)
count_tokens = cancelled_on_hangup(claude.count_tokens)
chat_completions = cancelled_on_hangup(claude.chat_completions)
responses = cancelled_on_hangup(claude_responses.responses)
codex_responses = cancelled_on_hangup(codex.responses_route)
codex_chat_completions = cancelled_on_hangup(codex.chat_completions)
codex_messages_route = cancelled_on_hangup(codex_messages.messages)

ROUTES = [
    Route("/", preflight, methods=["GET", "HEAD"]),
    Route("/api", preflight, methods=["GET", "HEAD"]),
    Route("/api/hello", preflight, methods=["GET", "HEAD"]),
    Route("/health", health, methods=["GET"]),
    Route("/oauth/callback", oauth_callback, methods=["GET"]),
    Route("/openapi.json", openapi, methods=["GET"]),
    Route("/api/v1/messages", messages, methods=["POST"]),
    Route("/api/v1/messages/count_tokens", count_tokens, methods=["POST"]),
    Route("/api/v1/chat/completions", chat_completions, methods=["POST"]),
    Route("/api/v1/responses", responses, methods=["POST"]),
    Route("/api/v1/models", models, methods=["GET"]),
    Route("/api/models", models, methods=["GET"]),
    Route("/api/v1/models/{model_id:path}", model, methods=["GET"]),
    Route("/api/models/{model_id:path}", model, methods=["GET"]),
    Route("/api/status", status, methods=["GET"]),
    Route("/sdk/v1/messages", sdk.messages, methods=["POST"]),
    Route("/sdk/v1/chat/completions", sdk.chat_completions, methods=["POST"]),
    # Claude Code run by run cannot count; the estimate is what a client needs to plan.
    Route("/sdk/v1/messages/count_tokens", estimated, methods=["POST"]),
    Route("/sdk/v1/responses", sdk.responses, methods=["POST"]),
    Route("/sdk/v1/models", models, methods=["GET"]),
    Route("/sdk/models", models, methods=["GET"]),
    Route("/sdk/v1/models/{model_id:path}", model, methods=["GET"]),
    Route("/sdk/status", sdk.status, methods=["GET"]),
    Route("/sdk/{session_id}/v1/messages", sdk.messages, methods=["POST"]),
    Route("/sdk/{session_id}/v1/chat/completions", sdk.chat_completions, methods=["POST"]),
    Route("/sdk/{session_id}/v1/messages/count_tokens", estimated, methods=["POST"]),
    Route("/sdk/{session_id}/v1/responses", sdk.responses, methods=["POST"]),
    Route("/codex/responses", codex_responses, methods=["POST"]),
    Route("/codex/v1/responses", codex_responses, methods=["POST"]),
    Route("/codex/chat/completions", codex_chat_completions, methods=["POST"]),
    Route("/codex/v1/chat/completions", codex_chat_completions, methods=["POST"]),
    Route("/codex/v1/messages", codex_messages_route, methods=["POST"]),
    Route("/codex/messages", codex_messages_route, methods=["POST"]),
    Route("/codex/v1/messages/count_tokens", codex_messages.count_tokens, methods=["POST"]),
    Route("/codex/messages/count_tokens", codex_messages.count_tokens, methods=["POST"]),
    Route("/codex/models", codex.models, methods=["GET"]),
    Route("/codex/v1/models", codex.models, methods=["GET"]),
    Route("/codex/models/{model_id:path}", codex.model, methods=["GET"]),
    Route("/codex/v1/models/{model_id:path}", codex.model, methods=["GET"]),
    Route("/codex/status", codex.status, methods=["GET"]),
    # Last: any other first segment is a session id.
    Route("/codex/{session_id}/responses", codex_responses, methods=["POST"]),
    Route("/codex/{session_id}/v1/messages", codex_messages_route, methods=["POST"]),
    Route(
        "/codex/{session_id}/v1/messages/count_tokens",
        codex_messages.count_tokens,
        methods=["POST"],
    ),
]

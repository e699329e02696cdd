"""The ASGI application: `create_app(settings)`; its lifespan owns the pooled upstream client."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ccproxy import logs
from ccproxy.auth.callbacks import LoginCallbacks
from ccproxy.auth.codex import CodexTokens
from ccproxy.auth.tokens import ENV_TOKEN, ClaudeTokens
from ccproxy.auth.vendors import CLAUDE_LOGIN_HINT, OPENAI_LOGIN_HINT
from ccproxy.config import Settings, load_settings
from ccproxy.config_base import expand
from ccproxy.errors import ProxyError
from ccproxy.http import Client
from ccproxy.observability.prices import Prices
from ccproxy.observability.recorder import Recorder
from ccproxy.permissions.approvals import Approvals
from ccproxy.permissions.mcp_endpoint import LazyMcpEndpoint
from ccproxy.providers.claude_api import ClaudeAPI
from ccproxy.providers.claude_sdk import ClaudeSDK
from ccproxy.providers.codex import Codex
from ccproxy.providers.codex_prompt import CodexPrompt
from ccproxy.server import dashboard_login, hangup, heap, observability, permissions, root
from ccproxy.server.access import AccessRecording
from ccproxy.server.browser import BrowserGuard, is_loopback_name
from ccproxy.server.envelopes import error_response
from ccproxy.server.middleware import BodyLimit, ClientAuth, LastResortErrors, ServerTiming
from ccproxy.server.routes import ROUTES
from ccproxy.server.thinking import ThinkingMemory

log = logging.getLogger(__name__)


WORKER_SETTINGS = "CCPROXY_WORKER_SETTINGS"


def worker_app() -> Starlette:
    """The app of one `--workers` process: settings loaded as the parent loaded them."""
    given = json.loads(os.environ[WORKER_SETTINGS])
    settings = load_settings(
        Path(given["config"]) if given["config"] else None,
        server=given["server"],
        claude=given["claude"],
    )
    logs.configure(settings.server.log_level)
    app = create_app(settings)
    heap.settle()
    return app


def create_app(settings: Settings) -> Starlette:
    recorder = _recorder(settings) if settings.observability.recording else None
    middleware = [
        Middleware(ServerTiming) if recorder is None
        else Middleware(AccessRecording, recorder=recorder),
        Middleware(LastResortErrors),
        _browser_guard(settings),
    ]  # fmt: skip
    if settings.security.auth_token is not None:
        middleware.append(
            Middleware(
                ClientAuth,
                token=settings.security.auth_token.get_secret_value(),
                dashboard=settings.observability.dashboard_enabled,
            )
        )
    middleware.append(Middleware(BodyLimit, limit=settings.server.max_body_bytes))
    security = settings.security
    approvals = Approvals(security.confirmation_timeout_seconds, security.permission_rules)
    mcp = LazyMcpEndpoint(approvals, settings.server.host)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.approvals = approvals
        app.state.recorder = recorder
        http = Client()
        await http.start()
        try:
            if recorder is not None and recorder.store is not None:
                await _start_access_log(recorder, approvals)
            _start_providers(app, settings, http)
            if recorder is not None and recorder.metrics is not None:
                recorder.metrics.limits = lambda: observability.usage_limits(app)
            yield
        finally:
            if recorder is not None:
                await recorder.drain()  # the requests that a shutdown's grace period cut
                recorder.settle()
                if recorder.store is not None:
                    await recorder.store.close()
            if getattr(app.state, "sdk", None) is not None:
                await app.state.sdk.close()
            if getattr(app.state, "codex", None) is not None:
                await app.state.codex.prompt.close()
            await mcp.close()
            await http.close()

    return Starlette(
        routes=[
            *ROUTES,
            *root.ROUTES,
            Route("/mcp", hangup.CancelledOnHangUp(mcp), methods=["GET", "POST", "DELETE"]),
            *permissions.ROUTES,
            *observability.ROUTES,
            *dashboard_login.ROUTES,
        ],
        middleware=middleware,
        exception_handlers={
            ProxyError: _proxy_error,
            HTTPException: _http_error,
            hangup.ClientGone: hangup.client_gone,
        },
        lifespan=lifespan,
    )


def _browser_guard(settings: Settings) -> Middleware:
    security = settings.security
    return Middleware(
        BrowserGuard,
        origins=security.cors_origins,
        hosts=security.allowed_hosts,
        # Only a loopback server can tell a rebound name: others are reached by any name.
        check_host=is_loopback_name(settings.server.host),
    )


def end_streams(app: Starlette) -> None:
    """End the streams that never end by themselves (`/permissions/stream`, `/logs/stream`),
    so that a shutdown does not wait for their clients to leave."""
    approvals: Approvals | None = getattr(app.state, "approvals", None)
    if approvals is not None:
        approvals.close()
    recorder: Recorder | None = getattr(app.state, "recorder", None)
    if recorder is not None:
        recorder.close_listeners()


def _recorder(settings: Settings) -> Recorder:
    # Here, not at the top: prometheus-client and DuckDB load only when asked for.
    from ccproxy.observability.metrics import Metrics
    from ccproxy.observability.store import AccessLog

    wanted = settings.observability
    prices_file = expand(wanted.prices_file) if wanted.prices_file else None
    store = None
    if wanted.logs_enabled or wanted.dashboard_enabled:  # the dashboard reads the log
        store = AccessLog(wanted.duckdb_file, wanted.retention_days)
    metrics = Metrics(dict) if wanted.metrics_enabled else None
    return Recorder(Prices.load(prices_file), metrics, store)


async def _start_access_log(recorder: Recorder, approvals: Approvals) -> None:
    """A file another ccproxy holds leaves this one serving, without a log, and saying so."""
    from ccproxy.observability.store import AccessLogBusy

    assert recorder.store is not None
    try:
        await recorder.store.start()
    except AccessLogBusy as exc:
        log.warning("no access log: %s; set OBSERVABILITY__DUCKDB_PATH to use another file", exc)
        await recorder.store.close()  # its writer thread
        recorder.store = None
        return
    approvals.on_decision = recorder.store.add_decision


def _start_providers(app: Starlette, settings: Settings, http: Client) -> None:
    main, *extra = settings.claude.credentials_files
    # `CLAUDE_CODE_OAUTH_TOKEN` stands for the main login only; the others are files.
    env_token = os.environ.get(ENV_TOKEN) or None
    logins = [ClaudeTokens(main, settings.claude.oauth_token_url, http, env_token=env_token)]
    logins += [ClaudeTokens(path, settings.claude.oauth_token_url, http) for path in extra]
    app.state.claude = ClaudeAPI(settings.claude, http, logins)
    app.state.thinking = ThinkingMemory()
    app.state.logins = LoginCallbacks()
    for tokens in logins:
        _warn_about_credentials(tokens)
    app.state.codex = _start_codex(settings, http) if settings.codex.enabled else None
    app.state.sdk = ClaudeSDK(settings.claude, settings.server, settings.security)
    app.state.sdk.start()


def _warn_about_credentials(tokens: ClaudeTokens) -> None:
    state = tokens.describe()
    if state["source"] == "none":
        log.warning("Claude API mode has no credentials: %s", state["error"])
    elif state.get("expired") and not state.get("refreshable"):
        log.warning("the Claude token has expired and cannot be refreshed; %s", CLAUDE_LOGIN_HINT)


def _start_codex(settings: Settings, http: Client) -> Codex:
    token_url = settings.codex.oauth_token_url
    logins = [CodexTokens(path, token_url, http) for path in settings.codex.auth_files]
    for tokens in logins:
        state = tokens.describe()
        if state["source"] == "none":
            log.warning("Codex has no credentials: %s", state["error"])
        elif state.get("expired") and not state.get("refreshable"):
            log.warning(
                "the ChatGPT token in %s has expired and cannot be refreshed; %s",
                tokens.path,
                OPENAI_LOGIN_HINT,
            )
    prompt = CodexPrompt(settings.codex)
    prompt.start()
    return Codex(settings.codex, http, logins, prompt)


async def _proxy_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProxyError)
    if exc.status >= 500:
        log.warning("%s %s -> %s: %s", request.method, request.url.path, exc.status, exc.message)
    return error_response(
        request.url.path,
        exc.status,
        exc.message,
        error_type=exc.error_type,
        headers=exc.headers,
        param=exc.param,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {
        404: f"no route {request.url.path}",
        405: f"{request.method} is not allowed on {request.url.path}",
    }
    return error_response(
        request.url.path,
        exc.status_code,
        message.get(exc.status_code, str(exc.detail)),
        headers=exc.headers,
    )

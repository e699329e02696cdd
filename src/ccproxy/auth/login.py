"""`ccproxy auth login` and `login-openai`: PKCE in the browser (or by pasting the code), the code
exchanged for tokens, and the tokens written where the vendors' CLIs keep theirs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from ccproxy.auth import pkce, store
from ccproxy.auth.callbacks import LoginCallbacks, LoginFailed
from ccproxy.auth.vendors import CLAUDE, OPENAI
from ccproxy.config import Settings
from ccproxy.errors import ProxyError
from ccproxy.http import Client, Timeouts

WAIT_FOR_BROWSER_SECONDS = 300
_TIMEOUTS = Timeouts(connect=10.0, read=30.0)


class Terminal(Protocol):
    """What a login needs from the person at the keyboard."""

    def say(self, text: str) -> None: ...
    def open(self, url: str) -> bool: ...
    def ask(self, prompt: str) -> str: ...


def _fresh_secrets() -> tuple[str, str]:
    """(PKCE verifier, state): 43 and 43 characters of base64url from 32 random bytes each."""
    return secrets.token_urlsafe(32), secrets.token_urlsafe(32)


def _existing(path: Path) -> dict[str, Any]:
    """The credentials file's content, so a rewrite keeps what we do not know; never a guess."""
    try:
        return store.read_json_object(path) or {}
    except store.CredentialFileError as exc:
        raise LoginFailed(f"{exc}; fix or move it (it was left as it is) and log in again") from exc


def callback_socket(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 for the redirect (port 0: any free one); OSError if taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen()
    except OSError:
        sock.close()
        raise
    return sock


@contextlib.asynccontextmanager
async def listener(callbacks: LoginCallbacks, path: str, sock: socket.socket) -> AsyncIterator[int]:
    """A short-lived HTTP server for the redirect on `sock`; yields its port."""

    async def redirect(request: web.Request) -> web.Response:
        status, html = callbacks.handle(request.query)
        return web.Response(status=status, text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get(path, redirect)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        yield sock.getsockname()[1]
    finally:
        await runner.cleanup()


async def _wait(future: asyncio.Future[str]) -> str:
    try:
        return await asyncio.wait_for(future, WAIT_FOR_BROWSER_SECONDS)
    except TimeoutError:
        raise LoginFailed(
            f"no login arrived within {WAIT_FOR_BROWSER_SECONDS // 60} minutes"
        ) from None


async def _post(http: Client, url: str, body: bytes, content_type: str) -> tuple[int, Any]:
    headers = [("content-type", content_type), ("accept", "application/json")]
    try:
        response = await http.send(
            "POST", url, host=urlsplit(url).netloc, headers=headers, body=body, timeouts=_TIMEOUTS
        )
        raw = await response.read()
    except ProxyError as exc:
        raise LoginFailed(f"the token endpoint could not be reached: {exc.message}") from exc
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, None


def _token(status: int, answer: Any) -> dict[str, Any]:
    if status == 200 and isinstance(answer, dict) and isinstance(answer.get("access_token"), str):
        return answer
    detail = (
        answer.get("error_description") or answer.get("error") if isinstance(answer, dict) else None
    )
    raise LoginFailed(
        f"the token endpoint refused the code (HTTP {status}{f': {detail}' if detail else ''})"
    )


async def login_claude(
    settings: Settings,
    http: Client,
    terminal: Terminal,
    *,
    browser: bool = True,
    callback_port: int = 0,
) -> dict[str, Any]:
    """Log in to Claude and write the Claude CLI's credentials file; returns what was written."""
    path = settings.claude.credentials_file
    _existing(path)  # refuse early, before the user logs in, if the file cannot be kept
    verifier, state = _fresh_secrets()
    callbacks = LoginCallbacks()
    code, redirect_uri = await _claude_code(
        settings, terminal, callbacks, verifier, state, browser, callback_port
    )
    body = pkce.claude_exchange_body(
        CLAUDE, code=code, state=state, verifier=verifier, redirect_uri=redirect_uri
    )
    token = _token(
        *await _post(
            http, settings.claude.oauth_token_url, json.dumps(body).encode(), "application/json"
        )
    )
    subscription = await _subscription(settings, http, token["access_token"])
    async with store.file_lock(path):
        written = pkce.claude_credentials_file(_existing(path), token, time.time(), subscription)
        store.write_json_atomic(path, written)
    return {
        "path": str(path),
        "subscription": subscription,
        "scopes": written["claudeAiOauth"].get("scopes"),
    }


async def _claude_code(
    settings: Settings,
    terminal: Terminal,
    callbacks: LoginCallbacks,
    verifier: str,
    state: str,
    browser: bool,
    callback_port: int,
) -> tuple[str, str]:
    """The authorization code and the redirect it was issued for: from the loopback listener,
    or pasted by the user (with --no-browser, or when the callback port is taken)."""
    base, scopes = settings.claude.oauth_authorize_url, settings.claude.oauth_scopes
    if browser:
        try:
            sock = callback_socket(callback_port)
        except OSError as exc:
            terminal.say(
                f"Cannot listen on port {callback_port} ({exc.strerror}); paste the code instead."
            )
        else:
            future = callbacks.expect(state)
            async with listener(callbacks, "/callback", sock) as port:
                redirect_uri = f"http://localhost:{port}/callback"
                url = pkce.claude_authorize_url(
                    base, CLAUDE, scopes, redirect_uri=redirect_uri, verifier=verifier, state=state
                )
                await _show(terminal, url, open_browser=True)
                return await _wait(future), redirect_uri
    redirect_uri = settings.claude.oauth_manual_redirect_uri
    url = pkce.claude_authorize_url(
        base, CLAUDE, scopes, redirect_uri=redirect_uri, verifier=verifier, state=state
    )
    await _show(terminal, url, open_browser=False)
    code, pasted_state = pkce.pasted_code(
        await asyncio.to_thread(terminal.ask, "Paste the code here: ")
    )
    if not code:
        raise LoginFailed("no code was pasted")
    if pasted_state is not None and pasted_state != state:
        raise LoginFailed("the pasted code belongs to another login (state mismatch); start again")
    return code, redirect_uri


async def _show(terminal: Terminal, url: str, *, open_browser: bool) -> None:
    # In a thread: some browsers (or BROWSER commands) only return once they are closed, and the
    # redirect they bring must find this event loop free to answer it.
    if open_browser and await asyncio.to_thread(terminal.open, url):
        terminal.say(f"Your browser opened the login page. If it did not, open:\n{url}")
    else:
        terminal.say(f"Open this page, log in, and come back:\n{url}")


async def _subscription(settings: Settings, http: Client, token: str) -> str | None:
    """'max' or 'pro', from the account profile; None when the profile cannot be read."""
    url = settings.claude.api_base_url.rstrip("/") + "/api/oauth/profile"
    headers = [("authorization", f"Bearer {token}"), ("anthropic-beta", "oauth-2025-04-20")]
    try:
        response = await http.send(
            "GET", url, host=urlsplit(url).netloc, headers=headers, body=None, timeouts=_TIMEOUTS
        )
        profile = json.loads(await response.read()) if response.status == 200 else {}
    except (ProxyError, ValueError):
        return None
    account = profile.get("account") if isinstance(profile, dict) else None
    if not isinstance(account, dict):
        return None
    return (
        "max" if account.get("has_claude_max") else "pro" if account.get("has_claude_pro") else None
    )


async def login_openai(
    settings: Settings, http: Client, terminal: Terminal, *, browser: bool = True
) -> dict[str, Any]:
    """Log in to ChatGPT and write the Codex CLI's auth.json; returns what was written."""
    path = settings.codex.auth_file
    _existing(path)
    verifier, state = _fresh_secrets()
    callbacks = LoginCallbacks()
    try:
        sock = callback_socket(OPENAI.port)
    except OSError as exc:
        raise LoginFailed(
            f"port {OPENAI.port} is in use ({exc.strerror}): the OpenAI login must receive its "
            "redirect there. Close what uses it (another login, `codex login`?) and try again."
        ) from exc
    future = callbacks.expect(state)
    async with listener(callbacks, "/auth/callback", sock):
        url = pkce.openai_authorize_url(
            settings.codex.oauth_authorize_url,
            OPENAI,
            settings.codex.oauth_scopes,
            verifier=verifier,
            state=state,
        )
        await _show(terminal, url, open_browser=browser)
        code = await _wait(future)
    form = urlencode(pkce.openai_exchange_form(OPENAI, code=code, verifier=verifier)).encode()
    token = _token(
        *await _post(
            http, settings.codex.oauth_token_url, form, "application/x-www-form-urlencoded"
        )
    )
    async with store.file_lock(path):
        written = pkce.codex_auth_file(_existing(path), token, time.time())
        store.write_json_atomic(path, written)
    account = pkce.openai_account(pkce.jwt_claims(str(written["tokens"].get("id_token", ""))))
    return {"path": str(path), **account}

"""`ccproxy auth …`: log in to either vendor, and see or check the logins (never their tokens)."""

from __future__ import annotations

import asyncio
import webbrowser
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ccproxy.cli.common import fail, settings_or_exit

if TYPE_CHECKING:
    from ccproxy.http import Client

app = typer.Typer(help="Log in to Claude and ChatGPT, and see your logins.", no_args_is_help=True)
Config = Annotated[Path | None, typer.Option("--config", help="TOML config file.")]
NoBrowser = Annotated[
    bool, typer.Option("--no-browser", help="Print the URL instead of opening a browser.")
]
T = TypeVar("T")


class ConsoleTerminal:
    def say(self, text: str) -> None:
        typer.echo(text, err=True)

    def open(self, url: str) -> bool:
        try:
            return webbrowser.open(url)
        except webbrowser.Error:
            return False

    def ask(self, prompt: str) -> str:
        typer.echo(prompt, nl=False, err=True)
        try:
            return input()
        except EOFError:
            return ""


def _with_http(work: Callable[[Client], Awaitable[T]]) -> T:
    from ccproxy.auth.callbacks import LoginFailed
    from ccproxy.errors import ProxyError
    from ccproxy.http import Client

    async def main() -> T:
        http = Client()
        await http.start()
        try:
            return await work(http)
        finally:
            await http.close()

    try:
        return asyncio.run(main())
    except LoginFailed as exc:
        fail(str(exc))
    except ProxyError as exc:
        fail(exc.message)
    except KeyboardInterrupt:
        fail("login cancelled", code=130)


@app.command("login")
def login(
    config: Config = None,
    no_browser: NoBrowser = False,
    callback_port: Annotated[
        int, typer.Option("--callback-port", help="Port for the redirect (0: any free).")
    ] = 0,
) -> None:
    """Log in to your Claude subscription (PKCE); writes the Claude CLI's credentials file."""
    from ccproxy.auth.login import login_claude

    settings = settings_or_exit(config)
    done = _with_http(
        lambda http: login_claude(
            settings, http, ConsoleTerminal(), browser=not no_browser, callback_port=callback_port
        )
    )
    plan = f" ({done['subscription']} plan)" if done["subscription"] else ""
    typer.echo(f"Logged in to Claude{plan}; credentials written to {done['path']}")


@app.command("login-openai")
def login_openai(config: Config = None, no_browser: NoBrowser = False) -> None:
    """Log in to your ChatGPT subscription (PKCE); writes the Codex CLI's auth.json."""
    from ccproxy.auth.login import login_openai as run_login

    settings = settings_or_exit(config)
    done = _with_http(
        lambda http: run_login(settings, http, ConsoleTerminal(), browser=not no_browser)
    )
    who = ", ".join(str(v) for v in (done.get("email"), done.get("plan")) if v)
    typer.echo(
        f"Logged in to ChatGPT{f' ({who})' if who else ''}; credentials written to {done['path']}"
    )


def _expires(seconds: int | None, expired: bool | None) -> str:
    if seconds is None:
        return "unknown"
    if expired:
        return "expired"
    days, rest = divmod(seconds, 86400)
    return f"{days}d {rest // 3600}h" if days else f"{rest // 3600}h {rest % 3600 // 60}m"


def _claude_states(config: Path | None) -> list[dict[str, Any]]:
    """Every Claude login of the settings, the main one (or `CLAUDE_CODE_OAUTH_TOKEN`) first."""
    import os

    from ccproxy.auth.tokens import ENV_TOKEN, ClaudeTokens
    from ccproxy.http import Client

    settings = settings_or_exit(config)
    main, *extra = settings.claude.credentials_files
    token_url = settings.claude.oauth_token_url
    env_token = os.environ.get(ENV_TOKEN) or None
    logins = [ClaudeTokens(main, token_url, Client(), env_token=env_token)]
    logins += [ClaudeTokens(path, token_url, Client()) for path in extra]
    return [tokens.describe() for tokens in logins]


def _claude_state(config: Path | None) -> dict[str, Any]:
    return _claude_states(config)[0]


def _numbered(name: str, states: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Row names: the provider for the main login, `#2`, `#3`, … for the others."""
    return {name if n == 1 else f"{name} #{n}": state for n, state in enumerate(states, start=1)}


@app.command("status")
def status(config: Config = None) -> None:
    """Every login ccproxy can use; exit code 0 when at least one is usable."""
    from rich.console import Console
    from rich.table import Table

    from ccproxy.auth import codex

    settings = settings_or_exit(config)
    rows = {
        **_numbered("Claude", _claude_states(config)),
        **_numbered("ChatGPT (Codex)", [codex.describe(p) for p in settings.codex.auth_files]),
    }
    table = Table("Provider", "Source", "Status", "Expires in", "Plan", "Account", "File")
    for name, state in rows.items():
        usable = (
            "valid" if state["valid"] else "missing" if state["source"] == "none" else "expired"
        )
        table.add_row(
            name,
            state["source"],
            usable,
            _expires(state.get("expires_in_seconds"), state.get("expired")),
            state.get("subscription_type") or state.get("plan") or "-",
            state.get("email") or state.get("account_id") or "-",
            state.get("path") or "-",
        )
    Console().print(table)
    for state in rows.values():
        if not state["valid"] and state.get("error"):
            typer.echo(state["error"], err=True)
    raise typer.Exit(0 if any(state["valid"] for state in rows.values()) else 1)


@app.command("info")
def info(config: Config = None) -> None:
    """The Claude login in detail (no network); exit code 0 when it is usable."""
    from rich.console import Console
    from rich.table import Table

    state = _claude_state(config)
    table = Table("Claude", "", show_header=False)
    for key, value in state.items():
        table.add_row(
            key.replace("_", " "), ", ".join(value) if isinstance(value, list) else str(value)
        )
    Console().print(table)
    raise typer.Exit(0 if state["valid"] else 1)


@app.command("validate")
def validate(config: Config = None) -> None:
    """Ask Claude whether the login works (refreshing it if needed); exit code 0 when it does."""
    from ccproxy.auth.validate import validate_claude

    settings = settings_or_exit(config)
    ok, message = _with_http(lambda http: validate_claude(settings, http))
    typer.echo(message, err=not ok)
    raise typer.Exit(0 if ok else 1)

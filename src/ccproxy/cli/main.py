"""`ccproxy`: with no sub-command it serves, exactly like `ccproxy serve`."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer

from ccproxy import __version__
from ccproxy.cli import auth
from ccproxy.cli import config as config_commands
from ccproxy.cli import permissions as permission_commands
from ccproxy.cli.serve import ServeOptions, serve

app = typer.Typer(
    name="ccproxy",
    help="Serve the Anthropic and OpenAI APIs on your own Claude and ChatGPT subscriptions.",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

Host = Annotated[str | None, typer.Option("--host", help="Address to bind [default: 127.0.0.1].")]
Port = Annotated[int | None, typer.Option("--port", help="Port to bind [default: 8000].")]
Config = Annotated[
    Path | None, typer.Option("--config", help="TOML config file (default: discovered).")
]
Workers = Annotated[
    int | None, typer.Option("--workers", help="Server processes sharing the port [default: 1].")
]
CodeCwd = Annotated[
    str | None,
    typer.Option(
        "--claude-code-options-cwd", help="Working directory of SDK-mode runs [default: here]."
    ),
]
PermissionMode = Annotated[
    str | None,
    typer.Option(
        "--claude-code-options-permission-mode",
        help="SDK mode: default, acceptEdits, plan or bypassPermissions.",
    ),
]
MessageMode = Annotated[
    str | None,
    typer.Option(
        "--claude-sdk-message-mode",
        help="SDK mode: forward, formatted or ignore [default: forward].",
    ),
]
EnablePool = Annotated[
    bool | None,
    typer.Option("--sdk-enable-pool", help="Keep connected Claude Code processes ready."),
]
PoolSize = Annotated[
    int | None, typer.Option("--sdk-pool-size", help="Idle processes in the pool [default: 3].")
]
LogLevel = Annotated[
    str | None, typer.Option("--log-level", help="DEBUG, INFO, WARNING or ERROR [default: INFO].")
]


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"ccproxy {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main(
    ctx: typer.Context,
    host: Host = None,
    port: Port = None,
    config: Config = None,
    log_level: LogLevel = None,
    workers: Workers = None,
    code_cwd: CodeCwd = None,
    code_permission_mode: PermissionMode = None,
    sdk_message_mode: MessageMode = None,
    sdk_enable_pool: EnablePool = None,
    sdk_pool_size: PoolSize = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Start the proxy (the same as `ccproxy serve`)."""
    options = ServeOptions.of(locals())
    if ctx.invoked_subcommand is None:
        serve(options)
    ctx.obj = options


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Host = None,
    port: Port = None,
    config: Config = None,
    log_level: LogLevel = None,
    workers: Workers = None,
    code_cwd: CodeCwd = None,
    code_permission_mode: PermissionMode = None,
    sdk_message_mode: MessageMode = None,
    sdk_enable_pool: EnablePool = None,
    sdk_pool_size: PoolSize = None,
) -> None:
    """Start the proxy on 127.0.0.1:8000 (or --host/--port)."""
    given = ServeOptions.of(locals())
    serve(given.over(ctx.obj) if isinstance(ctx.obj, ServeOptions) else given)


app.add_typer(auth.app, name="auth")
app.add_typer(config_commands.app, name="config")


@app.command("generate-token")
def generate_token() -> None:
    """Print a random client token as a SECURITY__AUTH_TOKEN line for .env."""
    typer.echo(f"SECURITY__AUTH_TOKEN={secrets.token_urlsafe(32)}")


@app.command("permission-handler")
def permission_handler(
    host: Annotated[
        str | None, typer.Option("--host", help="The server's address [default: its config].")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="The server's port [default: its config].")
    ] = None,
    auth_token: Annotated[
        str | None,
        typer.Option("--auth-token", help="Client token [default: SECURITY__AUTH_TOKEN]."),
    ] = None,
    config: Config = None,
) -> None:
    """Answer SDK-mode permission requests of a running server from this terminal."""
    permission_commands.permission_handler(host, port, auth_token, config)


@app.command("logs")
def logs(
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="How many.")] = 20,
    model: Annotated[str | None, typer.Option("--model", help="Only this model.")] = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="claude_api, claude_sdk or codex.")
    ] = None,
    host: Annotated[
        str | None, typer.Option("--host", help="The server's address [default: its config].")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="The server's port [default: its config].")
    ] = None,
    auth_token: Annotated[
        str | None,
        typer.Option("--auth-token", help="Client token [default: SECURITY__AUTH_TOKEN]."),
    ] = None,
    config: Config = None,
) -> None:
    """Print the latest access-log entries and a summary by model."""
    from ccproxy.cli.logs import show_logs

    show_logs(limit, model, provider, config, host, port, auth_token)


_SHELLS = frozenset({"bash", "zsh", "fish", "powershell", "pwsh"})


def run() -> None:
    _honour_named_completion_shell(sys.argv[1:])
    app()


def _honour_named_completion_shell(argv: list[str]) -> None:
    # Typer guesses the shell from the parent process and ignores `--show-completion zsh`; its
    # explicit-shell mode (switched on by this variable) takes the named shell instead.
    if "--show-completion" in argv:
        after = argv.index("--show-completion") + 1
        if after < len(argv) and argv[after] in _SHELLS:
            os.environ["_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"] = "1"

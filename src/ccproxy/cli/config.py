"""`ccproxy config`: change settings in the TOML file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ccproxy.cli.common import fail

app = typer.Typer(help="Change settings in the TOML config file.", no_args_is_help=True)


@app.command("codex")
def codex(
    ctx: typer.Context,
    enable: Annotated[
        bool | None,
        typer.Option("--enable/--disable", help="Serve the /codex routes, or stop serving them."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="TOML file to change (default: discovered).")
    ] = None,
) -> None:
    """Turn the Codex routes (ChatGPT Plus/Pro via the Codex CLI's login) on or off."""
    from ccproxy.config import ConfigFileError
    from ccproxy.config_edit import set_value, target_file

    if enable is None:
        fail("say --enable or --disable", code=2)
    given = getattr(ctx.obj, "config", None)  # `ccproxy --config FILE config codex …`
    path = target_file(config or given)
    try:
        set_value(path, "codex", "enabled", enable)
    except ConfigFileError as exc:
        fail(str(exc))
    typer.echo(f"codex.enabled = {str(enable).lower()} written to {path.resolve()}")
    overriding = next((name for name in os.environ if name.upper() == "CODEX__ENABLED"), None)
    if overriding:
        typer.echo(
            f"note: {overriding}={os.environ[overriding]} in the environment takes precedence",
            err=True,
        )
    typer.echo("restart ccproxy for the change to take effect")

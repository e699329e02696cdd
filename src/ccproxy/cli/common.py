"""What every command shares: loading settings with readable errors, and failing cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    from ccproxy.config import Settings


def settings_or_exit(config: Path | None, **overrides: Any) -> Settings:
    """Settings from every source; a bad file or value is one message and exit code 1 or 2."""
    from pydantic import ValidationError

    from ccproxy.config import ConfigFileError, load_settings

    try:
        return load_settings(config, **overrides)
    except ConfigFileError as exc:
        fail(str(exc))
    except ValidationError as exc:
        lines = [f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        fail("invalid configuration:\n" + "\n".join(lines), code=2)


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)

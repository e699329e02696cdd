"""What every settings section shares: frozen models that ignore unknown keys, and `~` paths
expanded only when used, so that `$HOME` decides where they point at run time."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def expand(path: str | Path) -> Path:
    return Path(os.path.expanduser(str(path)))


def list_from_text(value: object) -> object:
    """Lists from the environment: JSON (`["Bash","Read"]`) or comma-separated (`Bash,Read`)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        return json.loads(text)
    return [part.strip() for part in text.split(",") if part.strip()]

"""What every settings section shares: frozen models that ignore unknown keys, and `~` paths
expanded only when used, so that `$HOME` decides where they point at run time."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def expand(path: str | Path) -> Path:
    return Path(os.path.expanduser(str(path)))

"""Changing one setting in the user's TOML file, keeping everything else in it as it was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Table

from ccproxy.config import ConfigFileError, config_candidates, find_config_file


def target_file(explicit: Path | None = None) -> Path:
    """The file `ccproxy` would read (`--config`, else the first one found), else the
    per-user one, which is then created."""
    if explicit is not None:
        return explicit
    return find_config_file() or config_candidates()[-1]


def set_value(path: Path, section: str, key: str, value: bool | int | float | str) -> None:
    """Write `[section] key = value` into `path`, creating the file and the table if needed;
    comments, order and every other value stay as they were."""
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else None
    except TOMLKitError as exc:
        raise ConfigFileError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigFileError(f"cannot read {path}: {exc.strerror}") from exc
    document = document if document is not None else tomlkit.document()
    table = document.get(section)
    if table is None:
        table = tomlkit.table()
        document[section] = table
    elif not isinstance(table, Table):
        raise ConfigFileError(f"{path}: `{section}` is not a table")
    table[key] = value
    _write(path, tomlkit.dumps(document))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise

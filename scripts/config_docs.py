"""Writes the settings table of docs/configuration.md from the settings schema.

`python scripts/config_docs.py` rewrites the table; the test suite fails when it is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ccproxy.config import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def render() -> str:
    lines = ["| Env variable | TOML | Default | Meaning |", "|---|---|---|---|"]
    for section, section_field in Settings.model_fields.items():
        model = section_field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        for key, field in model.model_fields.items():
            default = field.get_default(call_default_factory=True)
            shown = "unset" if default in (None, PydanticUndefined) else f"`{json_text(default)}`"
            env = f"`{section.upper()}__{key.upper()}`"
            lines.append(f"| {env} | `[{section}] {key}` | {shown} | {field.description or ''} |")
    return "\n".join(lines)


def json_text(value: object) -> str:
    return json.dumps(value) if isinstance(value, dict | list | tuple) else str(value)


def updated(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{render()}\n{END}{tail}"


if __name__ == "__main__":
    current = DOC.read_text()
    DOC.write_text(updated(current))
    sys.exit(0)

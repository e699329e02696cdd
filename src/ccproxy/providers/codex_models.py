"""Codex models: which name a request goes upstream with, and the list `/codex/models` serves."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ccproxy.formats.models import model_item

# Approximate release dates: clients only sort by them.
_RELEASED = {
    "gpt-5.4": "2026-03-05T00:00:00Z",
    "gpt-5.4-mini": "2026-03-17T00:00:00Z",
    "gpt-5.3-codex": "2026-02-05T00:00:00Z",
    "gpt-5.3-codex-spark": "2026-02-12T00:00:00Z",
    "gpt-5.2": "2025-12-11T00:00:00Z",
}
_UNDATED = "2026-01-01T00:00:00Z"
# Names from other vendors' clients that the ChatGPT backend cannot know.
_FOREIGN = ("claude-*", "anthropic/*")


def resolve_model(name: str, overrides: Mapping[str, str], default: str) -> str:
    """The upstream model for a client's name: `CODEX__MODEL_MAP` first, then foreign names to
    `default`; every other name is sent as the client wrote it (never a silent swap)."""
    if name in overrides:
        return overrides[name]
    for pattern, target in overrides.items():
        if fnmatch.fnmatchcase(name, pattern):
            return target
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in _FOREIGN):
        return default
    return name


def model_items(configured: Sequence[str], cache_file: Path) -> list[dict[str, Any]]:
    """The account's own models as the Codex CLI cached them, else the configured list."""
    found = _cached_models(cache_file) or [(slug, _display_name(slug)) for slug in configured]
    return [model_item(slug, name, _RELEASED.get(slug, _UNDATED), "openai") for slug, name in found]


def _cached_models(path: Path) -> list[tuple[str, str]]:
    """`{"models": [{"slug": …, "display_name": …}, …]}` from the CLI's `models_cache.json`."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return []
    models = data.get("models") if isinstance(data, dict) else None
    found: list[tuple[str, str]] = []
    for entry in models if isinstance(models, list) else []:
        slug = entry.get("slug") if isinstance(entry, dict) else None
        if isinstance(slug, str) and slug:
            name = entry.get("display_name")
            found.append((slug, name if isinstance(name, str) and name else _display_name(slug)))
    return found


def _display_name(slug: str) -> str:
    """`gpt-5.3-codex-spark` -> `GPT-5.3-Codex-Spark`."""
    head, _, rest = slug.partition("-")
    words = [head.upper() if head == "gpt" else head.capitalize()]
    words += [part if part[:1].isdigit() else part.capitalize() for part in rest.split("-") if part]
    return "-".join(words)

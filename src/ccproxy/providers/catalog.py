"""Claude models: the list the `/models` routes serve, and how each takes translated parameters.

The subscription upstream has no model list of its own. Release dates marked "approx." are not
published precisely (clients only sort by them). Traits of the newest models follow Anthropic's
migration notes for Opus 4.7 and the Claude 5 family (adaptive thinking only, sampling parameters
refused, no assistant prefill); those marked "assumed" were not confirmed for that exact model.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ccproxy.formats.convert.context import ModelTraits

MODERN = ModelTraits(
    max_output_tokens=128000,
    thinking="adaptive",
    sampling=False,
    native_json_schema=True,
    prefill=False,
)
HAIKU_45 = ModelTraits(
    max_output_tokens=64000, thinking="budget", sampling=True, native_json_schema=True, prefill=True
)


@dataclass(frozen=True)
class Model:
    id: str
    display_name: str
    created_at: str  # RFC 3339
    traits: ModelTraits
    owned_by: str = "anthropic"


CLAUDE_MODELS: tuple[Model, ...] = (
    Model("claude-opus-5-5", "Claude Opus 5.5", "2026-10-01T00:00:00Z", MODERN),  # approx.
    Model(
        "claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-10-01T00:00:00Z", MODERN
    ),  # approx., assumed
    Model(
        "claude-haiku-5-5", "Claude Haiku 5.5", "2026-10-01T00:00:00Z", MODERN
    ),  # approx., assumed
    Model("claude-fable-5-1", "Claude Fable 5.1", "2026-10-01T00:00:00Z", MODERN),  # approx.
    Model("claude-opus-5", "Claude Opus 5", "2026-07-24T00:00:00Z", MODERN),
    Model("claude-sonnet-5", "Claude Sonnet 5", "2026-07-01T00:00:00Z", MODERN),  # assumed
    Model("claude-opus-4-8", "Claude Opus 4.8", "2026-06-01T00:00:00Z", MODERN),  # approx.
    Model("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z", HAIKU_45),
)
_BY_ID = {model.id: model for model in CLAUDE_MODELS}

# OpenAI names an OpenAI-only client may send, and the Claude model that stands in for them.
# Patterns are shell-style; the first match wins; `CLAUDE__MODEL_MAP` entries come first.
DEFAULT_MODEL_MAP: Mapping[str, str] = {
    "gpt-*-mini*": "claude-haiku-5-5",
    "gpt-*-nano*": "claude-haiku-5-5",
    "gpt-3.5*": "claude-haiku-5-5",
    "o[0-9]-mini*": "claude-sonnet-5-5",
    "o[0-9]*": "claude-opus-5-5",
    "gpt-*": "claude-sonnet-5-5",
    "chatgpt-*": "claude-sonnet-5-5",
}

_VERSIONED = re.compile(r"claude-[a-z]+-(\d+)(?:-(\d{1,2}))?(?:-\d{8})?$")


def resolve_model(name: str, overrides: Mapping[str, str]) -> str:
    """The Claude model for a client's model name; `claude-*` and unknown names are kept."""
    if name.startswith("claude-"):
        return name
    for table in (overrides, DEFAULT_MODEL_MAP):
        if name in table:
            return table[name]
        for pattern, target in table.items():
            if fnmatch.fnmatchcase(name, pattern):
                return target
    return name


def traits(model_id: str) -> ModelTraits:
    """Known models from the catalogue; others guessed from the version in their name."""
    if model_id in _BY_ID:
        return _BY_ID[model_id].traits
    found = _VERSIONED.match(model_id)
    if found is None:
        return ModelTraits()
    version = (int(found.group(1)), int(found.group(2) or 0))
    if version >= (4, 7):
        return MODERN
    if version >= (4, 6):
        return ModelTraits(
            max_output_tokens=64000, thinking="adaptive", native_json_schema=True, prefill=False
        )
    if version >= (4, 5):
        return HAIKU_45
    return ModelTraits(max_output_tokens=32000 if version >= (4, 0) else 8192)

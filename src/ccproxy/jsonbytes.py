"""JSON request bodies the proxy writes itself, as bytes."""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import to_json


def dump(payload: dict[str, Any]) -> bytes:
    """Compact JSON, written by pydantic-core's fast serialiser."""
    try:
        return to_json(payload)
    except ValueError:  # a lone surrogate from a \ud8xx escape: keep it escaped
        return json.dumps(payload, separators=(",", ":")).encode()

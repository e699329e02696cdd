"""Reading client request bodies."""

from __future__ import annotations

import json
from typing import Any

from pydantic_core import from_json

from ccproxy.errors import BadRequest


def json_object(raw: bytes) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 saying what is wrong with it."""
    try:
        payload = from_json(raw)
    except ValueError:
        payload = _stdlib_json(raw)  # slower, but it knows lone surrogates and says what is wrong
    if not isinstance(payload, dict):
        raise BadRequest(f"request body must be a JSON object, not {type(payload).__name__}")
    return payload


def _stdlib_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise BadRequest("request body is not valid UTF-8") from exc
    except ValueError as exc:
        raise BadRequest(f"request body is not valid JSON: {exc}") from exc

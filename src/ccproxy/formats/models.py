"""The model list shape that the anthropic and openai SDKs both parse (CONTRACT.md §2.1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def model_item(model_id: str, display_name: str, created_at: str, owned_by: str) -> dict[str, Any]:
    created = int(datetime.fromisoformat(created_at.replace("Z", "+00:00")).timestamp())
    return {
        "id": model_id,
        "object": "model",
        "created": created,
        "owned_by": owned_by,
        "type": "model",
        "display_name": display_name,
        "created_at": created_at,
    }


def model_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "object": "list",
        "data": items,
        "has_more": False,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
    }

"""What `/logs/query` asks for, and its page cursors (apart from the store, so that reading a
request needs no DuckDB)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Query:
    start: datetime | None = None
    end: datetime | None = None
    model: str | None = None
    provider: str | None = None
    status: int | None = None
    status_class: int | None = None  # 4 for "4xx"
    limit: int = 100
    cursor: str | None = None


def next_cursor(row: tuple[Any, ...]) -> str:
    """The cursor of the page after `row` (the last row shown): its time and request id."""
    raw = f"{row[1].isoformat()}|{row[0]}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_cursor(text: str) -> tuple[datetime, str]:
    """Raises ValueError for anything that is not a cursor of ours."""
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    stamp, _, request_id = raw.partition("|")
    if not request_id:
        raise ValueError("not a cursor")
    return datetime.fromisoformat(stamp), request_id

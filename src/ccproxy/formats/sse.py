"""Server-sent events: cutting a byte stream at event boundaries, and writing events."""

from __future__ import annotations

import json
import re
from typing import Any

# An event ends at a blank line; the spec allows LF, CRLF or CR line endings.
_EVENT_END = re.compile(rb"\r\n\r\n|\n\n|\r\r")


class EventFramer:
    """Splits arbitrary chunks of an SSE byte stream into runs of whole events.

    A proxy that forwards chunks as they arrive must still never leave a client holding half an
    event when the upstream dies: `feed` returns every complete event received so far (bytes
    unchanged) and keeps only the unfinished tail, which `pending` exposes.
    """

    __slots__ = ("_tail",)

    def __init__(self) -> None:
        self._tail = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._tail + chunk if self._tail else chunk
        end = _last_event_end(data)
        if end == 0:
            self._tail = data
            return b""
        self._tail = data[end:]
        return data[:end]

    @property
    def pending(self) -> bytes:
        return self._tail


def _last_event_end(data: bytes) -> int:
    # Fast path: upstreams usually flush whole events, so the chunk ends on a boundary.
    if data.endswith(b"\n\n"):
        return len(data)
    end = 0
    for match in _EVENT_END.finditer(data):
        end = match.end()
    return end


def encode(event: str | None, data: Any) -> bytes:
    """One SSE event; `data` is serialised as compact JSON unless it is already a string."""
    payload = (
        data
        if isinstance(data, str)
        else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    )
    lines = "".join(f"data: {line}\n" for line in payload.split("\n"))
    head = f"event: {event}\n" if event else ""
    return f"{head}{lines}\n".encode()

"""Server-sent events: cutting a byte stream at event boundaries, reading and writing events."""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

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


class Event(NamedTuple):
    event: str  # "message" when the frame names none, as the SSE spec says
    data: str


class Decoder:
    """Turns SSE bytes, however they are chunked, into events (LF, CRLF or CR endings,
    `:` comments, multi-line `data:`). Fields other than `event` and `data` are ignored."""

    __slots__ = ("_data", "_event", "_tail")

    def __init__(self) -> None:
        self._tail = b""
        self._event = ""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[Event]:
        data = self._tail + chunk if self._tail else chunk
        lines = data.splitlines(keepends=True)
        # A last line without its ending may still grow; a lone CR may be half of a CRLF.
        if lines and (not lines[-1].endswith((b"\n", b"\r")) or lines[-1].endswith(b"\r")):
            self._tail = lines.pop()
        else:
            self._tail = b""
        events: list[Event] = []
        for raw in lines:
            self._line(raw.rstrip(b"\r\n").decode("utf-8", "replace"), events)
        return events

    def finish(self) -> list[Event]:
        """Events still pending when the stream ends (a last frame without its blank line)."""
        events: list[Event] = []
        if self._tail:
            self._line(self._tail.rstrip(b"\r\n").decode("utf-8", "replace"), events)
            self._tail = b""
        self._line("", events)
        return events

    def _line(self, line: str, events: list[Event]) -> None:
        if not line:
            if self._data:
                events.append(Event(self._event or "message", "\n".join(self._data)))
            self._event, self._data = "", []
            return
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value


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

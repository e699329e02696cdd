"""Follow `GET /permissions/stream` from a thread, as a dashboard or a terminal handler would."""

from __future__ import annotations

import json
import queue
import threading
import time
from types import TracebackType
from typing import Any

import httpx

Event = tuple[str, dict[str, Any]]


class StreamWatcher:
    """`with StreamWatcher(proxy) as watch: watch.next("permission_request")`."""

    def __init__(self, proxy: str, headers: dict[str, str] | None = None) -> None:
        self._client = httpx.Client(base_url=proxy, headers=headers, timeout=None)
        self.events: queue.Queue[Event] = queue.Queue()
        self.seen: list[Event] = []
        self.status: int | None = None
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._follow, daemon=True)

    def __enter__(self) -> StreamWatcher:
        self._thread.start()
        assert self._connected.wait(10), "the permission stream did not answer"
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._client.close()

    def next(self, kind: str, timeout: float = 60) -> dict[str, Any]:
        """The next event of that kind; the others on the way are kept in `seen`."""
        deadline = time.monotonic() + timeout
        while True:
            name, data = self.events.get(timeout=max(deadline - time.monotonic(), 0.001))
            self.seen.append((name, data))
            if name == kind:
                return data

    def _follow(self) -> None:
        try:
            with self._client.stream("GET", "/permissions/stream") as response:
                self.status = response.status_code
                self._connected.set()
                name = None
                for line in response.iter_lines():
                    if line.startswith("event: "):
                        name = line[7:]
                    elif line.startswith("data: ") and name is not None:
                        self.events.put((name, json.loads(line[6:])))
                        name = None
        except (httpx.HTTPError, RuntimeError):  # closed by __exit__
            self._connected.set()

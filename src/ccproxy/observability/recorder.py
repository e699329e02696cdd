"""Where finished access entries go: the cost is worked out once, then metrics, the access log
and the live listeners each get the entry.

Entries are queued as requests end and processed together a moment later (`DELAY`), or as soon
as something reads the results (`settle`): the work stays off each request's own path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ccproxy.observability.entry import AccessEntry
from ccproxy.observability.prices import Prices

if TYPE_CHECKING:  # prometheus-client and DuckDB load only when their feature is on
    from ccproxy.observability.metrics import Metrics
    from ccproxy.observability.store import AccessLog

log = logging.getLogger(__name__)

# A listener that falls this far behind (a stalled browser tab) loses entries, not memory.
_LISTENER_BACKLOG = 1000
DELAY = 0.25  # seconds from a request's end until it shows in metrics, log and live stream
DRAIN_SECONDS = 2.0  # at shutdown, how long to wait for cut requests to hand over entries
CLOSING: dict[str, Any] = {}


class Recorder:
    def __init__(
        self, prices: Prices, metrics: Metrics | None = None, store: AccessLog | None = None
    ) -> None:
        self.prices = prices
        self.metrics = metrics
        self.store = store
        self._listeners: set[asyncio.Queue[dict[str, Any]]] = set()
        self._pending: list[AccessEntry] = []
        self._timer: asyncio.TimerHandle | None = None
        self.in_flight = 0  # requests being served; read by the metric at scrape time
        if metrics is not None:
            metrics.in_flight = lambda: self.in_flight

    def record(self, entry: AccessEntry) -> None:
        """Queue a finished entry; it is processed within DELAY seconds."""
        self._pending.append(entry)
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(DELAY, self.settle)

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait a little for the requests still in flight to hand over their entries: those a
        shutdown's grace period cancelled end within a few turns of the loop."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.in_flight and loop.time() < deadline:
            await asyncio.sleep(0.01)

    def settle(self) -> None:
        """Process every queued entry now: before metrics or the log are read, and at exit."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        for entry in pending:
            self._process(entry)

    def _process(self, entry: AccessEntry) -> None:
        entry.parse_usage()
        if entry.cost_usd is None and entry.has_usage:
            entry.cost_usd = self.prices.cost(
                entry.model_used or entry.model_requested, entry.input_tokens,
                entry.output_tokens, entry.cache_read_tokens, entry.cache_write_tokens,
            )  # fmt: skip
            entry.cost_source = "prices" if entry.cost_usd is not None else None
        if self.metrics is not None:
            self.metrics.record(entry)
        if self.store is not None:
            self.store.add(entry)
        if self._listeners:
            shown = entry.as_dict()
            for queue in self._listeners:
                if queue.qsize() < _LISTENER_BACKLOG:
                    queue.put_nowait(shown)

    @contextlib.contextmanager
    def listening(self) -> Iterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._listeners.add(queue)
        try:
            yield queue
        finally:
            self._listeners.discard(queue)

    def close_listeners(self) -> None:
        for queue in self._listeners:
            queue.put_nowait(CLOSING)

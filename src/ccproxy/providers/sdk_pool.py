"""Connected Claude Code processes kept ready, so a new conversation does not wait for one to
start (`--sdk-enable-pool`). A client taken from the pool serves one conversation from then on;
the pool starts a replacement in the background."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ccproxy.errors import ProxyError

log = logging.getLogger(__name__)

Connect = Callable[[], Awaitable[Any]]  # raises ProxyError when no process can be started
Dispose = Callable[[Any], None]


class Pool:
    def __init__(self, size: int, connect: Connect, dispose: Dispose) -> None:
        self.size = size
        self._connect = connect
        self._dispose = dispose
        self._idle: list[Any] = []
        self._starting = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.taken = 0
        self.failures = 0
        self.closed = False

    def fill(self) -> None:
        """Start as many processes as it takes to have `size` idle ones."""
        while not self.closed and len(self._idle) + self._starting < self.size:
            self._starting += 1
            task = asyncio.get_running_loop().create_task(self._add())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _add(self) -> None:
        try:
            client = await self._connect()
        except ProxyError as exc:
            self.failures += 1
            log.warning("the SDK pool could not start a Claude Code process: %s", exc)
            return
        finally:
            self._starting -= 1
        if self.closed:
            self._dispose(client)
        else:
            self._idle.append(client)

    def take(self) -> Any | None:
        """An idle connected client, or None; a replacement starts either way."""
        client = self._idle.pop() if self._idle else None
        if client is not None:
            self.taken += 1
        self.fill()
        return client

    async def close(self) -> None:
        self.closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        while self._idle:
            self._dispose(self._idle.pop())

    def describe(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "idle": len(self._idle),
            "starting": self._starting,
            "taken": self.taken,
            "start_failures": self.failures,
        }

"""`/mcp`, loaded on first use: the MCP SDK takes about a second and tens of megabytes to
import, which every start-up would pay even when no Claude Code run ever asks for permission."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from ccproxy.permissions.approvals import Approvals


class LazyMcpEndpoint:
    def __init__(self, approvals: Approvals, bind_host: str) -> None:
        self._approvals = approvals
        self._bind_host = bind_host
        self._app: ASGIApp | None = None
        self._lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self._app or await self._start()
        await app(scope, receive, send)

    async def close(self) -> None:
        """Stop the MCP session manager, if it was ever started."""
        self._stop.set()
        if self._runner is not None:
            await self._runner

    async def _start(self) -> ASGIApp:
        async with self._lock:
            if self._app is None:
                from ccproxy.permissions import mcp_tool

                manager = mcp_tool.session_manager(self._approvals, self._bind_host)
                running = asyncio.Event()

                async def hold() -> None:
                    # The manager's task group lives in this task until the app shuts down.
                    async with manager.run():
                        running.set()
                        await self._stop.wait()

                self._runner = asyncio.get_running_loop().create_task(hold())
                started = asyncio.ensure_future(running.wait())
                await asyncio.wait({started, self._runner}, return_when=asyncio.FIRST_COMPLETED)
                if self._runner.done():
                    started.cancel()
                    self._runner.result()  # raises what stopped it
                self._app = mcp_tool.endpoint(manager)
        return self._app

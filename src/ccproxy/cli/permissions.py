"""`ccproxy permission-handler`: answer SDK-mode permission requests from a terminal."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from ccproxy.cli.common import fail, settings_or_exit

if TYPE_CHECKING:
    from ccproxy.permissions.handler import Prompter


class ConsoleTerminal:
    def __init__(self) -> None:
        self.console = Console(highlight=False, soft_wrap=True)

    def say(self, text: str, *, style: str = "") -> None:
        self.console.print(text, style=style or None, markup=False)

    def ask(self, text: str) -> None:
        self.console.print(text, end="", markup=False)


def permission_handler(
    host: str | None, port: int | None, auth_token: str | None, config: Path | None
) -> None:
    from ccproxy.permissions.handler import Fatal, Prompter

    settings = settings_or_exit(config)
    given = {"host": host, "port": port}
    server = settings.server.model_copy(update={k: v for k, v in given.items() if v is not None})
    base_url = server.local_url
    token = auth_token
    if token is None and settings.security.auth_token is not None:
        token = settings.security.auth_token.get_secret_value()
    prompter = Prompter(ConsoleTerminal())
    try:
        asyncio.run(_handle(base_url, token, prompter))
    except KeyboardInterrupt:
        prompter.terminal.say("\nstopped; pending requests stay pending")
    except Fatal as exc:
        fail(str(exc))


async def _handle(base_url: str, token: str | None, prompter: Prompter) -> None:
    from ccproxy.permissions.handler import follow

    lines = _stdin_lines()
    following = asyncio.ensure_future(follow(base_url, token, prompter))
    try:
        while (line := await _next_line(lines, following)) is not None:
            await prompter.line(line)
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)


async def _next_line(
    lines: asyncio.Queue[str | None], following: asyncio.Future[None]
) -> str | None:
    """The next line typed, None at the end of input; the follower's failure is raised."""
    reading: asyncio.Future[str | None] = asyncio.ensure_future(lines.get())
    either: set[asyncio.Future[Any]] = {reading, following}
    await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
    if following.done():
        reading.cancel()
        following.result()
        return None
    return reading.result()


def _stdin_lines() -> asyncio.Queue[str | None]:
    """Lines typed at the terminal, read by a thread so the stream never waits for a person."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, name="stdin", daemon=True).start()
    return lines

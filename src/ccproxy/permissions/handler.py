"""`ccproxy permission-handler`: follows a running server's permission requests and asks the
person at the terminal about each, one at a time.

`Prompter` is what the person sees and answers; `follow` keeps it fed from
`GET /permissions/stream`, reconnecting with back-off while the server is away.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

import aiohttp

from ccproxy.formats import sse

YES = frozenset({"y", "yes", "a", "allow"})
NO = frozenset({"n", "no", "d", "deny"})
BACKOFF_SECONDS = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
NAME = "permission-handler"


class Terminal(Protocol):
    def say(self, text: str, *, style: str = "") -> None: ...
    def ask(self, text: str) -> None: ...


Answer = Callable[[str, bool, str | None], Awaitable[tuple[int, dict[str, Any]]]]


class Fatal(Exception):
    """Retrying cannot help (the server refuses our token)."""


class Prompter:
    """The requests waiting for this person; the first is the one shown and answered."""

    def __init__(self, terminal: Terminal, answer: Answer | None = None) -> None:
        self.terminal = terminal
        self.answer = answer or _not_connected
        self.queue: list[dict[str, Any]] = []
        self._replaying = False
        self._replay_left = 0
        self._replayed: set[str] = set()

    @property
    def shown(self) -> dict[str, Any] | None:
        return self.queue[0] if self.queue else None

    def connected(self, pending: int) -> None:
        """A (re)connection: `pending` requests are about to be replayed."""
        self._replay_left, self._replayed = pending, set()
        if pending == 0:
            self._replay_done()
        else:
            self._replaying = True

    def event(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "permission_request":
            self._requested(data)
        elif kind in ("permission_resolved", "permission_expired"):
            self._withdraw(data)

    async def line(self, text: str) -> None:
        """The person typed a line: an answer to the shown request."""
        shown = self.shown
        if shown is None:
            return
        word, _, reason = text.strip().partition(" ")
        if word.lower() not in YES | NO:
            self.terminal.ask("Please answer y (allow) or n [reason] (deny): ")
            return
        allowed = word.lower() in YES
        status, body = await self.answer(shown["id"], allowed, reason.strip() or None)
        if status == 200:
            verdict = "allowed" if allowed else "denied"
            self.terminal.say(
                f"{verdict}: {shown['tool_name']}", style="green" if allowed else "red"
            )
        elif status == 409:
            self.terminal.say("already decided elsewhere", style="yellow")
        else:
            error = body.get("error") if isinstance(body, dict) else body
            if isinstance(error, dict):
                error = error.get("message", error)
            self.terminal.say(f"the server refused the answer ({status}): {error}", style="red")
            return  # still pending: keep it on screen
        self._forget(shown["id"])

    def _requested(self, data: dict[str, Any]) -> None:
        if self._replaying:
            self._replayed.add(data["id"])
            self._replay_left -= 1
        if all(request["id"] != data["id"] for request in self.queue):
            self.queue.append(data)
            if len(self.queue) == 1:
                self._show()
        if self._replaying and self._replay_left <= 0:
            self._replay_done()

    def _replay_done(self) -> None:
        """Requests known from before a reconnection that were not replayed were decided
        while we were away."""
        self._replaying = False
        for request in [r for r in self.queue if r["id"] not in self._replayed]:
            self._withdraw({**request, "status": "decided while disconnected", "decider": None})

    def _withdraw(self, data: dict[str, Any]) -> None:
        was_shown = self.shown is not None and self.shown["id"] == data["id"]
        if was_shown:
            who = f" by {data['decider']}" if data.get("decider") else ""
            self.terminal.say(f"\nanswered elsewhere: {data['status']}{who}", style="yellow")
        self._forget(data["id"], show_next=was_shown)

    def _forget(self, request_id: str, *, show_next: bool = True) -> None:
        self.queue = [request for request in self.queue if request["id"] != request_id]
        if show_next and self.queue:
            self._show()

    def _show(self) -> None:
        request = self.queue[0]
        left = max(0, round(_epoch(request.get("expires_at")) - time.time()))
        more = f" ({len(self.queue) - 1} more waiting)" if len(self.queue) > 1 else ""
        self.terminal.say(f"\nPermission request {request['id']}{more}", style="bold")
        self.terminal.say(f"Tool: {request['tool_name']}")
        self.terminal.say("Input:\n" + json.dumps(request.get("input"), indent=2))
        self.terminal.say(f"Denied automatically in {left} s without an answer.")
        self.terminal.ask("Allow? y / n [reason]: ")


async def _not_connected(request_id: str, allowed: bool, message: str | None) -> Any:
    return 0, {"error": {"message": "not connected to the server"}}


def _epoch(stamp: Any) -> float:
    try:
        return datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return time.time()


async def follow(base_url: str, token: str | None, prompter: Prompter) -> None:
    """Feed `prompter` from the server's stream for ever, reconnecting with back-off."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=60)
    attempt = 0
    async with aiohttp.ClientSession(base_url, headers=headers, timeout=timeout) as http:
        prompter.answer = _answerer(http)
        say = prompter.terminal
        while True:
            try:
                await _stream(http, base_url, prompter)
                attempt = 0
                say.say("the server closed the stream; reconnecting", style="yellow")
            except (aiohttp.ClientError, TimeoutError) as exc:
                delay = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)]
                attempt += 1
                reason = str(exc) or type(exc).__name__
                say.say(f"cannot reach ccproxy at {base_url} ({reason}); retrying in {delay:g} s")
                await asyncio.sleep(delay)


async def _stream(http: aiohttp.ClientSession, base_url: str, prompter: Prompter) -> None:
    async with http.get("/permissions/stream") as response:
        if response.status in (401, 403):
            raise Fatal("the server wants its client token: pass --auth-token or set "
                        "SECURITY__AUTH_TOKEN")  # fmt: skip
        response.raise_for_status()
        prompter.terminal.say(f"connected to {base_url}; waiting for permission requests")
        decoder = sse.Decoder()
        first = True
        async for chunk in response.content.iter_any():
            for found in decoder.feed(chunk):
                data = json.loads(found.data)
                if first:  # the opening ping counts the replay that follows
                    prompter.connected(int(data.get("pending", 0)))
                    first = False
                prompter.event(found.event, data)


def _answerer(http: aiohttp.ClientSession) -> Answer:
    async def answer(request_id: str, allowed: bool, message: str | None) -> tuple[int, Any]:
        body: dict[str, Any] = {"allowed": allowed, "by": NAME}
        if message:
            body["message"] = message
        try:
            async with http.post(f"/permissions/{request_id}/respond", json=body) as response:
                return response.status, await response.json(content_type=None)
        except (aiohttp.ClientError, ValueError) as exc:
            return 0, {"error": {"message": f"could not send it: {exc}"}}

    return answer

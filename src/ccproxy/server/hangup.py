"""Noticing a client that hangs up while its answer is still being worked out, so the work
stops: a stream's upstream is closed, an SDK-mode run abandoned, a permission request
withdrawn."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ccproxy.server.access import left

T = TypeVar("T")
Endpoint = Callable[[Request], Awaitable[Response]]

# How long an endpoint runs before a watcher looks out for its client hanging up.
WATCH_AFTER = 0.25
# nginx's "client closed request": nobody reads it, but the access log says what happened.
CLIENT_CLOSED = 499


class ClientGone(Exception):
    """The client hung up before the answer was ready."""


async def disconnect(receive: Receive) -> None:
    """Returns when the client hangs up; call it once the request body has been read."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def before_hangup(request: Request, work: Coroutine[Any, Any, T]) -> T:
    """`work`'s result; when the client hangs up first, `work` is cancelled and ClientGone
    raised. Call it once the request body has been read."""
    task = asyncio.ensure_future(work)
    hangup = asyncio.ensure_future(disconnect(request.receive))
    try:
        await asyncio.wait({task, hangup}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hangup.cancel()
        if not task.done():
            task.cancel()
    if task.done() and not task.cancelled():
        return task.result()
    await _cancelled(task)
    raise ClientGone


def cancelled_on_hangup(endpoint: Endpoint) -> Endpoint:
    """`endpoint`, cancelled when its client hangs up before it has returned its response: an
    upstream request still waiting for its headers, or an answer still being read whole, is
    dropped instead of being worked out for nobody (ClientGone, a 499 in the access log).

    The endpoint runs in the request's own task. The watcher, one more task, starts only once
    the endpoint has run for WATCH_AFTER seconds: a model's answer takes longer, while a request
    answered at once (an error, a cached count) pays for a timer and not for a task, which cost
    it about a tenth of its CPU. A stream, once returned, is EventStream's to watch."""

    @functools.wraps(endpoint)
    async def watched(request: Request) -> Response:
        await request.body()  # first: the watcher must take nothing but the hang-up
        task = asyncio.current_task()
        assert task is not None
        watch = _Watch(task, request.receive)
        timer = asyncio.get_running_loop().call_later(WATCH_AFTER, watch.start)
        try:
            return await endpoint(request)
        except asyncio.CancelledError:
            if not watch.hung_up or task.uncancel() > 0:
                raise  # cancelled from outside (the server shutting down), not by the client
            raise ClientGone from None
        finally:
            timer.cancel()
            watch.stop()

    return watched


class _Watch:
    """Cancels `task` when the client hangs up, from the moment it is started until stopped."""

    def __init__(self, task: asyncio.Task[Any], receive: Receive) -> None:
        self.task = task
        self.receive = receive
        self.hung_up = False
        self.watcher: asyncio.Future[None] | None = None

    def start(self) -> None:
        self.watcher = asyncio.ensure_future(disconnect(self.receive))
        self.watcher.add_done_callback(self._done)

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.remove_done_callback(self._done)  # a hang-up now is no longer ours
            self.watcher.cancel()

    def _done(self, watcher: asyncio.Future[None]) -> None:
        if not watcher.cancelled() and watcher.exception() is None:
            self.hung_up = True
            self.task.cancel()


async def client_gone(request: Request, exc: Exception) -> Response:
    left(request.scope)
    return Response(status_code=CLIENT_CLOSED)


class CancelledOnHangUp:
    """Wraps an ASGI app that answers only when its work is done (the MCP permission tool):
    the call is cancelled when the client hangs up, so a permission request whose caller is
    gone (Claude Code interrupted or stopped) is withdrawn instead of prompting on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = [await receive()]
        while body[-1]["type"] == "http.request" and body[-1].get("more_body", False):
            body.append(await receive())
        hung_up = asyncio.Event()

        async def replay() -> Message:
            if body:
                return body.pop(0)
            await hung_up.wait()
            return {"type": "http.disconnect"}

        call = asyncio.ensure_future(self.app(scope, replay, send))
        hangup = asyncio.ensure_future(disconnect(receive))
        await asyncio.wait({call, hangup}, return_when=asyncio.FIRST_COMPLETED)
        if hangup.done():
            hung_up.set()
            call.cancel()
        else:
            hangup.cancel()
        await _cancelled(call)


async def _cancelled(work: asyncio.Future[Any]) -> None:
    """Wait for `work` to end after it was cancelled; its CancelledError is swallowed unless
    the current task is being cancelled itself."""
    try:
        await work
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise

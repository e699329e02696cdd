"""Noticing a client that hangs up while its answer is still being worked out (not streamed),
so the work stops: an SDK-mode run is abandoned, a permission request withdrawn."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from ccproxy.server.access import left

T = TypeVar("T")

# nginx's "client closed request": nobody reads it, but the access log says what happened.
CLIENT_CLOSED = 499


class ClientGone(Exception):
    """The client hung up before the answer was ready."""


async def before_hangup(request: Request, work: Coroutine[Any, Any, T]) -> T:
    """`work`'s result; when the client hangs up first, `work` is cancelled and ClientGone
    raised. Call it once the request body has been read."""
    task = asyncio.ensure_future(work)
    hangup = asyncio.ensure_future(_disconnect(request))
    try:
        await asyncio.wait({task, hangup}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hangup.cancel()
        if not task.done():
            task.cancel()
    if task.done() and not task.cancelled():
        return task.result()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise  # this request is being cancelled itself
    raise ClientGone


async def client_gone(request: Request, exc: Exception) -> Response:
    left(request.scope)
    return Response(status_code=CLIENT_CLOSED)


async def _disconnect(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass

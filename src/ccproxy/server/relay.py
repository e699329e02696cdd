"""Upstream responses back to the client: streams as they arrive, whole events only."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ccproxy.formats import sse
from ccproxy.formats.sse import EventFramer
from ccproxy.http import Upstream, UpstreamBroken
from ccproxy.server.access import left
from ccproxy.server.hangup import disconnect

log = logging.getLogger(__name__)

_HEADER_TEXT = re.compile(r"[ -~]{1,256}")  # printable ASCII: what a header value can carry

# Response headers clients act on; the rest (cookies, CDN and hop-by-hop headers) stays behind.
_PASSED = frozenset(
    {
        b"content-type",
        b"cache-control",
        b"request-id",
        b"x-request-id",
        b"retry-after",
        b"x-should-retry",
    }
)

ErrorEvent = Callable[[str, str], bytes]


class EventStream(Response):
    """A streamed response that forwards each chunk the moment it exists.

    Lighter than Starlette's StreamingResponse (no task group per response): the body is written
    from the request's own task, and a watcher on `receive` cancels it when the client leaves, so
    the upstream stream is closed promptly instead of being read to its end for nobody.
    """

    def __init__(
        self,
        body: AsyncIterator[bytes],
        status_code: int,
        headers: dict[str, str],
        close: Callable[[], None],
    ) -> None:
        # Not Response.__init__: it would render an empty body and announce content-length: 0.
        self.body_iterator = body
        self.status_code = status_code
        self.media_type = "text/event-stream"
        self.background = None
        self.init_headers(headers)
        self._close = close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        task = asyncio.current_task()
        watcher = asyncio.ensure_future(disconnect(receive))
        watcher.add_done_callback(
            lambda done: task.cancel() if task and not done.cancelled() else None
        )
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            async for chunk in self.body_iterator:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            if not watcher.done() or task is None:
                raise  # cancelled from outside, not by the client leaving
            task.uncancel()
            left(scope)
            log.debug("client left mid-stream; upstream stream closed")
        finally:
            watcher.cancel()
            self._close()


def passed_headers(upstream: Upstream) -> dict[str, str]:
    headers = {}
    for key, value in upstream.raw_headers:
        name = key.lower()
        if name in _PASSED or name.startswith(b"anthropic-"):
            headers[name.decode("latin-1")] = value.decode("latin-1")
    return headers


async def relay(upstream: Upstream, error_event: ErrorEvent) -> Response:
    """The client's response; `error_event` writes the in-stream error of the client's format."""
    headers = passed_headers(upstream)
    if upstream.is_event_stream:
        return EventStream(_events(upstream, error_event), upstream.status, headers, upstream.close)
    return Response(await upstream.read(), status_code=upstream.status, headers=headers)


async def _events(upstream: Upstream, error_event: ErrorEvent) -> AsyncIterator[bytes]:
    framer = EventFramer()
    try:
        async for chunk in upstream.chunks():
            if whole := framer.feed(chunk):
                yield whole
    except UpstreamBroken as exc:
        log.warning("stream from %s failed mid-way: %s", upstream.host, exc)
        yield error_event("api_error", f"the stream from {upstream.host} was cut off ({exc})")
        return
    if framer.pending:
        yield framer.pending


class StreamConverter(Protocol):
    """A `formats.convert` stream state machine."""

    def feed(self, event: str, data: dict[str, Any]) -> list[bytes]: ...
    def finish(self) -> list[bytes]: ...
    def fail(self, message: str) -> list[bytes]: ...


async def converted_events(upstream: Upstream, converter: StreamConverter) -> AsyncIterator[bytes]:
    """The upstream SSE stream run through `converter`, yielding frames as events come in."""
    decoder = sse.Decoder()
    try:
        async for chunk in upstream.chunks():
            if frames := _convert(decoder.feed(chunk), converter):
                yield frames
        tail = _convert(decoder.finish(), converter) + b"".join(converter.finish())
    except UpstreamBroken as exc:
        log.warning("stream from %s failed mid-way: %s", upstream.host, exc)
        tail = b"".join(converter.fail(f"the stream from {upstream.host} was cut off ({exc})"))
    if tail:
        yield tail


def _convert(events: list[sse.Event], converter: StreamConverter) -> bytes:
    frames: list[bytes] = []
    for event in events:
        try:
            data = json.loads(event.data)
        except ValueError:
            continue  # not an event of the format (a stray keep-alive, say)
        if isinstance(data, dict):
            name = event.event if event.event != "message" else str(data.get("type", ""))
            frames += converter.feed(name, data)
    return b"".join(frames)


def name_model(response: Response, model: str) -> None:
    """`x-ccproxy-model`: the model that answered. A name no header can carry (the client's own
    text, passed on unresolved, may hold anything) is left out rather than mangled."""
    if _HEADER_TEXT.fullmatch(model):
        response.headers["x-ccproxy-model"] = model

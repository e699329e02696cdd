"""Upstream responses back to the client: streams as they arrive, whole events only."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

import httpx
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from ccproxy.errors import UpstreamUnavailable
from ccproxy.formats import sse
from ccproxy.formats.sse import EventFramer

log = logging.getLogger(__name__)

# Response headers clients act on; the rest (cookies, CDN and hop-by-hop headers) stays behind.
_PASSED = frozenset(
    {"content-type", "cache-control", "request-id", "x-request-id", "retry-after", "x-should-retry"}
)

ErrorEvent = Callable[[str, str], bytes]


def passed_headers(upstream: httpx.Response) -> dict[str, str]:
    return {
        key: value
        for key, value in upstream.headers.items()
        if key in _PASSED or key.startswith("anthropic-")
    }


async def relay(upstream: httpx.Response, host: str, error_event: ErrorEvent) -> Response:
    """The client's response; `error_event` writes the in-stream error of the client's format."""
    headers = passed_headers(upstream)
    if upstream.headers.get("content-type", "").startswith("text/event-stream"):
        return StreamingResponse(
            _events(upstream, host, error_event),
            status_code=upstream.status_code,
            headers=headers,
            background=BackgroundTask(upstream.aclose),
        )
    try:
        body = await upstream.aread()
    except httpx.HTTPError as exc:
        raise UpstreamUnavailable(f"{host} cut the response short ({type(exc).__name__})") from exc
    finally:
        await upstream.aclose()
    return Response(body, status_code=upstream.status_code, headers=headers)


async def _events(
    upstream: httpx.Response, host: str, error_event: ErrorEvent
) -> AsyncIterator[bytes]:
    framer = EventFramer()
    try:
        async for chunk in upstream.aiter_bytes():
            if whole := framer.feed(chunk):
                yield whole
    except httpx.HTTPError as exc:
        log.warning("stream from %s failed mid-way: %s", host, type(exc).__name__)
        yield error_event("api_error", f"the stream from {host} was cut off ({type(exc).__name__})")
        return
    finally:
        await upstream.aclose()
    if framer.pending:
        yield framer.pending


class StreamConverter(Protocol):
    """A `formats.convert` stream state machine."""

    def feed(self, event: str, data: dict[str, Any]) -> list[bytes]: ...
    def finish(self) -> list[bytes]: ...
    def fail(self, message: str) -> list[bytes]: ...


async def converted_events(
    upstream: httpx.Response, host: str, converter: StreamConverter
) -> AsyncIterator[bytes]:
    """The upstream SSE stream run through `converter`, yielding frames as events come in."""
    decoder = sse.Decoder()
    try:
        async for chunk in upstream.aiter_bytes():
            if frames := _convert(decoder.feed(chunk), converter):
                yield frames
        tail = _convert(decoder.finish(), converter) + b"".join(converter.finish())
    except httpx.HTTPError as exc:
        log.warning("stream from %s failed mid-way: %s", host, type(exc).__name__)
        tail = b"".join(
            converter.fail(f"the stream from {host} was cut off ({type(exc).__name__})")
        )
    finally:
        await upstream.aclose()
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
